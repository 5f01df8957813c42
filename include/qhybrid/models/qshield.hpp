// SPDX-License-Identifier: Apache-2.0
#pragma once
// QShield (Azimi et al., arXiv 2604.10933; the authors' code n-azimi/QShield, qnn_toolkit.py): a
// backbone classifier's K logits c are encoded on N noisy qubits (qshield_encoding.hpp: z-score,
// random projection, pi tanh into RX, RY, RZ of each wire), entangled by one layer of CNOTs
// (pattern: none, linear, circular, full, star), hit on every wire by the `mixed` noise, and read
// as the 2^N basis-state probabilities, of which the first K are the quantum head q; a fusion
// MLP weighs the two heads per sample (qshield_fusion.hpp). The output is log h, [batch, K].
//
// Conventions kept from the authors' PennyLane code:
// - wire 0 is the most significant bit of a basis state's index (qml.probs), so q[k] is the
//   probability of qhybrid's index bit-reversed k (qhybrid's qubit 0 is the least significant);
// - the noise follows the entangling layer on every wire: PennyLane's DepolarizingChannel(0.4 s)
//   (Qiskit's depolarizing_error(4/3 0.4 s)), AmplitudeDamping(0.3 s), PhaseDamping(0.3 s);
// - N = max(2, ceil(log2 K)) qubits (qshield_qubits); the patterns are the authors' (linear
//   i -> i+1, full i -> j for i < j, star 0 -> j), circular is Qiskit's (the pair (N-1, 0) first)
//   since the authors' code lists it as a to-do.
// Two variants: `faithful`, as the authors' code runs it (the quantum branch detached: no
// gradient reaches the backbone through it; the projection redrawn at every call), and
// `differentiable` (gradients through the noisy module by the adjoint method on density matrices;
// the projection fixed per model unless asked otherwise, then attack it with EOT).
#include "qhybrid/models/qshield_encoding.hpp"
#include "qhybrid/models/qshield_fusion.hpp"
#include "qhybrid/nn/quantum_layer.hpp"
#include "qhybrid/quantum/ansatz.hpp"
#include "qhybrid/quantum/noise.hpp"

#include <bit>
#include <memory>
#include <numbers>
#include <utility>

namespace qhybrid::models {

enum class qshield_pattern { none, linear, circular, full, star };
enum class qshield_variant { faithful, differentiable };

inline const char* to_string(qshield_pattern p) {
    switch (p) {
    case qshield_pattern::none: return "none";
    case qshield_pattern::linear: return "linear";
    case qshield_pattern::circular: return "circular";
    case qshield_pattern::full: return "full";
    case qshield_pattern::star: return "star";
    }
    return "?";
}

// The authors' qubit count for K classes.
constexpr std::size_t qshield_qubits(std::size_t classes) {
    return std::max<std::size_t>(2, std::bit_width(classes - 1));
}
static_assert(qshield_qubits(10) == 4 && qshield_qubits(11) == 4 && qshield_qubits(2) == 2 && qshield_qubits(5) == 3);

// QShield's `mixed` noise of strength s in qhybrid's channels (Qiskit's depolarizing parameter).
inline quantum::mixed qshield_noise(double strength) {
    return quantum::mixed(strength, quantum::noise_sites::barriers, {0.4 * 4.0 / 3.0, 0.3, 0.3});
}

namespace detail {

template <quantum::qubit W>
using qshield_turn = quantum::circuit<quantum::rx<W, quantum::input<3 * W, std::numbers::pi>>,
                                      quantum::ry<W, quantum::input<3 * W + 1, std::numbers::pi>>,
                                      quantum::rz<W, quantum::input<3 * W + 2, std::numbers::pi>>>;
template <class Seq>
struct qshield_turns;
template <std::size_t... W>
struct qshield_turns<std::index_sequence<W...>> {
    using type = quantum::compose<qshield_turn<quantum::qubit(W)>...>;
};

template <std::size_t N, qshield_pattern P>
struct qshield_entangler {
    static constexpr auto e = P == qshield_pattern::linear     ? quantum::entanglement::linear
                              : P == qshield_pattern::circular ? quantum::entanglement::circular
                              : P == qshield_pattern::star     ? quantum::entanglement::star
                                                               : quantum::entanglement::full;
    using type = quantum::entangling_layer<N, e>;
};
template <std::size_t N>
struct qshield_entangler<N, qshield_pattern::none> {
    using type = quantum::circuit<>;
};

} // namespace detail

// The module's circuit: RX, RY, RZ of pi times inputs 3w..3w+2 on wire w, the entangling layer,
// and a barrier on every wire where the noise acts.
template <std::size_t N, qshield_pattern P>
using qshield_circuit = quantum::compose<typename detail::qshield_turns<std::make_index_sequence<N>>::type,
                                         typename detail::qshield_entangler<N, P>::type,
                                         quantum::circuit<quantum::barrier<(std::uint64_t{1} << N) - 1>>>;

struct qshield_options {
    qshield_variant variant = qshield_variant::faithful;
    projection_draw projection = projection_draw::per_call;
    double noise = 0.005;   // the `mixed` strength
    std::uint64_t seed = 1; // of the projections
};

template <std::size_t N, qshield_pattern P = qshield_pattern::full>
class qshield : public nn::layer<double> {
    using module = nn::quantum_layer<qshield_circuit<N, P>, double, quantum::mixed, nn::probability_readout>;

public:
    // `backbone` maps the inputs to `classes` logits.
    qshield(std::unique_ptr<nn::layer<double>> backbone, std::size_t classes, const qshield_options& o, rng& gen)
        : backbone_(std::move(backbone)), classes_(checked(classes)), o_(o), encoding_(classes, N, o.projection, o.seed),
          module_(qshield_noise(o.noise), gen), fusion_(classes, gen) {}

