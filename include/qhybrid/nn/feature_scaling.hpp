// SPDX-License-Identifier: Apache-2.0
#pragma once
// feature_scaling(scale, offset): y[b, f] = x[b, f] * scale[f] + offset[f] with fixed (not
// trained) scale and offset, e.g. a data::standard_scaler fitted on the training rows. They are
// the layer's buffers, so save_weights / load_weights keep the preprocessing with the model and
// a loaded model takes raw features.
#include "qhybrid/nn/layer.hpp"

#include <cmath>
#include <span>
#include <vector>

namespace qhybrid::nn {

template <class T>
class feature_scaling : public layer_base<feature_scaling<T>, T> {
public:
    feature_scaling(std::span<const double> scale, std::span<const double> offset)
        : scale_({scale.size()}), offset_({offset.size()}) {
        require(!scale.empty() && scale.size() == offset.size(), [&] {
            return "feature_scaling: " + std::to_string(scale.size()) + " scales and " + std::to_string(offset.size()) +
                   " offsets (need the same positive count)";
        });
        for (std::size_t f = 0; f < scale.size(); ++f) {
            require(std::isfinite(scale[f]) && std::isfinite(offset[f]),
                    [&] { return "feature_scaling: feature " + std::to_string(f) + " has a non-finite scale or offset"; });
            scale_[f] = T(scale[f]), offset_[f] = T(offset[f]);
        }
    }

    tensor<T> forward(const tensor<T>& x, mode) override {
        require(x.rank() == 2 && x.dim(1) == features(), [&] {
            return "feature_scaling: input of shape " + to_string(x.shape()) + ", expected [batch, " +
                   std::to_string(features()) + "]";
        });
        seen_forward_ = true;
        tensor<T> y(x.shape());
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::fma(x[i], scale_[i % features()], offset_[i % features()]);
        return y;
    }

    tensor<T> backward(const tensor<T>& dy) override {
        require(seen_forward_, [] { return std::string("feature_scaling: backward() called before forward()"); });
        tensor<T> dx(dy.shape());
        for (std::size_t i = 0; i < dy.size(); ++i) dx[i] = dy[i] * scale_[i % features()];
        return dx;
    }

    std::vector<tensor<T>*> buffers() override { return {&scale_, &offset_}; }
    std::string describe() const override { return "feature_scaling(" + std::to_string(features()) + ")"; }
    std::size_t features() const noexcept { return scale_.size(); }

private:
    tensor<T> scale_, offset_;
    bool seen_forward_ = false;
};

} // namespace qhybrid::nn
