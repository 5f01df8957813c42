// SPDX-License-Identifier: Apache-2.0
#pragma once
// LeNet-5 for 28 x 28 digits, QNAD's MNIST network (the paper names it and gives no variant), in
// the form PyTorch's examples use: conv 5x5 (1 -> 6, padding 2), ReLU, max pool 2; conv 5x5
// (6 -> 16), ReLU, max pool 2; dense 400 -> 120 -> 84 -> classes with ReLU between. Logits out.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <string>

namespace qhybrid::models {

template <class T>
nn::sequential<T> lenet5(std::size_t classes, rng& gen) {
    require(classes >= 2, [&] { return "lenet5: " + std::to_string(classes) + " classes (need 2 or more)"; });
    nn::sequential<T> net;
    net.template add<nn::conv2d<T>>(nn::conv_shape{1, 6, 5, 5, 1, 1, 2, 2}, gen)
        .template add<nn::relu<T>>()
        .template add<nn::max_pool2d<T>>(2) // [6, 14, 14]
        .template add<nn::conv2d<T>>(nn::conv_shape{6, 16, 5, 5}, gen)
        .template add<nn::relu<T>>()
        .template add<nn::max_pool2d<T>>(2) // [16, 5, 5]
        .template add<nn::flatten<T>>()
        .template add<nn::dense<T>>(400, 120, gen)
        .template add<nn::relu<T>>()
        .template add<nn::dense<T>>(120, 84, gen)
        .template add<nn::relu<T>>()
        .template add<nn::dense<T>>(84, classes, gen);
    return net;
}

} // namespace qhybrid::models
