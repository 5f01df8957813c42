#pragma once
// What the usage lines of stats/'s headers take as given (see quantum.hpp here).
#include <qhybrid/stats.hpp>

#include <cstdint>
#include <cstdio>

namespace usage::in_stats {
using namespace qhybrid;
inline double acc = 0.9, auc = 0.95;
inline std::uint64_t seed = 1;
} // namespace usage::in_stats
