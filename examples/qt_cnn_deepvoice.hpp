#pragma once
// What the parts of qt_cnn_deepvoice share: a row of its table as a recipe (build a fresh model
// for one seed's split; get the network it deploys), and the QT models, whose instantiations for
// every block count live in their own files (qt_cnn_deepvoice_circuit.cpp, _rbm.cpp) so the
// example compiles in parallel.
#include <qhybrid/data/scaling.hpp>
#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/qt_cnn.hpp>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace qt_example {

namespace m = qhybrid::models;
namespace nn = qhybrid::nn;

struct candidate {
    std::string name;
    std::size_t deployed; // weights of the network used at inference
    std::function<std::unique_ptr<nn::layer<double>>(qhybrid::rng&, const qhybrid::data::standard_scaler&)> make;
    // QT models: the generated CNN of a trained model (what is deployed). Empty for a classical
    // network, which deploys itself.
    std::function<nn::sequential<double>(nn::layer<double>&)> generated;
};

inline constexpr std::size_t qubits = 12;
inline constexpr std::size_t supported_blocks[] = {1, 12, 24, 48, 96};

// QT-CNN (the circuit) and its classical-generator ablation (the RBM) with `blocks` blocks.
candidate circuit_candidate(std::size_t blocks, const m::qt_options& o);
candidate rbm_candidate(std::size_t blocks, const m::qt_options& o);

template <template <std::size_t, std::size_t, class> class Source, std::size_t Blocks>
candidate qt_candidate(const std::string& prefix, const m::qt_options& o) {
    using model = m::qt_cnn<qubits, Blocks, m::deep_voice_cnn, double, Source>;
    return {prefix + " " + std::to_string(Blocks) + "b", m::deep_voice_cnn::parameter_count,
            [o](qhybrid::rng& gen, const qhybrid::data::standard_scaler& s) -> std::unique_ptr<nn::layer<double>> {
                return std::make_unique<model>(gen, o, std::span(s.scale()), std::span(s.offset()));
            },
            [](nn::layer<double>& trained) { return dynamic_cast<model&>(trained).generated(); }};
}

// The candidate for a run-time block count, one of supported_blocks.
template <template <std::size_t, std::size_t, class> class Source, std::size_t... I>
candidate qt_candidate(std::size_t blocks, const std::string& prefix, const m::qt_options& o, std::index_sequence<I...>) {
    candidate c;
    (void)((blocks == supported_blocks[I] ? (c = qt_candidate<Source, supported_blocks[I]>(prefix, o), true) : false) || ...);
    qhybrid::require(c.make != nullptr, [&] { return "qt_cnn_deepvoice: no QT model with " + std::to_string(blocks) + " blocks"; });
    return c;
}

} // namespace qt_example
