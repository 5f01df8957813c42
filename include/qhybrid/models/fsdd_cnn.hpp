// SPDX-License-Identifier: Apache-2.0
#pragma once
// The classical spectrogram CNN of examples/fsdd_cnn.cpp, also what benchmarks/bench_nn.cpp and
// benchmarks/fsdd_cnn_torch.py time (PyTorch's twin of the same network):
//
//   [1, 63, 40] log-mels
//   conv2d(1 -> 16, 3x3, padding 1), relu, max_pool2d(2)    -> [16, 31, 20]
//   conv2d(16 -> 16, 3x3, padding 1), relu, max_pool2d(2)   -> [16, 15, 10]
//   conv2d(16 -> 32, 3x3, padding 1), relu, max_pool2d(2)   -> [32, 7, 5]
//   flatten, dropout(0.3), dense(1120 -> 64), relu, dense(64 -> classes)
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/dropout.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <string>

namespace qhybrid::models {

struct fsdd_cnn {
    static constexpr std::size_t frames = 63, mels = 40;

    template <class T>
    static nn::sequential<T> build(std::size_t classes, rng& gen, std::uint64_t dropout_seed) {
        require(classes >= 2, [&] { return "fsdd_cnn: " + std::to_string(classes) + " classes (need 2 or more)"; });
        nn::sequential<T> net;
        std::size_t channels = 1;
        for (std::size_t out : {16, 16, 32}) {
            net.template add<nn::conv2d<T>>(nn::conv_shape{channels, out, 3, 3, 1, 1, 1, 1}, gen)
                .template add<nn::relu<T>>()
                .template add<nn::max_pool2d<T>>(2);
            channels = out;
        }
        net.template add<nn::flatten<T>>()
            .template add<nn::dropout<T>>(0.3, dropout_seed)
            .template add<nn::dense<T>>(channels * (frames / 8) * (mels / 8), 64, gen)
            .template add<nn::relu<T>>()
            .template add<nn::dense<T>>(64, classes, gen);
        return net;
    }
};

} // namespace qhybrid::models
