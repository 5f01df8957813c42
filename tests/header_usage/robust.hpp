#pragma once
// What the usage lines of robust/'s headers take as given (see quantum.hpp here).
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn.hpp>
#include <qhybrid/robust/model.hpp>

namespace usage::in_robust {
using namespace qhybrid;
inline rng gen{1};
inline nn::sequential<double> net;
inline nn::tensor<double> x, dz;
} // namespace usage::in_robust
