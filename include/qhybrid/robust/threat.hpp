// SPDX-License-Identifier: Apache-2.0
#pragma once
// A threat model: how far an attacker may move an input. The perturbation lies in an L-inf or L2
// ball of radius epsilon around the clean input, and the adversarial input in the box [lo, hi]
// of valid inputs (pixels in [0, 1], samples in [-1, 1]). Each attack step moves along the
// steepest ascent direction of its norm (the gradient's sign for L-inf, the gradient over its
// length for L2) and is projected back: onto the ball, then onto the box (for L2 the two
// projections do not commute; this order, the one torchattacks and advertorch use, keeps the box
// exact and the norm at most epsilon).
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

namespace qhybrid::robust {

enum class norm { linf, l2 };

inline const char* to_string(norm p) { return p == norm::linf ? "Linf" : "L2"; }

struct threat {
    norm p = norm::linf;
    double epsilon = 0;
    double lo = 0, hi = 1; // the box of valid inputs

    void check() const {
        require(std::isfinite(epsilon) && epsilon >= 0, [&] { return "threat: epsilon " + number(epsilon) + " is not a finite value >= 0"; });
        require(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
                [&] { return "threat: the box [" + number(lo) + ", " + number(hi) + "] is empty or not finite"; });
    }

    // x + step * (steepest ascent direction of `grad`); a zero gradient does not move.
    template <class T>
    void ascend(std::span<T> x, std::span<const T> grad, double step) const {
        if (p == norm::linf) {
            for (std::size_t i = 0; i < x.size(); ++i) x[i] += T(step) * T((grad[i] > 0) - (grad[i] < 0));
            return;
        }
        const double length = l2_norm(grad);
        if (length == 0) return;
        for (std::size_t i = 0; i < x.size(); ++i) x[i] += T(step * double(grad[i]) / length);
    }

    // x onto the ball around `clean`, then onto the box.
    template <class T>
    void project(std::span<T> x, std::span<const T> clean) const {
        if (p == norm::linf)
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::clamp(x[i], T(clean[i] - epsilon), T(clean[i] + epsilon));
        else {
            double length = 0;
            for (std::size_t i = 0; i < x.size(); ++i) length += double(x[i] - clean[i]) * double(x[i] - clean[i]);
            length = std::sqrt(length);
            if (length > epsilon) {
                const double scale = epsilon / length;
                for (std::size_t i = 0; i < x.size(); ++i) x[i] = T(clean[i] + scale * double(x[i] - clean[i]));
            }
        }
        for (auto& v : x) v = std::clamp(v, T(lo), T(hi));
    }

    // A uniform draw from the ball (L-inf: each coordinate; L2: direction and radius, as Madry et
    // al.'s random start), then onto the box.
    template <class T>
    void random_start(std::span<T> x, std::span<const T> clean, rng& gen) const {
        if (p == norm::linf)
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = T(clean[i] + gen.uniform(-epsilon, epsilon));
        else {
            for (auto& v : x) v = T(gen.normal());
            const double length = l2_norm(std::span<const T>(x)),
                         radius = epsilon * std::pow(gen.uniform(), 1.0 / double(x.size())); // uniform in the ball's volume
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = T(clean[i] + (length > 0 ? radius * double(x[i]) / length : 0.0));
        }
        for (auto& v : x) v = std::clamp(v, T(lo), T(hi));
    }

    template <class T>
    static double l2_norm(std::span<const T> v) {
        double sum = 0;
        for (T a : v) sum += double(a) * double(a);
        return std::sqrt(sum);
    }
};

} // namespace qhybrid::robust
