// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gate fusion for noiseless pure states. A gate applied on its own is one sweep over the state,
// and on states that fit in cache the sweeps' loads and stores cost as much as the arithmetic.
// So the gates are grouped into passes: a pass holds gates whose qubits, besides the lane qubits,
// fall in a set of at most K register qubits, and one sweep loads a tile of 2^K registers,
// applies every gate of the pass to it in registers, and stores it. Inside a tile a CNOT between
// register qubits is a renaming of registers, free.
//
// Gates on disjoint qubits commute, so a pass also takes a gate from further down the circuit
// when no gate it skips shares a qubit with it. A Quantum-Train block on 12 qubits (12 RY and a
// 12-CNOT ring) runs in 4 sweeps instead of 24.
//
// The plan is made at compile time. A long repeat stays a runtime loop over one planned body, so
// long circuits cost no more to compile than their body; everything else is planned as one list
// of gates.
//
// Scaled rotations. An RY costs a multiply and an FMA per amplitude (c lo - s hi); divided by c
// it is one FMA (lo - t hi, t = s/c). In a single statevector whose circuit has only RY, CNOT,
// CZ and Pauli gates, every RY of a pass but the first takes that form, and the first (the pass's
// carrier) keeps the full form with the other RYs' factors c multiplied in, so each pass leaves
// the state normalized. Where |c| < |s| the gate is written X Z RY(theta - pi), whose tangent is
// at most 1 in magnitude, and the X Z goes into a Pauli frame (pauli_frame.hpp) that is applied
// once, after the circuit. (In a batched state each lane would need a frame of its own.)
#include "qhybrid/quantum/fused_adjoint.hpp"
#include "qhybrid/quantum/fused_passes.hpp"
#include "qhybrid/quantum/fusion_plan.hpp"

#include <cstddef>
#include <type_traits>

QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::detail {

// Runs circuit C (its angles from first_angle on in the table) in fused passes; Framed: with
// scaled rotations, leaving a Pauli frame in `frame` for the caller to apply.
template <class C>
struct in_passes {
    // A circuit or a composition without a long repeat inside: one planned list.
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        apply_list<typename flat_gates<C>::type, Framed>(psi, trig, first_angle, frame);
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        backward_list<typename flat_gates<C>::type>(psi, lam, trig, first_angle, first_param, ctx);
    }
};
template <std::size_t Reps, class C>
    requires(!flat_circuit<repeat<Reps, C>>)
struct in_passes<repeat<Reps, C>> {
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        for (std::size_t r = 0; r < Reps; ++r)
            in_passes<C>::template apply<Framed>(psi, trig, first_angle + r * C::num_angles, frame);
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        for (std::size_t r = Reps; r-- > 0;)
            in_passes<C>::backward(psi, lam, trig, first_angle + r * C::num_angles, first_param + r * C::num_params, ctx);
    }
};
template <class... Cs>
    requires(!flat_circuit<compose<Cs...>>)
struct in_passes<compose<Cs...>> {
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        static_for<sizeof...(Cs)>([&](auto i) {
            using C = nth_type<decltype(i)::value, Cs...>;
            in_passes<C>::template apply<Framed>(psi, trig, first_angle, frame);
            first_angle += C::num_angles;
        });
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        first_angle += (Cs::num_angles + ...);
        first_param += (Cs::num_params + ...);
        static_for<sizeof...(Cs)>([&](auto r) {
            using C = nth_type<sizeof...(Cs) - 1 - decltype(r)::value, Cs...>;
            first_angle -= C::num_angles;
            first_param -= C::num_params;
            in_passes<C>::backward(psi, lam, trig, first_angle, first_param, ctx);
        });
    }
};

// psi = C psi in fused passes.
template <class C, class State, class Table>
void apply_fused_passes(State& psi, const Table& trig) {
    constexpr bool framed = State::samples == 1 && frame_circuit<C>;
    pauli_frame frame;
    in_passes<C>::template apply<framed>(psi, trig, 0, frame);
    if constexpr (framed) frame.apply(psi);
}

} // namespace qhybrid::quantum::detail

QHYBRID_SIMD_WARNINGS_ON
