#pragma once
// What the usage lines of nn/'s headers take as given (see quantum.hpp here).
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn.hpp>

namespace usage::in_nn {
using namespace qhybrid;
inline rng gen{1};
inline nn::sequential<double> net;
inline nn::adam<double> opt{net.parameters(), {}};
inline nn::labelled<double> train, validation;
} // namespace usage::in_nn
