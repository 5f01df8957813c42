// SPDX-License-Identifier: Apache-2.0
#pragma once
// dropout(p): in training, zeroes each value with probability p and scales the rest by 1/(1-p)
// (inverted dropout, as PyTorch); the identity in evaluation. The mask comes from the layer's own
// seeded generator, or after reseed(key) from the stream of that key.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"

namespace qhybrid::nn {

template <class T>
class dropout : public layer_base<dropout<T>, T> {
public:
    dropout(double p, std::uint64_t seed) : p_(p), seed_(seed), gen_(seed) {
        require(p >= 0 && p < 1, [&] { return "dropout: probability " + number(p) + " is not in [0, 1)"; });
    }
    tensor<T> forward(const tensor<T>& x, mode m) override {
        mask_ = tensor<T>(x.shape(), T(1));
        if (m == mode::train && p_ > 0)
            for (auto& v : mask_.values()) v = gen_.uniform() < p_ ? T(0) : T(1 / (1 - p_));
        tensor<T> y = x;
        for (std::size_t i = 0; i < y.size(); ++i) y[i] *= mask_[i];
        return y;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(mask_, "dropout");
        require(dy.size() == mask_.size(), [] { return std::string("dropout backward: gradient does not match the output"); });
        tensor<T> dx = dy;
        for (std::size_t i = 0; i < dx.size(); ++i) dx[i] *= mask_[i];
        return dx;
    }
    void reseed(std::uint64_t key) override { gen_ = rng::stream(seed_, key); }
    std::string describe() const override { return "dropout(" + std::to_string(p_) + ")"; }

private:
    double p_;
    std::uint64_t seed_;
    rng gen_;
    tensor<T> mask_;
};

} // namespace qhybrid::nn
