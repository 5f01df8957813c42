// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which gates move through a Pauli frame (pauli_frame.hpp), as compile-time traits: the fusion
// plan (fusion_plan.hpp) reads them without the frame's SIMD code.
#include "qhybrid/quantum/gates.hpp"

namespace qhybrid::quantum {

namespace detail {
template <class G>
inline constexpr bool is_ry = false;
template <qubit Q, class A>
inline constexpr bool is_ry<ry<Q, A>> = true;
template <class G>
inline constexpr bool is_cnot = false;
template <qubit C, qubit T>
inline constexpr bool is_cnot<cnot<C, T>> = true;
template <class G>
inline constexpr bool is_cz = false;
template <qubit A, qubit B>
inline constexpr bool is_cz<cz<A, B>> = true;
template <class G>
inline constexpr bool is_pauli = false;
template <qubit Q>
inline constexpr bool is_pauli<x<Q>> = true;
template <qubit Q>
inline constexpr bool is_pauli<y<Q>> = true;
template <qubit Q>
inline constexpr bool is_pauli<z<Q>> = true;
} // namespace detail

// The gates a frame moves through (swaps and barriers too: a swap runs as three CNOTs).
template <class G>
inline constexpr bool frame_gate = detail::is_ry<G> || detail::is_cnot<G> || detail::is_cz<G> ||
                                   detail::is_pauli<G> || G::shape == gate_shape::swap ||
                                   G::shape == gate_shape::barrier;

} // namespace qhybrid::quantum
