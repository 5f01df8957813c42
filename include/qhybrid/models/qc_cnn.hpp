// SPDX-License-Identifier: Apache-2.0
#pragma once
// QC-CNN (Thakar et al., ICCCNT 2024): a CNN on log-mel spectrograms whose features, reduced to
// 8 values, pass through an 8-qubit quantum layer, Qiskit's ZZFeatureMap(8, reps 2, full) then
// RealAmplitudes(8, reps 3, reverse_linear), read out as the 8 <Z_i>, into a classical head.
// The baseline is the same network with the quantum layer replaced by a dense layer of the same
// width (8 -> 8, tanh, so both heads see values in [-1, 1]).
//
//   [1, frames, mels] -> 3 x (conv 3x3 padding 1, ReLU, max-pool 2)  (8, 16, 16 channels)
//   -> flatten, dropout -> dense(-> 8), tanh -> quantum layer | dense(8 -> 8), tanh -> dense(8 -> classes)
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/dropout.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/quantum_layer.hpp"
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/quantum/ansatz.hpp"

namespace qhybrid::models {

enum class qc_head { quantum, classical };

using qc_circuit = quantum::compose<quantum::zz_feature_map<8, 2, quantum::entanglement::full>,
                                    quantum::real_amplitudes<8, 3, quantum::entanglement::reverse_linear>>;

struct qc_cnn_shape {
    std::size_t frames, mels, classes;
    double dropout = 0.3;
};

template <class T>
nn::sequential<T> qc_cnn(const qc_cnn_shape& s, qc_head head, rng& gen, std::uint64_t dropout_seed) {
    require(s.frames >= 8 && s.mels >= 8 && s.classes >= 2, [&] {
        return "qc_cnn: spectrograms of " + std::to_string(s.frames) + " x " + std::to_string(s.mels) +
               " (need 8 x 8 at least for three poolings) and " + std::to_string(s.classes) + " classes";
    });
    constexpr std::size_t width = qc_circuit::num_qubits;
    static_assert(qc_circuit::num_inputs == width);
    nn::sequential<T> net;
    std::size_t channels = 1, h = s.frames, w = s.mels;
    for (std::size_t out : {8, 16, 16}) {
        net.template add<nn::conv2d<T>>(nn::conv_shape{channels, out, 3, 3, 1, 1, 1, 1}, gen)
            .template add<nn::relu<T>>()
            .template add<nn::max_pool2d<T>>(2);
        channels = out, h /= 2, w /= 2;
    }
    net.template add<nn::flatten<T>>()
        .template add<nn::dropout<T>>(s.dropout, dropout_seed)
        .template add<nn::dense<T>>(channels * h * w, width, gen)
        .template add<nn::tanh<T>>();
    if (head == qc_head::quantum)
        net.template add<nn::quantum_layer<qc_circuit, T>>(gen);
    else
        net.template add<nn::dense<T>>(width, width, gen).template add<nn::tanh<T>>();
    net.template add<nn::dense<T>>(width, s.classes, gen);
    return net;
}

} // namespace qhybrid::models
