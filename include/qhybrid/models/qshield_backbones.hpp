// SPDX-License-Identifier: Apache-2.0
#pragma once
// The classical networks of QShield's MNIST protocol (the authors' notebook):
// - resnet_backbone: the paper's backbone is an ImageNet-pretrained ResNet-18; no pretrained weights
//   can be downloaded here, so a small ResNet-style CNN trained from scratch stands in (stated next
//   to every table):
//     [1, 28, 28]  conv 3x3 (1 -> 16), BN, ReLU; residual[conv 3x3, BN, ReLU, conv 3x3, BN], ReLU; max pool 2
//     [16, 14, 14] conv 3x3 (16 -> 32), BN, ReLU; residual[conv 3x3, BN, ReLU, conv 3x3, BN], ReLU; max pool 2
//     [32, 7, 7]   global average pool, dense(32 -> classes)
// - dnn_baseline: the paper's DNN, 784 -> 512 -> 256 -> 128 -> classes, each hidden layer dense,
//   batch norm, ReLU, dropout 0.2.
// Both give logits (the authors' end in LogSoftmax; cross-entropy on logits is the same loss).
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/batch_norm.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/dropout.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/residual.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <string>

namespace qhybrid::models {

inline constexpr std::size_t mnist_side = 28;

template <class T>
nn::sequential<T> resnet_backbone(std::size_t classes, rng& gen) {
    require(classes >= 2, [&] { return "resnet_backbone: " + std::to_string(classes) + " classes (need 2 or more)"; });
    auto conv3x3 = [](std::size_t in, std::size_t out) { return nn::conv_shape{in, out, 3, 3, 1, 1, 1, 1}; };
    nn::sequential<T> net;
    std::size_t channels = 1;
    for (std::size_t width : {16, 32}) {
        net.template add<nn::conv2d<T>>(conv3x3(channels, width), gen).template add<nn::batch_norm<T>>(width).template add<nn::relu<T>>();
        nn::sequential<T> block;
        block.template add<nn::conv2d<T>>(conv3x3(width, width), gen)
            .template add<nn::batch_norm<T>>(width)
            .template add<nn::relu<T>>()
            .template add<nn::conv2d<T>>(conv3x3(width, width), gen)
            .template add<nn::batch_norm<T>>(width);
        net.template add<nn::residual<T>>(std::move(block)).template add<nn::relu<T>>().template add<nn::max_pool2d<T>>(2);
        channels = width;
    }
    net.template add<nn::global_avg_pool<T>>().template add<nn::dense<T>>(channels, classes, gen);
    return net;
}

template <class T>
nn::sequential<T> dnn_baseline(std::size_t classes, rng& gen, std::uint64_t dropout_seed) {
    require(classes >= 2, [&] { return "dnn_baseline: " + std::to_string(classes) + " classes (need 2 or more)"; });
    nn::sequential<T> net;
    net.template add<nn::flatten<T>>();
    std::size_t in = mnist_side * mnist_side;
    for (std::size_t width : {512, 256, 128}) {
        net.template add<nn::dense<T>>(in, width, gen)
            .template add<nn::batch_norm<T>>(width)
            .template add<nn::relu<T>>()
            .template add<nn::dropout<T>>(0.2, dropout_seed++);
        in = width;
    }
    net.template add<nn::dense<T>>(in, classes, gen);
    return net;
}

} // namespace qhybrid::models
