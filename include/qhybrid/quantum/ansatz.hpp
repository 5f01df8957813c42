// SPDX-License-Identifier: Apache-2.0
#pragma once
// Standard circuits, generated at compile time, with Qiskit's definitions and parameter order:
// - angle_encoding<N, Axis>:           R_axis(x_q) on qubit q;
// - real_amplitudes<N, Reps, E>:       Reps x (RY layer, CX layer E), then a final RY layer;
// - zz_feature_map<N, Reps, E>:        Reps x (H layer, P(2 x_q) layer, for each pair (i, j) of E:
//                                      CX(i,j) P_j(2 (pi - x_i)(pi - x_j)) CX(i,j));
// - ry_cnot_blocks<N, Blocks>:         Blocks x (RY layer, CNOT ring 0->1->...->N-1->0), the
//                                      Quantum-Train QNN.
// Entanglement pairs follow Qiskit's get_entangler_map for two-qubit blocks, plus `star`
// (qubit 0 to every other qubit).
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/composite_gates.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace qhybrid::quantum {

enum class entanglement { linear, reverse_linear, circular, full, star };
enum class axis { x, y, z };

namespace detail {

using qubit_pair = std::array<qubit, 2>;

template <std::size_t N, entanglement E>
constexpr std::size_t pair_count() {
    switch (E) {
    case entanglement::full: return N * (N - 1) / 2;
    case entanglement::circular: return N > 2 ? N : N - 1;
    default: return N - 1;
    }
}

template <std::size_t N, entanglement E>
constexpr auto make_pairs() {
    std::array<qubit_pair, pair_count<N, E>()> p{};
    std::size_t k = 0;
    auto add = [&](std::size_t a, std::size_t b) { p[k++] = {qubit(a), qubit(b)}; };
    switch (E) {
    case entanglement::linear:
        for (std::size_t i = 0; i + 1 < N; ++i) add(i, i + 1);
        break;
    case entanglement::reverse_linear:
        for (std::size_t i = N - 1; i-- > 0;) add(i, i + 1);
        break;
    case entanglement::circular: // Qiskit: the closing pair (N-1, 0) comes first
        if (N > 2) add(N - 1, 0);
        for (std::size_t i = 0; i + 1 < N; ++i) add(i, i + 1);
        break;
    case entanglement::full:
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = i + 1; j < N; ++j) add(i, j);
        break;
    case entanglement::star:
        for (std::size_t j = 1; j < N; ++j) add(0, j);
        break;
    }
    return p;
}

template <std::size_t N, entanglement E>
inline constexpr auto pairs = make_pairs<N, E>();

template <std::size_t N>
constexpr auto ring_pairs() {
    std::array<qubit_pair, (N > 1 ? N : 0)> p{};
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = {qubit(i), qubit((i + 1) % N)};
    return p;
}
template <std::size_t N>
inline constexpr auto ring = ring_pairs<N>();

template <template <qubit, class> class Rot, template <std::size_t> class Angle, class Seq>
struct rotation_layer;
template <template <qubit, class> class Rot, template <std::size_t> class Angle, std::size_t... Q>
struct rotation_layer<Rot, Angle, std::index_sequence<Q...>> {
    using type = circuit<Rot<Q, Angle<Q>>...>;
};

template <std::size_t Q>
using input_angle = input<Q>;
template <std::size_t Q>
using double_input_angle = input<Q, 2.0>;

template <std::size_t N, template <qubit, class> class Rot, template <std::size_t> class Angle>
using layer = typename rotation_layer<Rot, Angle, std::make_index_sequence<N>>::type;

template <const auto& Pairs, class Seq>
struct cnot_layer;
template <const auto& Pairs, std::size_t... K>
struct cnot_layer<Pairs, std::index_sequence<K...>> {
    using type = circuit<cnot<Pairs[K][0], Pairs[K][1]>...>;
};
template <const auto& Pairs>
using cnots = typename cnot_layer<Pairs, std::make_index_sequence<Pairs.size()>>::type;

template <const auto& Pairs, class Seq>
struct zz_layer;
template <const auto& Pairs, std::size_t... K>
struct zz_layer<Pairs, std::index_sequence<K...>> {
    using type = compose<circuit<cnot<Pairs[K][0], Pairs[K][1]>,
                                 phase<Pairs[K][1], feature_product<Pairs[K][0], Pairs[K][1]>>,
                                 cnot<Pairs[K][0], Pairs[K][1]>>...>;
};

template <qubit Q, class>
using h_gate = h<Q>;
template <qubit Q, class A>
using ry_gate = ry<Q, A>;
template <qubit Q, class A>
using phase_gate = phase<Q, A>;

template <axis Axis>
struct axis_gate;
template <>
struct axis_gate<axis::x> {
    template <qubit Q, class A>
    using type = rx<Q, A>;
};
template <>
struct axis_gate<axis::y> {
    template <qubit Q, class A>
    using type = ry<Q, A>;
};
template <>
struct axis_gate<axis::z> {
    template <qubit Q, class A>
    using type = rz<Q, A>;
};

} // namespace detail