    qshield(const qshield& other)
        : backbone_(other.backbone_->clone()), classes_(other.classes_), o_(other.o_), encoding_(other.encoding_),
          module_(other.module_), fusion_(other.fusion_) {}

    nn::tensor<double> forward(const nn::tensor<double>& x, nn::mode m) override {
        const nn::tensor<double> c = backbone_->forward(x, m);
        require(c.rank() == 2 && c.dim(1) == classes_, [&] {
            return "qshield: the backbone gives logits of shape " + nn::to_string(c.shape()) + ", expected [batch, " +
                   std::to_string(classes_) + "]";
        });
        const nn::tensor<double> probabilities = module_.forward(encoding_.forward(c, m), m);
        nn::tensor<double> q({c.dim(0), classes_});
        for (std::size_t b = 0; b < c.dim(0); ++b)
            for (std::size_t k = 0; k < classes_; ++k) q.row(b)[k] = probabilities.row(b)[wire_order(k)];
        return fusion_.forward(c, q, m);
    }

    nn::tensor<double> backward(const nn::tensor<double>& dy) override {
        auto [dc, dq] = fusion_.backward(dy);
        if (o_.variant == qshield_variant::differentiable) {
            nn::tensor<double> dprobabilities({dq.dim(0), std::size_t{1} << N}, 0.0);
            for (std::size_t b = 0; b < dq.dim(0); ++b)
                for (std::size_t k = 0; k < classes_; ++k) dprobabilities.row(b)[wire_order(k)] = dq.row(b)[k];
            const nn::tensor<double> dthrough = encoding_.backward(module_.backward(dprobabilities));
            for (std::size_t i = 0; i < dc.size(); ++i) dc[i] += dthrough[i];
        }
        return backbone_->backward(dc);
    }

    void reseed(std::uint64_t key) override {
        backbone_->reseed(key);
        encoding_.reseed(key);
    }
    std::vector<nn::parameter<double>> parameters() override {
        auto p = backbone_->parameters();
        for (auto& f : fusion_.parameters()) p.push_back({"fusion." + f.name, f.value, f.grad});
        return p;
    }
    std::vector<nn::tensor<double>*> buffers() override { // the projection too: see qshield_encoding
        auto b = backbone_->buffers();
        for (auto* f : fusion_.buffers()) b.push_back(f);
        for (auto* e : encoding_.buffers()) b.push_back(e);
        return b;
    }
    std::string describe() const override {
        return "qshield(" + std::to_string(N) + " qubits, " + to_string(P) + ", " +
               (o_.variant == qshield_variant::faithful ? "faithful" : "differentiable") + ", mixed noise " + number(o_.noise) +
               "; backbone " + backbone_->describe() + "; " + encoding_.describe() + "; " + fusion_.describe() + ")";
    }
    std::unique_ptr<nn::layer<double>> clone() const override { return std::make_unique<qshield>(*this); }

    // The backward pass of the other variant, the forward unchanged: an attacker of a faithful
    // model sets `differentiable` to take the module's exact gradient where the authors detach it
    // (BPDA with the true derivative; with the projection redrawn per call, attack with EOT).
    void set_variant(qshield_variant v) noexcept { o_.variant = v; }
    qshield_variant variant() const noexcept { return o_.variant; }

    const qshield_encoding<double>& encoding() const noexcept { return encoding_; }
    const qshield_fusion<double>& fusion() const noexcept { return fusion_; }

private:
    // qhybrid's basis-state index of the authors' index k (wire 0 the most significant bit).
    static constexpr std::size_t wire_order(std::size_t k) {
        std::size_t r = 0;
        for (std::size_t w = 0; w < N; ++w) r |= ((k >> (N - 1 - w)) & 1u) << w;
        return r;
    }

    static std::size_t checked(std::size_t classes) {
        require(classes >= 2 && classes <= (std::size_t{1} << N) && classes <= 3 * N, [&] {
            return "qshield: " + std::to_string(classes) + " classes on " + std::to_string(N) + " qubits (needs 2 <= K <= min(2^N, 3N))";
        });
        return classes;
    }

    std::unique_ptr<nn::layer<double>> backbone_;
    std::size_t classes_;
    qshield_options o_;
    qshield_encoding<double> encoding_;
    module module_;
    qshield_fusion<double> fusion_;
};

} // namespace qhybrid::models
