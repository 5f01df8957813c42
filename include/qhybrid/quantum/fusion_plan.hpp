// SPDX-License-Identifier: Apache-2.0
#pragma once
// The plan of the fused passes (fusion.hpp), made at compile time and free of SIMD code: a
// circuit as one flat list of gates, the greedy grouping of the list into passes over tiles of
// register qubits, and the maps between tile and register indices. Only gates and circuits are
// included, so a plan can be built and proved (STATIC_REQUIRE) without xsimd.
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/frame_gates.hpp"
#include "qhybrid/quantum/type_list.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <utility>

namespace qhybrid::quantum::detail {

// ---- flat gate lists ----------------------------------------------------------------------------

// A circuit's gates as one list: matrix and diagonal gates only (a swap is three CNOTs; a barrier
// does nothing without noise), each with the offset of its circuit's first parameter (param<K>
// counts from there), `Offsets` = std::index_sequence of them.
template <class Offsets, class... Gs>
struct gate_list;
template <std::size_t... Offsets, class... Gs>
struct gate_list<std::index_sequence<Offsets...>, Gs...> {
    static constexpr std::size_t size = sizeof...(Gs);
    static constexpr bool real = all_true({Gs::real_matrix...});
    template <std::size_t I>
    using at = nth_type<I, Gs...>;
    static constexpr std::array<std::size_t, size + 1> param_offset{Offsets..., 0};

