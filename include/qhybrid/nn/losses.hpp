// SPDX-License-Identifier: Apache-2.0
#pragma once
// Losses, each the mean over the minibatch, returned with their gradient with respect to the
// model's output:
// - cross_entropy(logits [batch, classes], labels) and with soft labels [batch, classes];
// - binary_cross_entropy_with_logits(logits, targets) and binary_cross_entropy(probabilities,
//   targets) (logs clamped at -100, as PyTorch);
// - entropy(logits): the mean entropy of the predicted distribution (used to unlearn).
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/tensor.hpp"

#include <cmath>
#include <span>

namespace qhybrid::nn {

template <class T>
struct loss_result {
    T value;
    tensor<T> grad;
};

namespace detail {
template <class T>
std::size_t check_logits(const tensor<T>& logits, const char* who) {
    require(logits.rank() == 2 && logits.dim(0) > 0 && logits.dim(1) > 0, [&] {
        return std::string(who) + ": logits of shape " + to_string(logits.shape()) + ", expected [batch, classes]";
    });
    return logits.dim(1);
}
} // namespace detail

template <class T>
loss_result<T> cross_entropy(const tensor<T>& logits, std::span<const std::size_t> labels) {
    const std::size_t classes = detail::check_logits(logits, "cross_entropy"), batch = logits.dim(0);
    require(labels.size() == batch, [&] {
        return "cross_entropy: " + std::to_string(labels.size()) + " labels for a batch of " + std::to_string(batch);
    });
    loss_result<T> r{T(0), tensor<T>(logits.shape())};
    softmax_rows<T>(logits.values(), classes, r.grad.values(), true);
    for (std::size_t b = 0; b < batch; ++b) {
        require(labels[b] < classes, [&] {
            return "cross_entropy: label " + std::to_string(labels[b]) + " of row " + std::to_string(b) + " is not below " +
                   std::to_string(classes) + " classes";
        });
        T* g = r.grad.data() + b * classes;
        r.value -= g[labels[b]];
        for (std::size_t k = 0; k < classes; ++k) g[k] = (std::exp(g[k]) - (k == labels[b] ? T(1) : T(0))) / T(batch);
    }
    r.value /= T(batch);
    return r;
}

template <class T>
loss_result<T> cross_entropy(const tensor<T>& logits, const tensor<T>& targets) {
    const std::size_t classes = detail::check_logits(logits, "cross_entropy"), batch = logits.dim(0);
    require(targets.shape() == logits.shape(), [&] {
        return "cross_entropy: soft labels of shape " + to_string(targets.shape()) + " for logits of shape " + to_string(logits.shape());
    });
    loss_result<T> r{T(0), tensor<T>(logits.shape())};
    softmax_rows<T>(logits.values(), classes, r.grad.values(), true);
    for (std::size_t b = 0; b < batch; ++b) {
        T* g = r.grad.data() + b * classes;
        const T* t = targets.data() + b * classes;
        T mass = 0;
        for (std::size_t k = 0; k < classes; ++k) r.value -= t[k] * g[k], mass += t[k];
        for (std::size_t k = 0; k < classes; ++k) g[k] = (mass * std::exp(g[k]) - t[k]) / T(batch);
    }
    r.value /= T(batch);
    return r;
}

template <class T>
loss_result<T> binary_cross_entropy_with_logits(const tensor<T>& logits, std::span<const T> targets) {
    require(logits.size() == targets.size() && logits.size() > 0, [&] {
        return "binary_cross_entropy: " + std::to_string(targets.size()) + " targets for " + std::to_string(logits.size()) + " outputs";
    });
    loss_result<T> r{T(0), tensor<T>(logits.shape())};
    const T n = T(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const T z = logits[i], t = targets[i];
        // log(1 + e^-|z|) + max(z, 0) - z t, stable for any z
        r.value += std::log1p(std::exp(-std::abs(z))) + std::max(z, T(0)) - z * t;
        r.grad[i] = (detail::sigmoid_f{}.value(z) - t) / n;
    }
    r.value /= n;
    return r;
}

template <class T>
loss_result<T> binary_cross_entropy(const tensor<T>& probabilities, std::span<const T> targets) {
    require(probabilities.size() == targets.size() && probabilities.size() > 0, [&] {
        return "binary_cross_entropy: " + std::to_string(targets.size()) + " targets for " +
               std::to_string(probabilities.size()) + " outputs";
    });
    loss_result<T> r{T(0), tensor<T>(probabilities.shape())};
    const T n = T(probabilities.size()), floor = T(-100);
    for (std::size_t i = 0; i < probabilities.size(); ++i) {
        const T p = probabilities[i], t = targets[i];
        require(p >= 0 && p <= 1, [&] { return "binary_cross_entropy: output " + std::to_string(i) + " is not a probability"; });
        const T lp = std::max(std::log(p), floor), lq = std::max(std::log1p(-p), floor);
        r.value -= t * lp + (1 - t) * lq;
        // zero where the clamp holds the log constant
        r.grad[i] = ((lq > floor ? (1 - t) / (1 - p) : T(0)) - (lp > floor ? t / p : T(0))) / n;
    }
    r.value /= n;
    return r;
}

template <class T>
loss_result<T> entropy(const tensor<T>& logits) {
    const std::size_t classes = detail::check_logits(logits, "entropy"), batch = logits.dim(0);
    loss_result<T> r{T(0), tensor<T>(logits.shape())};
    softmax_rows<T>(logits.values(), classes, r.grad.values(), true);
    for (std::size_t b = 0; b < batch; ++b) {
        T* g = r.grad.data() + b * classes;
        T h = 0;
        for (std::size_t k = 0; k < classes; ++k) h -= std::exp(g[k]) * g[k];
        for (std::size_t k = 0; k < classes; ++k) g[k] = -std::exp(g[k]) * (g[k] + h) / T(batch);
        r.value += h;
    }
    r.value /= T(batch);
    return r;
}

} // namespace qhybrid::nn
