#pragma once
// What the usage lines of data/'s headers take as given (see quantum.hpp here).
#include <qhybrid/core/rng.hpp>

#include <cstddef>
#include <vector>

namespace usage::in_data {
using namespace qhybrid;
inline rng gen{1};
inline std::vector<double> rows(60 * 3);
inline std::size_t columns = 3;
inline std::vector<int> labels(60);
} // namespace usage::in_data
