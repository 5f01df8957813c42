// SPDX-License-Identifier: Apache-2.0
#pragma once
// Temperature scaling (Guo et al. 2017): one scalar T > 0 divides a trained classifier's logits so
// that softmax(z / T) is calibrated. T is fitted on held-out logits (a validation split, never the
// test split) by minimising their mean negative log-likelihood; the predicted class is unchanged.
//
// The mean NLL is convex in b = 1 / T (log-sum-exp of b z is convex, the label term linear), its
// derivative mean_i (E_softmax(b z_i)[z] - z_i,y_i) rises with b, so bisection on the derivative's
// sign finds the minimum without tuning. T is kept in [1/100, 100]: a split the model separates
// perfectly pushes T towards 0, and the bound says so (at_bound).
#include "qhybrid/core/error.hpp"
#include "qhybrid/nn/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

namespace qhybrid::nn {

struct temperature_fit {
    double temperature = 1;
    double nll_before = 0, nll_after = 0; // mean NLL at T = 1 and at the fitted T
    bool at_bound = false;                // the optimum lies at or beyond T = 1/100 or 100
};

namespace detail {

// Mean NLL of softmax(b z) and its derivative with respect to b.
inline std::pair<double, double> scaled_nll(const tensor<double>& logits, std::span<const std::size_t> labels, double b) {
    const std::size_t n = logits.dim(0), k = logits.dim(1);
    double nll = 0, slope = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* z = logits.data() + i * k;
        const double top = *std::max_element(z, z + k);
        double sum = 0, weighted = 0;
        for (std::size_t c = 0; c < k; ++c) {
            const double e = std::exp(b * (z[c] - top));
            sum += e, weighted += e * z[c];
        }
        nll += b * top + std::log(sum) - b * z[labels[i]];
        slope += weighted / sum - z[labels[i]];
    }
    return {nll / double(n), slope / double(n)};
}

} // namespace detail

inline temperature_fit fit_temperature(const tensor<double>& logits, std::span<const std::size_t> labels) {
    require(logits.rank() == 2 && logits.dim(0) > 0 && logits.dim(1) >= 2 && labels.size() == logits.dim(0), [&] {
        return "fit_temperature: logits of shape " + to_string(logits.shape()) + " with " + std::to_string(labels.size()) +
               " labels; expected [samples, classes >= 2] and one label per sample";
    });
    for (std::size_t i = 0; i < labels.size(); ++i)
        require(labels[i] < logits.dim(1), [&] {
            return "fit_temperature: label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                   " is not below " + std::to_string(logits.dim(1)) + " classes";
        });
    for (std::size_t i = 0; i < logits.size(); ++i)
        require(std::isfinite(logits.data()[i]),
                [&] { return "fit_temperature: logit " + std::to_string(i) + " is " + number(logits.data()[i]); });
    constexpr double lo_bound = -4.605170185988091, hi_bound = 4.605170185988091; // log(1/100), log(100) in b
    double lo = lo_bound, hi = hi_bound;
    const bool rising_at_lo = detail::scaled_nll(logits, labels, std::exp(lo)).second >= 0;
    const bool falling_at_hi = detail::scaled_nll(logits, labels, std::exp(hi)).second <= 0;
    temperature_fit fit;
    double log_b = 0;
    if (rising_at_lo || falling_at_hi) {
        log_b = rising_at_lo ? lo : hi;
        fit.at_bound = true;
    } else {
        for (int step = 0; step < 80; ++step) { // the bracket shrinks to 9.2 / 2^80
            const double mid = (lo + hi) / 2;
            (detail::scaled_nll(logits, labels, std::exp(mid)).second < 0 ? lo : hi) = mid;
        }
        log_b = (lo + hi) / 2;
    }
    fit.temperature = std::exp(-log_b);
    fit.nll_before = detail::scaled_nll(logits, labels, 1.0).first;
    fit.nll_after = detail::scaled_nll(logits, labels, std::exp(log_b)).first;
    return fit;
}

// softmax(z / temperature) of every row.
inline tensor<double> calibrated_probabilities(const tensor<double>& logits, double temperature) {
    require(temperature > 0 && std::isfinite(temperature),
            [&] { return "calibrated_probabilities: temperature " + number(temperature) + " is not positive"; });
    require(logits.rank() == 2, [&] { return "calibrated_probabilities: logits of shape " + to_string(logits.shape()); });
    tensor<double> p(logits.shape());
    const std::size_t k = logits.dim(1);
    for (std::size_t i = 0; i < logits.dim(0); ++i) {
        const double* z = logits.data() + i * k;
        double* out = p.data() + i * k;
        const double top = *std::max_element(z, z + k);
        double sum = 0;
        for (std::size_t c = 0; c < k; ++c) sum += out[c] = std::exp((z[c] - top) / temperature);
        for (std::size_t c = 0; c < k; ++c) out[c] /= sum;
    }
    return p;
}

} // namespace qhybrid::nn
