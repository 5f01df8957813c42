// SPDX-License-Identifier: Apache-2.0
#pragma once
// A linear probe: does a network's representation still tell the forgotten speaker (or accent)
// apart once its output no longer names them? The probe is a logistic regression on the features
// the network's last layer reads; its balanced accuracy on held-out recordings (the mean of the
// recall of each side, so that answering "not F" always scores 0.5) is compared with the same
// probe on the network retrained without them, which never saw them but may still separate them.
//
// The fit is exact, not a training run whose length would decide the answer: features are
// standardised by the fitting rows' mean and deviation, each side weighs one half, and
//   f(w, b) = sum_i c_i log(1 + exp(-s_i (x_i . w + b))) + (l2 / 2) |w|^2
// is minimised by Newton's method with backtracking until the decrease the next step predicts
// (half Newton's decrement, g^T H^-1 g / 2) is below `tolerance`, beneath the rounding of f
// itself (f is strictly convex for l2 > 0, so the minimum is unique).
#include "qhybrid/core/error.hpp"
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/nn/train.hpp"
#include "qhybrid/unlearn/class_set.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

// The rows the network's last `drop` layers read, in evaluation mode: for models::fsdd_cnn and
// drop = 1, the 64 features after the last ReLU.
template <class T>
nn::tensor<T> penultimate(nn::sequential<T>& net, const nn::tensor<T>& x, std::size_t drop = 1) {
    require(drop < net.size(), [&] { return "penultimate: dropping " + std::to_string(drop) + " of " + std::to_string(net.size()) + " layers"; });
    return nn::in_row_blocks(x, 32, [&](nn::tensor<T> h) {
        for (std::size_t i = 0; i + drop < net.size(); ++i) h = net[i].forward(h, nn::mode::eval);
        return h;
    });
}

struct probe_options {
    double l2 = 1e-2;          // on the standardised weights, not the bias
    std::size_t max_iterations = 100;
    double tolerance = 1e-20;  // on the predicted decrease of f
};

class logistic_probe {
public:
    // Fits the probe to rows of x (any rank, one row per leading index): is a row's label one of `target`?
    template <class T>
    logistic_probe(const nn::tensor<T>& x, std::span<const std::size_t> labels, const class_set& target, const probe_options& o = {}) {
        const std::size_t n = x.dim(0), d = x.row_size();
        std::size_t n_pos = 0;
        for (std::size_t y : labels) n_pos += target.contains(y);
        require(labels.size() == n && n_pos > 0 && n_pos < n && o.l2 > 0, [&] {
            return "logistic_probe: " + std::to_string(n) + " rows, " + std::to_string(labels.size()) + " labels, " +
                   std::to_string(n_pos) + " positive, l2 " + number(o.l2) + " (needs both sides and l2 > 0)";
        });
        mean_.assign(d, 0), scale_.assign(d, 0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < d; ++j) mean_[j] += double(x.row(i)[j]) / double(n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < d; ++j) scale_[j] += std::pow(double(x.row(i)[j]) - mean_[j], 2) / double(n);
        for (double& s : scale_) s = s > 0 ? 1 / std::sqrt(s) : 1; // a constant feature stays 0
        std::vector<double> z(n * (d + 1)), c(n), s(n);                // standardised rows with a 1 for the bias
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < d; ++j) z[i * (d + 1) + j] = (double(x.row(i)[j]) - mean_[j]) * scale_[j];
            z[i * (d + 1) + d] = 1;
            const bool positive = target.contains(labels[i]);
            c[i] = 0.5 / double(positive ? n_pos : n - n_pos), s[i] = positive ? 1 : -1;
        }
        fit(z, c, s, d + 1, o);
    }

    // x . w + b of a row: positive means the probe says "F".
    template <class T>
    double decision(std::span<const T> row) const {
        require(row.size() == mean_.size(), [&] { return "logistic_probe: a row of " + std::to_string(row.size()) + " features, fitted on " + std::to_string(mean_.size()); });
        double v = w_.back();
        for (std::size_t j = 0; j < mean_.size(); ++j) v += (double(row[j]) - mean_[j]) * scale_[j] * w_[j];
        return v;
    }

    // The mean of the recall of the rows labelled in `target` and of the others.
    template <class T>
    double balanced_accuracy(const nn::tensor<T>& x, std::span<const std::size_t> labels, const class_set& target) const {
        require(labels.size() == x.dim(0), [&] { return "logistic_probe: " + std::to_string(x.dim(0)) + " rows, " + std::to_string(labels.size()) + " labels"; });
        double right[2] = {0, 0}, count[2] = {0, 0};
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const bool positive = target.contains(labels[i]);
            count[positive] += 1;
            right[positive] += (decision(x.row(i)) > 0) == positive;
        }
        require(count[0] > 0 && count[1] > 0, [&] { return "logistic_probe: " + number(count[1]) + " positive and " + number(count[0]) + " negative rows (needs both)"; });
        return 0.5 * (right[0] / count[0] + right[1] / count[1]);
    }

    // The standardised weights, then the bias; and the gradient's largest entry at them.
    const std::vector<double>& coefficients() const noexcept { return w_; }
    double gradient_norm() const noexcept { return gradient_norm_; }
    std::size_t iterations() const noexcept { return iterations_; }

