// SPDX-License-Identifier: Apache-2.0
#pragma once
// batch_norm(features): normalizes each feature of [batch, features] or each channel of
// [batch, channels, ...] with the minibatch's mean and (biased) variance in training, and with
// running estimates in evaluation, then scales by gamma and shifts by beta. As PyTorch: eps 1e-5,
// momentum 0.1, running variance updated with the unbiased estimate.
#include "qhybrid/nn/layer.hpp"

#include <cmath>

namespace qhybrid::nn {

template <class T>
class batch_norm : public layer_base<batch_norm<T>, T> {
public:
    explicit batch_norm(std::size_t features, double eps = 1e-5, double momentum = 0.1)
        : gamma_({features}, T(1)), beta_({features}), dgamma_({features}), dbeta_({features}),
          mean_({features}), var_({features}, T(1)), eps_(eps), momentum_(momentum) {
        require(features > 0, [] { return std::string("batch_norm: no features"); });
    }

    tensor<T> forward(const tensor<T>& x, mode m) override {
        require(x.rank() >= 2 && x.dim(1) == features(), [&] {
            return "batch_norm: input of shape " + to_string(x.shape()) + ", expected [batch, " +
                   std::to_string(features()) + ", ...]";
        });
        const std::size_t batch = x.dim(0), area = x.row_size() / features(), count = batch * area;
        mode_ = m;
        in_shape_ = x.shape();
        xhat_ = tensor<T>(x.shape());
        inv_std_.assign(features(), T(0));
        tensor<T> y(x.shape());
        for (std::size_t f = 0; f < features(); ++f) {
            T mean = mean_[f], var = var_[f];
            if (m == mode::train) {
                require(count > 1, [] { return std::string("batch_norm: training needs more than one value per feature"); });
                T sum = 0, sq = 0;
                for_each(batch, area, f, [&](std::size_t i) { sum += x[i]; });
                mean = sum / T(count);
                for_each(batch, area, f, [&](std::size_t i) { sq += (x[i] - mean) * (x[i] - mean); });
                var = sq / T(count);
                mean_[f] = T((1 - momentum_) * mean_[f] + momentum_ * mean);
                var_[f] = T((1 - momentum_) * var_[f] + momentum_ * var * T(count) / T(count - 1));
            }
            inv_std_[f] = T(1) / std::sqrt(var + T(eps_));
            for_each(batch, area, f, [&](std::size_t i) {
                xhat_[i] = (x[i] - mean) * inv_std_[f];
                y[i] = gamma_[f] * xhat_[i] + beta_[f];
            });
        }
        return y;
    }

    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(xhat_, "batch_norm");
        require(dy.size() == xhat_.size(), [] { return std::string("batch_norm backward: gradient does not match the output"); });
        const std::size_t batch = in_shape_[0], area = xhat_.row_size() / features(), count = batch * area;
        tensor<T> dx(in_shape_);
        for (std::size_t f = 0; f < features(); ++f) {
            T sum_dy = 0, sum_dy_xhat = 0;
            for_each(batch, area, f, [&](std::size_t i) {
                sum_dy += dy[i];
                sum_dy_xhat += dy[i] * xhat_[i];
            });
            dgamma_[f] += sum_dy_xhat;
            dbeta_[f] += sum_dy;
            const T k = gamma_[f] * inv_std_[f];
            if (mode_ == mode::train) // the batch statistics depend on x too
                for_each(batch, area, f, [&](std::size_t i) {
                    dx[i] = k * (dy[i] - sum_dy / T(count) - xhat_[i] * sum_dy_xhat / T(count));
                });
            else
                for_each(batch, area, f, [&](std::size_t i) { dx[i] = k * dy[i]; });
        }
        return dx;
    }

    std::size_t features() const noexcept { return gamma_.size(); }
    std::vector<parameter<T>> parameters() override { return {{"gamma", &gamma_, &dgamma_}, {"beta", &beta_, &dbeta_}}; }
    std::vector<tensor<T>*> buffers() override { return {&mean_, &var_}; }
    std::string describe() const override { return "batch_norm(" + std::to_string(features()) + ")"; }

private:
    // Calls f(index) for every value of feature f.
    template <class F>
    void for_each(std::size_t batch, std::size_t area, std::size_t f, F&& fn) const {
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t k = 0; k < area; ++k) fn((b * features() + f) * area + k);
    }

    tensor<T> gamma_, beta_, dgamma_, dbeta_, mean_, var_, xhat_;
    std::vector<T> inv_std_;
    shape_t in_shape_;
    double eps_, momentum_;
    mode mode_ = mode::train;
};

} // namespace qhybrid::nn
