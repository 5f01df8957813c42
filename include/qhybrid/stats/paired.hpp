// SPDX-License-Identifier: Apache-2.0
#pragma once
// Paired tests, behind every "A is better than B": the paired t test over seeds (the same split,
// initialisation stream and minibatch order for both models of a seed) and McNemar's exact test
// on one shared test set; and the check that a run learned anything at all.
#include "qhybrid/stats/interval.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace qhybrid::stats {

struct paired_comparison {
    std::size_t n = 0;
    double mean_difference = 0, low = 0, high = 0; // a - b, with its t interval
    double p_value = 1;                            // two-sided, H0: mean difference 0
    std::size_t a_better = 0, b_better = 0, ties = 0;
};

inline paired_comparison paired_t(std::span<const double> a, std::span<const double> b, double confidence = 0.95) {
    require(a.size() == b.size() && a.size() >= 2,
            [&] { return "paired_t: needs two equal runs of at least 2 values, not " + std::to_string(a.size()) + " and " + std::to_string(b.size()); });
    std::vector<double> d(a.size());
    paired_comparison c;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d[i] = a[i] - b[i];
        (d[i] > 0 ? c.a_better : d[i] < 0 ? c.b_better : c.ties) += 1;
    }
    const estimate e = t_interval(d, confidence);
    c.n = e.n, c.mean_difference = e.mean, c.low = e.low, c.high = e.high;
    if (e.sd == 0) c.p_value = e.mean == 0 ? 1 : 0; // every pair differs by the same amount
    else c.p_value = 2 * student_t_cdf(-std::abs(e.mean) / (e.sd / std::sqrt(double(e.n))), double(e.n - 1));
    return c;
}

struct mcnemar_result {
    std::size_t only_a = 0, only_b = 0; // samples right by one model only
    double p_value = 1;                 // exact (binomial) and two-sided
};

// a_correct[i], b_correct[i]: whether each model got shared test sample i right (0 or 1).
inline mcnemar_result mcnemar(std::span<const std::uint8_t> a_correct, std::span<const std::uint8_t> b_correct) {
    require(a_correct.size() == b_correct.size(),
            [&] { return "mcnemar: " + std::to_string(a_correct.size()) + " and " + std::to_string(b_correct.size()) + " samples"; });
    mcnemar_result r;
    for (std::size_t i = 0; i < a_correct.size(); ++i) {
        r.only_a += a_correct[i] && !b_correct[i];
        r.only_b += !a_correct[i] && b_correct[i];
    }
    const std::size_t n = r.only_a + r.only_b;
    if (n > 0) r.p_value = std::min(1.0, 2 * binomial_cdf(std::min(r.only_a, r.only_b), n, 0.5));
    return r;
}

// Whether `correct` of `n` is more than guessing at rate `chance` would give: a one-sided exact
// binomial test at level alpha. A run that fails it is a failed run (stuck at chance).
inline bool above_chance(std::size_t correct, std::size_t n, double chance, double alpha = 0.01) {
    require(correct <= n && n > 0 && chance >= 0 && chance < 1 && alpha > 0 && alpha < 1, [&] {
        return "above_chance: " + std::to_string(correct) + " of " + std::to_string(n) + " at chance " + number(chance) +
               ", alpha " + number(alpha);
    });
    return binomial_cdf(n - correct, n, 1 - chance) < alpha; // P(X >= correct), without cancellation
}

// The accuracy of always answering the most frequent label.
inline double majority_rate(std::span<const std::size_t> labels) {
    require(!labels.empty(), [] { return std::string("majority_rate: no labels"); });
    std::vector<std::size_t> count(*std::max_element(labels.begin(), labels.end()) + 1);
    for (auto y : labels) ++count[y];
    return double(*std::max_element(count.begin(), count.end())) / double(labels.size());
}

} // namespace qhybrid::stats
