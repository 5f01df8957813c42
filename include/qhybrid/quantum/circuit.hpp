// SPDX-License-Identifier: Apache-2.0
#pragma once
// Circuits are compile-time graphs of gate types, in three forms that nest:
// - circuit<Gates...>: a Boost.Hana tuple of gates; param<K> indices count from the circuit's
//   first parameter;
// - repeat<Reps, C>:  C applied Reps times, each repetition with its own parameters (a runtime
//   loop over one compiled body, so 96 blocks cost no more compile time than one);
// - compose<Cs...>:   the circuits in order, parameters laid end to end; inputs are shared
//   (an encoding and an ansatz read the same input vector).
// Each knows num_qubits, num_params, num_inputs, num_gates and num_angles (gates with an angle)
// at compile time and visits its gates in order or in reverse, passing the gate type and the
// runtime index of the gate's first parameter. A circuit expands its composite gates once
// (gate_contract.hpp): the gates it counts and visits are primitives.
#include "qhybrid/quantum/gate_contract.hpp"
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/type_list.hpp"

#include <boost/hana/for_each.hpp>
#include <boost/hana/reverse.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <initializer_list>

namespace qhybrid::quantum {

namespace detail {
// Whether every value is true, for a pack as a braced list: a fold over && nests its operands,
// and clang stops at a depth of 256 (circuits have more gates).
constexpr bool all_true(std::initializer_list<bool> values) {
    for (bool v : values)
        if (!v) return false;
    return true;
}

// Max and sum through an array, not a fold expression: long circuits stay cheap to compile.
template <std::size_t... V>
constexpr std::size_t max_of() {
    constexpr std::array<std::size_t, sizeof...(V) + 1> a{V..., 0};
    return *std::max_element(a.begin(), a.end());
}
template <std::size_t... V>
constexpr std::size_t sum_of() {
    constexpr std::array<std::size_t, sizeof...(V) + 1> a{V..., 0};
    std::size_t s = 0;
    for (auto v : a) s += v;
    return s;
}

// The counts of a circuit of primitive gates.
template <class Primitives>
struct primitive_counts;
template <class... Ps>
struct primitive_counts<gate_sequence<Ps...>> {
    static constexpr std::size_t num_qubits = max_of<std::bit_width(Ps::qubits)...>();
    static constexpr std::size_t num_params = max_of<Ps::angle::params...>();
    static constexpr std::size_t num_inputs = max_of<Ps::angle::inputs...>();
    static constexpr std::size_t num_gates = sizeof...(Ps);
    static constexpr std::size_t num_angles = sum_of<(has_angle<typename Ps::angle> ? 1 : 0)...>();
};
// The sequence's gates as a Hana tuple of types, at compile time.
template <class... Ps>
constexpr auto gate_types(gate_sequence<Ps...>) {
    return boost::hana::tuple_t<Ps...>;
}

// A circuit's primitives: its gates themselves when none is composite (nothing to expand).
template <bool AllPrimitive, class... Gates>
struct circuit_expansion {
    using type = gate_sequence<Gates...>;
};
template <class... Gates>
struct circuit_expansion<false, Gates...> {
    using type = join_t<primitives_of<Gates>...>;
};
} // namespace detail

template <class... Gates>
struct circuit {
    static_assert(detail::all_true({detail::check_gate<Gates>()...}), "qhybrid: a circuit holds gates");
    // The gates with every composite expanded: what everything downstream runs.
    using primitives = typename detail::circuit_expansion<detail::all_true({primitive_gate<Gates>...}), Gates...>::type;
    using counts = detail::primitive_counts<primitives>;

    static constexpr std::size_t num_qubits = counts::num_qubits;
    static constexpr std::size_t num_params = counts::num_params;
    static constexpr std::size_t num_inputs = counts::num_inputs;
    static constexpr std::size_t num_gates = counts::num_gates; // primitives
    static constexpr std::size_t num_angles = counts::num_angles;

    // f(hana::type<Gate>, first_param) for every primitive gate, in circuit order. (Hana's loop
    // right here, as before composites: one call layer more moved g++'s inlining of the density
    // kernels, 25% on a 4-qubit density matrix's ZZ map.)
    template <class F>
    static void for_each_gate(F&& f, std::size_t first_param = 0) {
        boost::hana::for_each(detail::gate_types(primitives{}), [&](auto g) { f(g, first_param); });
    }
    template <class F>
    static void for_each_gate_reversed(F&& f, std::size_t first_param = 0) {
        boost::hana::for_each(boost::hana::reverse(detail::gate_types(primitives{})),
                              [&](auto g) { f(g, first_param); });
    }
};

template <std::size_t Reps, class C>
struct repeat {
    static_assert(Reps >= 1, "repeat<Reps, C> needs Reps >= 1");
    static constexpr std::size_t num_qubits = C::num_qubits;
    static constexpr std::size_t num_params = Reps * C::num_params;
    static constexpr std::size_t num_inputs = C::num_inputs;
    static constexpr std::size_t num_gates = Reps * C::num_gates;
    static constexpr std::size_t num_angles = Reps * C::num_angles;

    template <class F>
    static void for_each_gate(F&& f, std::size_t first_param = 0) {
        for (std::size_t r = 0; r < Reps; ++r) C::for_each_gate(f, first_param + r * C::num_params);
    }
    template <class F>
    static void for_each_gate_reversed(F&& f, std::size_t first_param = 0) {
        for (std::size_t r = Reps; r-- > 0;)
            C::for_each_gate_reversed(f, first_param + r * C::num_params);
    }
};

template <class... Cs>
struct compose {
    static constexpr std::size_t num_qubits = detail::max_of<Cs::num_qubits...>();
    static constexpr std::size_t num_params = detail::sum_of<Cs::num_params...>();
    static constexpr std::size_t num_inputs = detail::max_of<Cs::num_inputs...>();
    static constexpr std::size_t num_gates = detail::sum_of<Cs::num_gates...>();
    static constexpr std::size_t num_angles = detail::sum_of<Cs::num_angles...>();

    template <class F>
    static void for_each_gate(F&& f, std::size_t first_param = 0) {
        boost::hana::for_each(boost::hana::tuple_t<Cs...>, [&](auto c) {
            using C = typename decltype(c)::type;
            C::for_each_gate(f, first_param);
            first_param += C::num_params;
        });
    }
    template <class F>
    static void for_each_gate_reversed(F&& f, std::size_t first_param = 0) {
        first_param += num_params;
        boost::hana::for_each(boost::hana::reverse(boost::hana::tuple_t<Cs...>), [&](auto c) {
            using C = typename decltype(c)::type;
            first_param -= C::num_params;
            C::for_each_gate_reversed(f, first_param);
        });
    }
};

} // namespace qhybrid::quantum
