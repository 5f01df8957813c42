// SPDX-License-Identifier: Apache-2.0
#pragma once
// A mean over runs (seeds) with its confidence interval from Student's t: the runs are few (5 to
// 10), so a normal interval would be too narrow and a bootstrap one unstable.
#include "qhybrid/stats/distributions.hpp"

#include <cmath>
#include <limits>
#include <span>
#include <string>

namespace qhybrid::stats {

struct estimate {
    std::size_t n = 0;
    double mean = 0, sd = 0;  // sd: sample standard deviation (n - 1)
    double low = 0, high = 0; // the interval; NaN for fewer than two values
};

inline estimate t_interval(std::span<const double> values, double confidence = 0.95) {
    require(!values.empty(), [] { return std::string("t_interval: no values"); });
    require(confidence > 0 && confidence < 1, [&] { return "t_interval: confidence must lie in (0, 1), not " + number(confidence); });
    estimate e;
    e.n = values.size();
    for (double v : values) {
        require(std::isfinite(v), [&] { return "t_interval: value " + number(v) + " is not finite"; });
        e.mean += v;
    }
    e.mean /= double(e.n);
    if (e.n < 2) {
        e.sd = 0, e.low = e.high = std::numeric_limits<double>::quiet_NaN();
        return e;
    }
    for (double v : values) e.sd += (v - e.mean) * (v - e.mean);
    e.sd = std::sqrt(e.sd / double(e.n - 1));
    const double half = student_t_quantile(0.5 + confidence / 2, double(e.n - 1)) * e.sd / std::sqrt(double(e.n));
    e.low = e.mean - half, e.high = e.mean + half;
    return e;
}

} // namespace qhybrid::stats
