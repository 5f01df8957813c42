// SPDX-License-Identifier: Apache-2.0
#pragma once
// One gate on any state, forward and backward: a statevector, a density matrix (its fast paths,
// apply_density.hpp) or a trajectory's statevector. `backward_gate` is the adjoint method's step:
// it un-applies the gate to the state and to the adjoint state and, if the gate has an angle,
// passes dE/dtheta = 2 Im<lambda|G|psi> on to the angle's sources.
#include "qhybrid/quantum/apply.hpp"
#include "qhybrid/quantum/apply_density.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <cstddef>

namespace qhybrid::quantum::detail {

// G on a density matrix whose vector holds rho / pending.value (below).
template <class G, class State, class T>
void apply_gate(State& rho, const T& c, const T& s, pending_scale<State>& pending);

// G on a state: a statevector, a density matrix or a trajectory.
template <class G, class State, class T>
void apply_gate(State& psi, const T& c, const T& s) {
    using Batch = typename State::batch_type;
    if constexpr (G::shape == gate_shape::barrier) {
        return;
    } else if constexpr (trajectory_state<State>) {
        apply_gate<G>(psi.state(), c, s);
    } else if constexpr (density_state<State>) {
        pending_scale<State> pending;
        apply_gate<G>(psi, c, s, pending);
        pending.settle(psi);
    } else if constexpr (G::shape == gate_shape::swap) {
        apply_gate<cnot<G::a, G::b>>(psi, c, s);
        apply_gate<cnot<G::b, G::a>>(psi, c, s);
        apply_gate<cnot<G::a, G::b>>(psi, c, s);
    } else {
        if constexpr (G::real_matrix)
            if (psi.is_real()) return apply_gate_as<G, kernel::rvec<Batch>, State>(psi.raw_view(), c, s);
        apply_gate_as<G, kernel::cvec<Batch>, State>(psi.view(), c, s);
    }
}

template <class G, class State, class T>
void apply_gate(State& rho, const T& c, const T& s, pending_scale<State>& pending) {
    using Batch = typename State::batch_type;
    using V = typename State::vector_type;
    using H = conjugated<G, State::num_qubits>;
    auto& v = rho.vectorized();
    if constexpr (G::shape == gate_shape::barrier) {
        return;
    } else if constexpr (fusable<G, H, V>) {
        if constexpr (G::real_matrix)
            if (v.is_real()) return apply_fused<G, H, kernel::rvec<Batch>, V>(v.raw_view(), c, s, pending.value);
        apply_fused<G, H, kernel::cvec<Batch>, V>(v.view(), c, s, pending.value);
    } else {
        apply_gate<G>(v, c, s);
        apply_gate<H>(v, c, s);
    }
}

// The adjoint method's step for G (half angle with cosine c and sine s, the first parameter of
// its circuit at `offset`). For a pure state E = <psi|O|psi> and dE/dtheta = 2 Im<lambda|G|psi>;
// for a density matrix E = <<O|rho>> is linear, dE/dtheta = Im<<lambda|G_row - conj(G)_col|rho>>.
template <class G, class State, class Ctx, class T>
void backward_gate(State& psi, State& lam, Ctx& ctx, std::size_t offset, const T& c, const T& s) {
    using Angle = typename G::angle;
    if constexpr (G::shape == gate_shape::barrier) {
        return;
    } else if constexpr (G::shape == gate_shape::swap || is_flip<G>) {
        apply_gate<G>(psi, c, s); // its own inverse, without an angle
        apply_gate<G>(lam, c, s);
    } else if constexpr (density_state<State>) {
        using V = typename State::vector_type;
        const auto acc = backward_fused<G, conjugated<G, State::num_qubits>>(psi.vectorized(), lam.vectorized(), c, s);
        if constexpr (has_angle<Angle>) Angle::template add_gradient<T>(ctx, offset, V::sample_total(acc));
    } else {
        const auto acc = backward_sum<G>(psi, lam, c, s);
        if constexpr (has_angle<Angle>) Angle::template add_gradient<T>(ctx, offset, T(2) * State::sample_total(acc));
    }
}

} // namespace qhybrid::quantum::detail
