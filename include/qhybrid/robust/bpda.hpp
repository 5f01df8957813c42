// SPDX-License-Identifier: Apache-2.0
#pragma once
// BPDA, the backward pass differentiable approximation (Athalye, Carlini & Wagner, ICML 2018): a
// part of a model without a useful gradient (quantisation, a detached branch, a preprocessing
// step with zero or undefined derivative) runs forward as itself, while the backward pass goes
// through a differentiable surrogate: by default the identity, for parts where f(x) is close to x.
// A model whose gradient attacks fail only because of such a part falls to them again.
//
//   net.add(std::make_unique<robust::bpda<double>>(std::make_unique<quantiser>()));
//
// The part's weights are the layer's, so models load and save as before; training through bpda
// updates the surrogate's gradients, not the part's.
#include "qhybrid/nn/layer.hpp"

#include <memory>

namespace qhybrid::robust {

template <class T>
class bpda : public nn::layer<T> {
public:
    explicit bpda(std::unique_ptr<nn::layer<T>> part, std::unique_ptr<nn::layer<T>> surrogate = nullptr)
        : part_(std::move(part)), surrogate_(std::move(surrogate)) {
        require(part_ != nullptr, [] { return std::string("bpda: no part to wrap"); });
    }
    bpda(const bpda& o) : part_(o.part_->clone()), surrogate_(o.surrogate_ ? o.surrogate_->clone() : nullptr) {}

    nn::tensor<T> forward(const nn::tensor<T>& x, nn::mode m) override {
        nn::tensor<T> y = part_->forward(x, m);
        const nn::shape_t approximated = surrogate_ ? surrogate_->forward(x, m).shape() : x.shape();
        require(approximated == y.shape(), [&] {
            return "bpda: " + part_->describe() + " gives shape " + nn::to_string(y.shape()) + ", its surrogate " +
                   (surrogate_ ? surrogate_->describe() : std::string("(the identity)")) + " " + nn::to_string(approximated);
        });
        in_shape_ = x.shape();
        return y;
    }

    nn::tensor<T> backward(const nn::tensor<T>& dy) override {
        require(!in_shape_.empty(), [] { return std::string("bpda: backward() called before forward()"); });
        return surrogate_ ? surrogate_->backward(dy) : dy.reshaped(in_shape_);
    }

    void reseed(std::uint64_t key) override { part_->reseed(key); }
    std::vector<nn::parameter<T>> parameters() override { return part_->parameters(); }
    std::vector<nn::tensor<T>*> buffers() override { return part_->buffers(); }
    std::string describe() const override { return part_->describe(); } // saved files name the model, not the attack
    std::unique_ptr<nn::layer<T>> clone() const override { return std::make_unique<bpda>(*this); }

private:
    std::unique_ptr<nn::layer<T>> part_, surrogate_;
    nn::shape_t in_shape_;
};

} // namespace qhybrid::robust
