// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a model saw in training, kept so that it can tell when a new row lies outside it: per-
// feature quantiles (to say which feature is off, and by how much) and a robust Mahalanobis
// distance (data/robust_covariance.hpp) with a threshold at the `coverage` quantile of the
// training rows' own distances. A row beyond the threshold is out of the domain; a row of the
// training distribution is flagged with probability about 1 - coverage (measure it on a
// validation split: the training rows fitted the estimate, so they sit slightly closer to it).
//
// Fit it on the training split only.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/robust_covariance.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

// The q quantile of `values` with linear interpolation between order statistics (numpy's default).
inline double quantile(std::vector<double> values, double q) {
    require(!values.empty() && q >= 0 && q <= 1, [&] { return "quantile: " + number(q) + " of " + std::to_string(values.size()) + " values"; });
    const double at = q * double(values.size() - 1);
    const auto lo = std::size_t(std::floor(at));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(lo), values.end());
    const double a = values[lo];
    if (lo + 1 == values.size()) return a;
    const double b = *std::min_element(values.begin() + std::ptrdiff_t(lo) + 1, values.end());
    return a + (at - double(lo)) * (b - a);
}

struct domain_summary {
    std::vector<std::string> features;      // their names, for messages
    std::vector<double> low, median, high;  // per feature: quantiles (1 - coverage) / 2, 1/2, (1 + coverage) / 2
    robust_covariance shape;
    double coverage = 0.995;
    double threshold = 0;                   // the coverage quantile of the training rows' squared distances

    struct judgement {
        bool inside = true;
        double distance2 = 0;
        std::size_t feature = 0; // the feature furthest outside [low, high], in multiples of its width
        double excess = 0;       // 0 when every feature lies inside its range
    };

    judgement judge(std::span<const double> row) const {
        require(row.size() == features.size(),
                [&] { return "domain_summary: a row of " + std::to_string(row.size()) + " features, expected " + std::to_string(features.size()); });
        judgement j;
        for (std::size_t k = 0; k < row.size(); ++k)
            require(std::isfinite(row[k]), [&] { return "domain_summary: feature " + features[k] + " is " + number(row[k]); });
        j.distance2 = shape.distance2(row);
        j.inside = j.distance2 <= threshold;
        for (std::size_t k = 0; k < row.size(); ++k) {
            const double width = std::max(high[k] - low[k], 1e-300);
            const double excess = std::max(low[k] - row[k], row[k] - high[k]) / width;
            if (excess > j.excess) j.excess = excess, j.feature = k;
        }
        return j;
    }

    // "rolloff 3912 lies below the training range [6512, 21130]", or the joint distance.
    std::string explain(std::span<const double> row, const judgement& j) const {
        if (j.excess > 0) {
            const std::size_t k = j.feature;
            return features[k] + " " + significant(row[k]) + " lies " + (row[k] < low[k] ? "below" : "above") +
                   " the training range [" + significant(low[k]) + ", " + significant(high[k]) + "]";
        }
        return "an unusual combination of features (robust distance^2 " + significant(j.distance2) + ", training limit " +
               significant(threshold) + ")";
    }
};

// Fits the summary to row-major training rows.
inline domain_summary fit_domain(std::span<const double> rows, std::vector<std::string> features, rng& gen,
                                 double coverage = 0.995, const mcd_options& mcd = {}) {
    const std::size_t p = features.size();
    require(p > 0 && rows.size() % p == 0 && coverage > 0 && coverage < 1, [&] {
        return "fit_domain: " + std::to_string(rows.size()) + " values as rows of " + std::to_string(p) +
               " features, coverage " + number(coverage);
    });
    domain_summary d;
    d.features = std::move(features);
    d.coverage = coverage;
    d.shape = fit_mcd(rows, p, gen, mcd);
    const std::size_t n = rows.size() / p;
    std::vector<double> column(n), d2(n);
    for (std::size_t k = 0; k < p; ++k) {
        for (std::size_t r = 0; r < n; ++r) column[r] = rows[r * p + k];
        d.low.push_back(quantile(column, (1 - coverage) / 2));
        d.median.push_back(quantile(column, 0.5));
        d.high.push_back(quantile(column, (1 + coverage) / 2));
    }
    for (std::size_t r = 0; r < n; ++r) d2[r] = d.shape.distance2(rows.subspan(r * p, p));
    d.threshold = quantile(d2, coverage);
    return d;
}

} // namespace qhybrid::data
