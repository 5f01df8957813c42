// SPDX-License-Identifier: Apache-2.0
#pragma once
// residual(inner): y = x + inner(x), a ResNet block's skip connection (He et al. 2016); inner
// must keep the shape. backward: dx = dy + inner.backward(dy).
//
//   nn::sequential<double> block;
//   block.add<nn::conv2d<double>>(nn::conv_shape{16, 16, 3, 3, 1, 1, 1, 1}, gen).add<nn::batch_norm<double>>(16) ...;
//   net.add<nn::residual<double>>(std::move(block)).add<nn::relu<double>>();
#include "qhybrid/core/error.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <string>
#include <utility>

namespace qhybrid::nn {

template <class T>
class residual : public layer_base<residual<T>, T> {
public:
    explicit residual(sequential<T> inner) : inner_(std::move(inner)) {}

    tensor<T> forward(const tensor<T>& x, mode m) override {
        tensor<T> y = inner_.forward(x, m);
        require(y.shape() == x.shape(), [&] {
            return "residual: the inner layers turn " + to_string(x.shape()) + " into " + to_string(y.shape()) + "; a skip needs the same shape";
        });
        for (std::size_t i = 0; i < y.size(); ++i) y[i] += x[i];
        return y;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        tensor<T> dx = inner_.backward(dy);
        for (std::size_t i = 0; i < dx.size(); ++i) dx[i] += dy[i];
        return dx;
    }
    void reseed(std::uint64_t key) override { inner_.reseed(key); }
    std::vector<parameter<T>> parameters() override { return inner_.parameters(); }
    std::vector<tensor<T>*> buffers() override { return inner_.buffers(); }
    std::string describe() const override { return "residual(" + inner_.describe() + ")"; }

private:
    sequential<T> inner_;
};

} // namespace qhybrid::nn
