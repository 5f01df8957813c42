// SPDX-License-Identifier: Apache-2.0
#pragma once
// The losses attacks ascend, per sample: each sample's value, and the gradient of their sum with
// respect to the logits (a sum, not a mean, so that a sample's step does not depend on the batch
// it came in).
// - cross_entropy: log-sum-exp(z) - z_y;
// - dlr, the difference of logits ratio (Croce & Hein, ICML 2020, eq. 5): -(z_y - max_{i != y} z_i)
//   / (z_pi1 - z_pi3 + 1e-12), pi sorting z in decreasing order; invariant to shifting and scaling
//   the logits, so a model cannot hide behind saturated softmax outputs. Needs 3 classes or more.
// - margin: max_{i != y} z_i - z_y, positive once the class has changed (Carlini & Wagner's, and
//   the loss of the Square attack).
// Targeted, towards class t (`targets` not empty): -cross_entropy to t, the targeted DLR (eq. 6)
// -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12), which needs 4 classes or more, and the
// margin z_t - max_{i != t} z_i.
#include "qhybrid/nn/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <vector>

namespace qhybrid::robust {

enum class attack_loss { cross_entropy, dlr, margin };

inline const char* to_string(attack_loss l) {
    return l == attack_loss::cross_entropy ? "CE" : l == attack_loss::dlr ? "DLR" : "margin";
}

template <class T>
struct sample_losses {
    std::vector<T> values;  // one per sample
    nn::tensor<T> gradient; // d(sum of values)/dlogits
};

namespace detail {
template <class T>
void check_labels(const nn::tensor<T>& logits, std::span<const std::size_t> labels, std::size_t min_classes, const char* who) {
    require(logits.rank() == 2 && logits.dim(0) == labels.size() && logits.dim(1) >= min_classes, [&] {
        return std::string(who) + ": logits of shape " + nn::to_string(logits.shape()) + " for " + std::to_string(labels.size()) +
               " labels (needs [batch, classes >= " + std::to_string(min_classes) + "])";
    });
    for (std::size_t b = 0; b < labels.size(); ++b)
        require(labels[b] < logits.dim(1), [&] {
            return std::string(who) + ": label " + std::to_string(labels[b]) + " of sample " + std::to_string(b) + " is not below " +
                   std::to_string(logits.dim(1)) + " classes";
        });
}
// The indices of z's k largest entries, largest first, in order[0..k).
template <class T>
void largest(std::span<const T> z, std::size_t k, std::vector<std::size_t>& order) {
    order.resize(z.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::partial_sort(order.begin(), order.begin() + long(k), order.end(), [&](std::size_t i, std::size_t j) { return z[i] > z[j]; });
}
} // namespace detail

template <class T>
sample_losses<T> cross_entropy(const nn::tensor<T>& logits, std::span<const std::size_t> labels) {
    detail::check_labels(logits, labels, 1, "cross_entropy");
    const std::size_t classes = logits.dim(1);
    sample_losses<T> r{std::vector<T>(labels.size()), nn::tensor<T>(logits.shape())};
    for (std::size_t b = 0; b < labels.size(); ++b) {
        const auto z = logits.row(b);
        const auto g = r.gradient.row(b);
        const T top = *std::max_element(z.begin(), z.end());
        T sum = 0;
        for (std::size_t k = 0; k < classes; ++k) sum += g[k] = std::exp(z[k] - top);
        r.values[b] = std::log(sum) + top - z[labels[b]];
        for (std::size_t k = 0; k < classes; ++k) g[k] /= sum;
        g[labels[b]] -= T(1);
    }
    return r;
}

template <class T>
sample_losses<T> dlr(const nn::tensor<T>& logits, std::span<const std::size_t> labels) {
    detail::check_labels(logits, labels, 3, "dlr");
    sample_losses<T> r{std::vector<T>(labels.size()), nn::tensor<T>(logits.shape())};
    std::vector<std::size_t> order;
    for (std::size_t b = 0; b < labels.size(); ++b) {
        const auto z = logits.row(b);
        const auto g = r.gradient.row(b);
        detail::largest(z, 3, order);
        const std::size_t y = labels[b], other = order[0] == y ? order[1] : order[0];
        const T margin = z[y] - z[other], spread = z[order[0]] - z[order[2]] + T(1e-12);
        r.values[b] = -margin / spread;
        g[y] -= T(1) / spread;
        g[other] += T(1) / spread;
        g[order[0]] += margin / (spread * spread);
        g[order[2]] -= margin / (spread * spread);
    }
    return r;
}

// max_{i != wanted} z_i - z_wanted per sample, with sign +1; with sign -1 its negative (the
// targeted margin, wanted = the target).
template <class T>
sample_losses<T> margin(const nn::tensor<T>& logits, std::span<const std::size_t> wanted, T sign = T(1)) {
    detail::check_labels(logits, wanted, 2, "margin");
    sample_losses<T> r{std::vector<T>(wanted.size()), nn::tensor<T>(logits.shape())};
    for (std::size_t b = 0; b < wanted.size(); ++b) {
        const auto z = logits.row(b);
        std::size_t other = wanted[b] == 0 ? 1 : 0;
        for (std::size_t k = 0; k < z.size(); ++k)
            if (k != wanted[b] && z[k] > z[other]) other = k;
        r.values[b] = sign * (z[other] - z[wanted[b]]);
        r.gradient.row(b)[other] += sign, r.gradient.row(b)[wanted[b]] -= sign;
    }
    return r;
}

template <class T>
sample_losses<T> targeted_dlr(const nn::tensor<T>& logits, std::span<const std::size_t> labels, std::span<const std::size_t> targets) {
    detail::check_labels(logits, labels, 4, "targeted dlr");
    detail::check_labels(logits, targets, 4, "targeted dlr");
    sample_losses<T> r{std::vector<T>(labels.size()), nn::tensor<T>(logits.shape())};
    std::vector<std::size_t> order;
    for (std::size_t b = 0; b < labels.size(); ++b) {
        const auto z = logits.row(b);
        const auto g = r.gradient.row(b);
        detail::largest(z, 4, order);
        const std::size_t y = labels[b], t = targets[b];
        const T margin = z[y] - z[t], spread = z[order[0]] - (z[order[2]] + z[order[3]]) / 2 + T(1e-12);
        r.values[b] = -margin / spread;
        g[y] -= T(1) / spread;
        g[t] += T(1) / spread;
        g[order[0]] += margin / (spread * spread);
        g[order[2]] -= margin / (2 * spread * spread);
        g[order[3]] -= margin / (2 * spread * spread);
    }
    return r;
}

// The loss an attack climbs: untargeted when `targets` is empty.
template <class T>
sample_losses<T> loss_of(attack_loss l, const nn::tensor<T>& logits, std::span<const std::size_t> labels,
                         std::span<const std::size_t> targets = {}) {
    if (l == attack_loss::margin) return targets.empty() ? robust::margin(logits, labels) : robust::margin(logits, targets, T(-1));
    if (targets.empty()) return l == attack_loss::cross_entropy ? robust::cross_entropy(logits, labels) : robust::dlr(logits, labels);
    if (l == attack_loss::dlr) return targeted_dlr(logits, labels, targets);
    auto r = robust::cross_entropy(logits, targets);
    for (auto& v : r.values) v = -v;
    for (auto& v : r.gradient.values()) v = -v;
    return r;
}

} // namespace qhybrid::robust
