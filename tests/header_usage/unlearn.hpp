#pragma once
// What the usage lines of unlearn/'s headers take as given (see quantum.hpp here).
#include <qhybrid/nn.hpp>
#include <qhybrid/unlearn.hpp>

namespace usage::in_unlearn {
using namespace qhybrid;
inline nn::sequential<double> net;
inline nn::labelled<double> retain, forget;
} // namespace usage::in_unlearn