// One CNOT per pair of E, in E's order: the entangling layer of the circuits below.
template <std::size_t N, entanglement E>
using entangling_layer = detail::cnots<detail::pairs<N, E>>;

template <std::size_t N, axis Axis = axis::y>
using angle_encoding = detail::layer<N, detail::axis_gate<Axis>::template type, detail::input_angle>;

template <std::size_t N, std::size_t Reps = 3, entanglement E = entanglement::reverse_linear>
using real_amplitudes =
    compose<repeat<Reps, compose<detail::layer<N, detail::ry_gate, param>, entangling_layer<N, E>>>,
            detail::layer<N, detail::ry_gate, param>>;

template <std::size_t N, std::size_t Reps = 2, entanglement E = entanglement::full>
using zz_feature_map = repeat<
    Reps, compose<detail::layer<N, detail::h_gate, param>, detail::layer<N, detail::phase_gate, detail::double_input_angle>,
                  typename detail::zz_layer<detail::pairs<N, E>, std::make_index_sequence<detail::pairs<N, E>.size()>>::type>>;

namespace detail {
template <class Seq>
struct u3_layer;
template <std::size_t... Q>
struct u3_layer<std::index_sequence<Q...>> {
    using type = circuit<u3<Q, param<3 * Q>, param<3 * Q + 1>, param<3 * Q + 2>>...>;
};
template <std::size_t N, class Seq>
struct cu3_ring;
template <std::size_t N, std::size_t... K>
struct cu3_ring<N, std::index_sequence<K...>> {
    using type = circuit<cu3<K, (K + 1) % N, param<3 * K>, param<3 * K + 1>, param<3 * K + 2>>...>;
};
} // namespace detail

// The Quantum-Train papers' ansatz, TorchQuantum's U3CU3Layer0 as their code builds it: per block
// U3 on qubits 0 .. N-1, then CU3 from qubit k to k + 1 (mod N) for k = 0 .. N-1; 6N parameters
// a block, (theta, phi, lambda) of each gate in that order. TorchQuantum's wire k is qubit k here
// (the circuit Qiskit runs from its gate list); its basis index counts wire 0 as the most
// significant bit, so its probabilities are ours with the qubit order reversed.
template <std::size_t N, std::size_t Blocks>
using u3_cu3_blocks = repeat<Blocks, compose<typename detail::u3_layer<std::make_index_sequence<N>>::type,
                                             typename detail::cu3_ring<N, std::make_index_sequence<N>>::type>>;

template <std::size_t N, std::size_t Blocks>
using ry_cnot_blocks =
    repeat<Blocks, compose<detail::layer<N, detail::ry_gate, param>, detail::cnots<detail::ring<N>>>>;

} // namespace qhybrid::quantum