private:
    // Newton's method on f; p = d + 1 coefficients, the last the unpenalised bias.
    void fit(const std::vector<double>& z, const std::vector<double>& c, const std::vector<double>& s, std::size_t p, const probe_options& o) {
        const std::size_t n = c.size();
        w_.assign(p, 0);
        const auto objective = [&](const std::vector<double>& w) {
            double f = 0;
            for (std::size_t i = 0; i < n; ++i) {
                double m = 0;
                for (std::size_t j = 0; j < p; ++j) m += z[i * p + j] * w[j];
                f += c[i] * (std::log1p(std::exp(-std::abs(s[i] * m))) + std::max(-s[i] * m, 0.0));
            }
            for (std::size_t j = 0; j + 1 < p; ++j) f += 0.5 * o.l2 * w[j] * w[j];
            return f;
        };
        std::vector<double> g(p), h(p * p), step(p), trial(p);
        double f = objective(w_);
        for (iterations_ = 0;; ++iterations_) {
            std::fill(g.begin(), g.end(), 0.0), std::fill(h.begin(), h.end(), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                double m = 0;
                for (std::size_t j = 0; j < p; ++j) m += z[i * p + j] * w_[j];
                const double q = 1 / (1 + std::exp(s[i] * m)); // sigma(-s m): minus the loss's slope along s
                const double curvature = c[i] * q * (1 - q);
                for (std::size_t j = 0; j < p; ++j) {
                    g[j] -= c[i] * s[i] * q * z[i * p + j];
                    for (std::size_t k = 0; k <= j; ++k) h[j * p + k] += curvature * z[i * p + j] * z[i * p + k];
                }
            }
            for (std::size_t j = 0; j + 1 < p; ++j) g[j] += o.l2 * w_[j], h[j * p + j] += o.l2;
            h[p * p - 1] += 1e-12; // the bias's curvature vanishes only where every row is certain
            gradient_norm_ = 0;
            for (double v : g) gradient_norm_ = std::max(gradient_norm_, std::abs(v));
            solve_spd(h, g, step, p);
            double t = 1, slope = 0;
            for (std::size_t j = 0; j < p; ++j) slope -= g[j] * step[j];
            if (-slope / 2 < o.tolerance) return;
            require(iterations_ < o.max_iterations, [&] {
                return "logistic_probe: the step would still lower f by " + number(-slope / 2) + " after " + std::to_string(o.max_iterations) +
                       " Newton steps (gradient " + number(gradient_norm_) + ")";
            });
            for (;; t *= 0.5) { // Armijo backtracking, allowing for f's rounding; H > 0, so the step descends
                for (std::size_t j = 0; j < p; ++j) trial[j] = w_[j] - t * step[j];
                const double ft = objective(trial);
                if (ft <= f + 1e-4 * t * slope + 1e-15 * std::abs(f) || t < 1e-12) {
                    f = ft;
                    break;
                }
            }
            w_ = trial;
        }
    }

    // x = A^-1 b for the symmetric positive definite A whose lower triangle is given (Cholesky).
    static void solve_spd(std::vector<double> a, const std::vector<double>& b, std::vector<double>& x, std::size_t p) {
        for (std::size_t j = 0; j < p; ++j) {
            for (std::size_t k = 0; k < j; ++k) a[j * p + j] -= a[j * p + k] * a[j * p + k];
            require(a[j * p + j] > 0, [&] { return "logistic_probe: the Hessian is not positive definite at pivot " + std::to_string(j); });
            a[j * p + j] = std::sqrt(a[j * p + j]);
            for (std::size_t i = j + 1; i < p; ++i) {
                for (std::size_t k = 0; k < j; ++k) a[i * p + j] -= a[i * p + k] * a[j * p + k];
                a[i * p + j] /= a[j * p + j];
            }
        }
        for (std::size_t i = 0; i < p; ++i) { // L y = b
            double v = b[i];
            for (std::size_t k = 0; k < i; ++k) v -= a[i * p + k] * x[k];
            x[i] = v / a[i * p + i];
        }
        for (std::size_t i = p; i-- > 0;) { // L^T x = y
            double v = x[i];
            for (std::size_t k = i + 1; k < p; ++k) v -= a[k * p + i] * x[k];
            x[i] = v / a[i * p + i];
        }
    }

    std::vector<double> mean_, scale_, w_;
    double gradient_norm_ = 0;
    std::size_t iterations_ = 0;
};

} // namespace qhybrid::unlearn
