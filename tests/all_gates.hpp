#pragma once
// Every gate kind the library declares, as the one list the gate tests share: the laws
// (test_gate_laws_*.cpp), every position against the dense reference (gate_check.hpp), random
// circuits (random_circuit.hpp) and the OpenQASM export (test_qasm.cpp). A new gate goes here,
// and every one of those tests takes it.
#include <qhybrid/quantum/composite_gates.hpp>
#include <qhybrid/quantum/gates.hpp>

namespace all_gates {

namespace q = qhybrid::quantum;

// On qubit Q; angles from Angle.
template <q::qubit Q, class Angle>
using one_qubit = q::gate_sequence<q::h<Q>, q::x<Q>, q::y<Q>, q::z<Q>, q::s<Q>, q::sdg<Q>, q::t<Q>, q::tdg<Q>, q::sx<Q>,
                                   q::sxdg<Q>, q::rx<Q, Angle>, q::ry<Q, Angle>, q::rz<Q, Angle>, q::phase<Q, Angle>>;

// On qubits A (control, or first) and B.
template <q::qubit A, q::qubit B, class Angle>
using two_qubit = q::gate_sequence<q::cnot<A, B>, q::cz<A, B>, q::swap<A, B>, q::rzz<A, B, Angle>, q::crx<A, B, Angle>,
                                   q::cry<A, B, Angle>, q::crz<A, B, Angle>, q::cp<A, B, Angle>>;

// Composites on qubits A, B, C; a three-angle gate takes Angle, Angle2, Angle3.
template <q::qubit A, q::qubit B, q::qubit C, class Angle, class Angle2, class Angle3>
using composite = q::gate_sequence<q::u3<A, Angle, Angle2, Angle3>, q::cu3<A, B, Angle, Angle2, Angle3>, q::iswap<A, B>,
                                   q::rxx<A, B, Angle>, q::ryy<A, B, Angle>, q::ecr<A, B>, q::ccx<A, B, C>>;

// The native gates each composite costs (the sum of its parts': gates.hpp's declarations).
inline constexpr q::native_count composite_natives[] = {
    {.sx = 2},                   // u3: p ry p
    {.sx = 4, .two_qubit = 2},   // cu3: two cx, two ry
    {.sx = 2, .two_qubit = 2},   // iswap: two cx, two h
    {.sx = 4, .two_qubit = 2},   // rxx: rzz between h's
    {.sx = 4, .two_qubit = 2},   // ryy: rzz between sx's and sxdg's
    {.sx = 1, .x = 1, .two_qubit = 1}, // ecr: x, cx, sxdg, rz
    {.sx = 2, .two_qubit = 6},   // ccx: six cx, two h
};

} // namespace all_gates