    // The angle table index of gate I, counted from the list's first gate with an angle.
    static constexpr std::array<std::size_t, size + 1> angle_index = [] {
        constexpr std::array<bool, size + 1> has{has_angle<typename Gs::angle>..., false};
        std::array<std::size_t, size + 1> a{};
        for (std::size_t i = 0; i < size; ++i) a[i + 1] = a[i] + has[i];
        return a;
    }();
};
template <class>
inline constexpr std::size_t offset_zero = 0;
template <class... Gs>
using unplaced_gates = gate_list<std::index_sequence<offset_zero<Gs>...>, Gs...>;

// A list with its parameter offsets moved up by Shift (a list that follows others in a circuit).
template <class List, std::size_t Shift>
struct shifted;
template <std::size_t... O, class... Gs, std::size_t Shift>
struct shifted<gate_list<std::index_sequence<O...>, Gs...>, Shift> {
    using type = gate_list<std::index_sequence<(O + Shift)...>, Gs...>;
};

template <class... Lists>
struct concat;
template <>
struct concat<> {
    using type = unplaced_gates<>;
};
template <class O, class... A>
struct concat<gate_list<O, A...>> {
    using type = gate_list<O, A...>;
};
template <std::size_t... O, class... A, std::size_t... P, class... B, class... Rest>
struct concat<gate_list<std::index_sequence<O...>, A...>, gate_list<std::index_sequence<P...>, B...>, Rest...>
    : concat<gate_list<std::index_sequence<O..., P...>, A..., B...>, Rest...> {};

template <class G, gate_shape = G::shape>
struct expand {
    using type = unplaced_gates<G>;
};
template <class G>
struct expand<G, gate_shape::swap> {
    using type = unplaced_gates<cnot<G::a, G::b>, cnot<G::b, G::a>, cnot<G::a, G::b>>;
};
template <class G>
struct expand<G, gate_shape::barrier> {
    using type = unplaced_gates<>;
};

// Longer passes would only grow the code: a tile's sweep is already paid for.
inline constexpr std::size_t max_pass_gates = 64;

// Whether a circuit runs as one planned list: it holds no long repeat (one of more than
// max_pass_gates gates runs as a loop over its planned body; a short one is unrolled, so that its
// repetitions and the gates around it share passes).
template <class C>
inline constexpr bool flat_circuit = true;
template <std::size_t Reps, class C>
inline constexpr bool flat_circuit<repeat<Reps, C>> = Reps * C::num_gates <= max_pass_gates;
template <class... Cs>
inline constexpr bool flat_circuit<compose<Cs...>> = all_true({flat_circuit<Cs>...});

// The gates of a flat circuit as one list.
template <class C>
struct flat_gates;
template <class... Ps>
struct flat_gates<gate_sequence<Ps...>> : concat<typename expand<Ps>::type...> {};
template <class... Gs>
struct flat_gates<circuit<Gs...>> : flat_gates<typename circuit<Gs...>::primitives> {};
template <class... Cs>
    requires flat_circuit<compose<Cs...>>
struct flat_gates<compose<Cs...>> {
    static constexpr std::array<std::size_t, sizeof...(Cs) + 1> first_param = [] {
        constexpr std::array<std::size_t, sizeof...(Cs) + 1> n{Cs::num_params..., 0};
        std::array<std::size_t, sizeof...(Cs) + 1> a{};
        for (std::size_t i = 0; i < sizeof...(Cs); ++i) a[i + 1] = a[i] + n[i];
        return a;
    }();
    using type = typename decltype([]<std::size_t... I>(std::index_sequence<I...>) {
        return std::type_identity<typename concat<typename shifted<typename flat_gates<Cs>::type, first_param[I]>::type...>::type>{};
    }(std::index_sequence_for<Cs...>{}))::type;
};
template <std::size_t Reps, class C>
    requires flat_circuit<repeat<Reps, C>>
struct flat_gates<repeat<Reps, C>> {
    using type = typename decltype([]<std::size_t... R>(std::index_sequence<R...>) {
        return std::type_identity<typename concat<typename shifted<typename flat_gates<C>::type, R * C::num_params>::type...>::type>{};
    }(std::make_index_sequence<Reps>{}))::type;
};

// Whether every gate of a circuit moves through a Pauli frame.
template <class C>
inline constexpr bool frame_circuit = false;
template <class... Ps>
inline constexpr bool frame_circuit<gate_sequence<Ps...>> = all_true({frame_gate<Ps>...});
template <class... Gs>
inline constexpr bool frame_circuit<circuit<Gs...>> = frame_circuit<typename circuit<Gs...>::primitives>;
template <std::size_t Reps, class C>
inline constexpr bool frame_circuit<repeat<Reps, C>> = frame_circuit<C>;
template <class... Cs>
inline constexpr bool frame_circuit<compose<Cs...>> = (frame_circuit<Cs> && ...);

// ---- the plan -----------------------------------------------------------------------------------

template <std::size_t Count>
struct pass_plan {
    std::array<std::size_t, Count + 1> order{};  // gate indices, pass after pass
    std::array<std::size_t, Count + 1> start{};  // pass p holds order[start[p] .. start[p + 1])
    std::array<std::uint64_t, Count + 1> tile{}; // pass p's register qubits, as register-index bits
    std::size_t passes = 0;
};

// Greedy: each pass takes, in circuit order, every remaining gate that fits the tile and shares
// no qubit with a gate skipped before it.
template <unsigned RegisterQubits, unsigned LaneBits, std::uint64_t... Qubits>
constexpr auto plan_passes() {
    constexpr std::size_t n = sizeof...(Qubits);
    constexpr std::array<std::uint64_t, n + 1> qubits{Qubits..., 0};
    pass_plan<n> plan;
    std::array<bool, n + 1> placed{};
    std::size_t count = 0;
    while (count < n) {
        std::uint64_t tile = 0, blocked = 0;
        plan.start[plan.passes] = count;
        for (std::size_t g = 0; g < n; ++g) {
            if (placed[g]) continue;
            const std::uint64_t grown = tile | (qubits[g] >> LaneBits);
            if ((qubits[g] & blocked) == 0 && std::popcount(grown) <= int(RegisterQubits) &&
                count - plan.start[plan.passes] < max_pass_gates) {
                tile = grown;
                placed[g] = true;
                plan.order[count++] = g;
            } else {
                blocked |= qubits[g];
            }
        }
        plan.tile[plan.passes++] = tile;
    }
    plan.start[plan.passes] = n;
    return plan;
}

template <class List, unsigned RegisterQubits, unsigned LaneBits>
inline constexpr auto plan_of = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return plan_passes<RegisterQubits, LaneBits, List::template at<I>::qubits...>();
    }(std::make_index_sequence<List::size>{});
}();

// ---- tile maps ----------------------------------------------------------------------------------

// The bits of register-index mask m that lie in `tile`, as tile-index bits (a compile-time pext).
constexpr std::uint64_t to_tile(std::uint64_t m, std::uint64_t tile) noexcept {
    std::uint64_t out = 0;
    for (unsigned k = 0; tile; tile &= tile - 1, ++k)
        if (m & (tile & -tile)) out |= std::uint64_t{1} << k;
    return out;
}
// Tile index t as a register-index offset (a compile-time pdep).
constexpr std::size_t from_tile(std::size_t t, std::uint64_t tile) noexcept {
    std::size_t out = 0;
    for (; tile; tile &= tile - 1, t >>= 1)
        if (t & 1) out |= tile & -tile;
    return out;
}

} // namespace qhybrid::quantum::detail
