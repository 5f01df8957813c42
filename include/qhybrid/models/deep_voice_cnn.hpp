// SPDX-License-Identifier: Apache-2.0
#pragma once
// The classical network QT-CNN generates: a 1-D CNN over the 26 DEEP-VOICE features (2 conv + 2
// fully connected layers, 2,810 weights, so 12 qubits address them all).
//
//   standardise (fixed scale and offset) -> [1, 26]
//   conv1d(1 -> 8, kernel 3, padding 1), relu, max_pool1d(2)    -> [8, 13]
//   conv1d(8 -> 16, kernel 3, padding 1), relu, max_pool1d(2)   -> [16, 6]
//   flatten, dense(96 -> 24), relu, dense(24 -> 2)              -> logits (REAL, FAKE)
//
// As a classical model it is QT-CNN's baseline, trained the same way.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/feature_scaling.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <span>

namespace qhybrid::models {

struct deep_voice_cnn {
    static constexpr std::size_t features = 26, classes = 2;
    static constexpr std::size_t parameter_count = (8 * 3 + 8) + (16 * 8 * 3 + 16) + (96 * 24 + 24) + (24 * 2 + 2);

    // `scale` and `offset` standardise the raw features (a data::standard_scaler fitted on the
    // training rows); they are buffers, not trained weights.
    template <class T>
    static nn::sequential<T> build(rng& gen, std::span<const double> scale, std::span<const double> offset) {
        nn::sequential<T> net;
        net.template add<nn::feature_scaling<T>>(scale, offset)
            .template add<nn::reshape<T>>(nn::shape_t{1, features})
            .template add<nn::conv1d<T>>(1, 8, 3, 1, 1, gen).template add<nn::relu<T>>().template add<nn::max_pool1d<T>>(2)
            .template add<nn::conv1d<T>>(8, 16, 3, 1, 1, gen).template add<nn::relu<T>>().template add<nn::max_pool1d<T>>(2)
            .template add<nn::flatten<T>>()
            .template add<nn::dense<T>>(96, 24, gen).template add<nn::relu<T>>()
            .template add<nn::dense<T>>(24, classes, gen);
        return net;
    }
};

} // namespace qhybrid::models
