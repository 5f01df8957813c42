// SPDX-License-Identifier: Apache-2.0
#pragma once
// QShield's "enhanced angle" encoding (Azimi et al., arXiv 2604.10933; angle_encoding_enhanced in
// the authors' qnn_toolkit.py): each sample's K backbone logits are z-scored over its own values
// (mean, unbiased standard deviation + 1e-8), projected by a K x 3n matrix P and squashed,
// u = tanh(z P); the circuit then turns wire w by RX(pi u[3w]), RY(pi u[3w+1]), RZ(pi u[3w+2]).
//
// P is 0.1 times the orthonormal factor of the QR factorisation of a K x 3n Gaussian matrix: K
// orthonormal columns, then 3n - K columns of zeros (the authors' reduced QR, padded), so the
// last 3n - K angles are always 0. This Q has R's diagonal positive (Gram-Schmidt), which makes it
// Haar-distributed; LAPACK's Q, torch's, may differ from it by the signs of columns.
//
// The authors draw a fresh P at every forward call, training and test alike
// (projection_draw::per_call, from the layer's own seeded generator); per_model keeps the first.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace qhybrid::models {

enum class projection_draw { per_call, per_model };

// 0.1 Q of a K x width Gaussian matrix A = Q R (K <= width): Q's columns are A's first K columns
// orthonormalised in order (modified Gram-Schmidt), the rest zero. Row-major [K, width].
inline nn::tensor<double> qshield_projection(std::size_t classes, std::size_t width, rng& gen) {
    require(classes >= 2 && classes <= width, [&] {
        return "qshield_projection: " + std::to_string(classes) + " classes onto " + std::to_string(width) +
               " angles (needs 2 <= classes <= angles: the authors' code projects only when there are fewer)";
    });
    nn::tensor<double> a({classes, classes});
    for (auto& v : a.values()) v = gen.normal();
    nn::tensor<double> p({classes, width}, 0.0);
    for (std::size_t j = 0; j < classes; ++j) { // column j of Q from column j of A
        for (std::size_t k = 0; k < j; ++k) {
            double dot = 0;
            for (std::size_t i = 0; i < classes; ++i) dot += a[i * classes + j] * p[i * width + k] / 0.1;
            for (std::size_t i = 0; i < classes; ++i) a[i * classes + j] -= dot * p[i * width + k] / 0.1;
        }
        double norm = 0;
        for (std::size_t i = 0; i < classes; ++i) norm += a[i * classes + j] * a[i * classes + j];
        norm = std::sqrt(norm);
        require(norm > 1e-12, [] { return std::string("qshield_projection: a singular Gaussian draw"); });
        for (std::size_t i = 0; i < classes; ++i) p[i * width + j] = 0.1 * a[i * classes + j] / norm;
    }
    return p;
}

template <class T>
class qshield_encoding : public nn::layer_base<qshield_encoding<T>, T> {
public:
    // `qubits` wires take 3 angles each; the first projection is drawn here.
    qshield_encoding(std::size_t classes, std::size_t qubits, projection_draw draw, std::uint64_t seed)
        : classes_(classes), width_(3 * qubits), draw_(draw), seed_(seed), gen_(seed),
          p_(converted(qshield_projection(classes, 3 * qubits, gen_))) {}

