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
// As a classical model it is QT-CNN's baseline, trained the same way. deep_voice_cnn_of<C1, C2,
// Hidden> is the same architecture with other widths (8, 16, 24 above): the classical networks of
// the same trainable size as a QT-CNN.
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

template <std::size_t C1, std::size_t C2, std::size_t Hidden>
struct deep_voice_cnn_of {
    static_assert(C1 > 0 && C2 > 0 && Hidden > 0, "qhybrid: deep_voice_cnn_of needs positive widths");
    static constexpr std::size_t features = 26, classes = 2;
    static constexpr std::size_t flat = C2 * (features / 2 / 2); // two max pools of 2: 26 -> 13 -> 6
    static constexpr std::size_t parameter_count =
        (C1 * 3 + C1) + (C2 * C1 * 3 + C2) + (flat * Hidden + Hidden) + (Hidden * classes + classes);

    // `scale` and `offset` standardise the raw features (a data::standard_scaler fitted on the
    // training rows); they are buffers, not trained weights.
    template <class T>
    static nn::sequential<T> build(rng& gen, std::span<const double> scale, std::span<const double> offset) {
        nn::sequential<T> net;
        net.template add<nn::feature_scaling<T>>(scale, offset)
            .template add<nn::reshape<T>>(nn::shape_t{1, features})
            .template add<nn::conv1d<T>>(1, C1, 3, 1, 1, gen).template add<nn::relu<T>>().template add<nn::max_pool1d<T>>(2)
            .template add<nn::conv1d<T>>(C1, C2, 3, 1, 1, gen).template add<nn::relu<T>>().template add<nn::max_pool1d<T>>(2)
            .template add<nn::flatten<T>>()
            .template add<nn::dense<T>>(flat, Hidden, gen).template add<nn::relu<T>>()
            .template add<nn::dense<T>>(Hidden, classes, gen);
        return net;
    }
};

using deep_voice_cnn = deep_voice_cnn_of<8, 16, 24>;

} // namespace qhybrid::models