    nn::tensor<T> forward(const nn::tensor<T>& x, nn::mode) override {
        require(x.rank() == 2 && x.dim(1) == classes_, [&] {
            return "qshield_encoding: input of shape " + nn::to_string(x.shape()) + ", expected [batch, " + std::to_string(classes_) + "]";
        });
        if (draw_ == projection_draw::per_call && drawn_) p_ = converted(qshield_projection(classes_, width_, gen_));
        drawn_ = true;
        const std::size_t batch = x.dim(0);
        z_ = nn::tensor<double>({batch, classes_}), sd_.assign(batch, 0);
        u_ = nn::tensor<T>({batch, width_});
        for (std::size_t b = 0; b < batch; ++b) {
            double mean = 0, var = 0;
            for (std::size_t k = 0; k < classes_; ++k) mean += double(x.row(b)[k]);
            mean /= double(classes_);
            for (std::size_t k = 0; k < classes_; ++k) var += (double(x.row(b)[k]) - mean) * (double(x.row(b)[k]) - mean);
            sd_[b] = std::sqrt(var / double(classes_ - 1)) + 1e-8;
            for (std::size_t k = 0; k < classes_; ++k) z_[b * classes_ + k] = (double(x.row(b)[k]) - mean) / sd_[b];
            for (std::size_t j = 0; j < width_; ++j) {
                double s = 0;
                for (std::size_t k = 0; k < classes_; ++k) s += z_[b * classes_ + k] * double(p_[k * width_ + j]);
                u_.row(b)[j] = T(std::tanh(s));
            }
        }
        return u_;
    }

    // Through tanh, P, then the z-score z = (x - m) / s, s = sigma + 1e-8, sigma the unbiased
    // standard deviation: dx_k = (dz_k - mean(dz)) / s - z_k (dz . z) / ((K - 1) sigma).
    nn::tensor<T> backward(const nn::tensor<T>& dy) override {
        nn::require_forward(u_, "qshield_encoding");
        require(dy.shape() == u_.shape(), [&] { return "qshield_encoding backward: gradient of shape " + nn::to_string(dy.shape()); });
        const std::size_t batch = u_.dim(0);
        nn::tensor<T> dx({batch, classes_});
        std::vector<double> dz(classes_);
        for (std::size_t b = 0; b < batch; ++b) {
            for (std::size_t k = 0; k < classes_; ++k) {
                double s = 0;
                for (std::size_t j = 0; j < width_; ++j) {
                    const double u = double(u_.row(b)[j]);
                    s += double(dy.row(b)[j]) * (1 - u * u) * double(p_[k * width_ + j]);
                }
                dz[k] = s;
            }
            const double s = sd_[b], sigma = s - 1e-8;
            double mean_dz = 0, dz_dot_z = 0;
            for (std::size_t k = 0; k < classes_; ++k) mean_dz += dz[k], dz_dot_z += dz[k] * z_[b * classes_ + k];
            mean_dz /= double(classes_);
            const double scale = sigma > 0 ? dz_dot_z / (double(classes_ - 1) * sigma) : 0;
            for (std::size_t k = 0; k < classes_; ++k) dx.row(b)[k] = T((dz[k] - mean_dz) / s - scale * z_[b * classes_ + k]);
        }
        return dx;
    }

    // The next call's projection (redrawn per call) comes from the stream keyed by `key`.
    void reseed(std::uint64_t key) override {
        gen_ = rng::stream(seed_, key);
        drawn_ = true;
    }
    std::string describe() const override {
        return "qshield_encoding(" + std::to_string(classes_) + " -> " + std::to_string(width_) + ", projection " +
               (draw_ == projection_draw::per_call ? "redrawn per call" : "fixed") + ")";
    }

    // The projection is a buffer, saved with the weights: a loaded model uses the one it was trained with.
    std::vector<nn::tensor<T>*> buffers() override { return {&p_}; }
    const nn::tensor<T>& projection() const noexcept { return p_; }
    projection_draw draw() const noexcept { return draw_; }

private:
    static nn::tensor<T> converted(const nn::tensor<double>& p) {
        nn::tensor<T> out(p.shape());
        for (std::size_t i = 0; i < p.size(); ++i) out[i] = T(p[i]);
        return out;
    }

    std::size_t classes_, width_;
    projection_draw draw_;
    std::uint64_t seed_;
    rng gen_;
    nn::tensor<T> p_;
    bool drawn_ = false; // the projection of the first call is the one drawn at construction
    nn::tensor<double> z_;
    std::vector<double> sd_;
    nn::tensor<T> u_;
};

} // namespace qhybrid::models
