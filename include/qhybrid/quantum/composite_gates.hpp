// SPDX-License-Identifier: Apache-2.0
#pragma once
// Composite gates: each is its decomposition into gates (gate_contract.hpp), which circuits
// expand once. Every decomposition below equals Qiskit's matrix exactly, global phase included
// (tests/test_gate_laws_composite.cpp checks each against the dense reference's Qiskit
// definition); their device cost and OpenQASM text are their parts'.
#include "qhybrid/quantum/angle.hpp"
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/type_list.hpp"

#include <numbers>

namespace qhybrid::quantum {

// U3(theta, phi, lambda) = [[c, -e^{i lambda} s], [e^{i phi} s, e^{i (phi + lambda)} c]]
// = P(phi) RY(theta) P(lambda).
template <qubit Q, class Theta = param<0>, class Phi = param<1>, class Lambda = param<2>>
struct u3 {
    using decomposition = gate_sequence<phase<Q, Lambda>, ry<Q, Theta>, phase<Q, Phi>>;
};
// Qiskit's U has U3's matrix.
template <qubit Q, class Theta = param<0>, class Phi = param<1>, class Lambda = param<2>>
using u = u3<Q, Theta, Phi, Lambda>;

// U3 on the target where the control is 1, as Qiskit's CU3 (two CNOTs; its phases on the
// control make the control-1 branch U3 exactly).
template <qubit C, qubit Tq, class Theta = param<0>, class Phi = param<1>, class Lambda = param<2>>
struct cu3 {
    using decomposition =
        gate_sequence<phase<C, scaled<sum<Lambda, Phi>, 0.5>>, phase<Tq, scaled<sum<Lambda, scaled<Phi, -1.0>>, 0.5>>,
                      cnot<C, Tq>, phase<Tq, scaled<sum<Phi, Lambda>, -0.5>>, ry<Tq, scaled<Theta, -0.5>>, cnot<C, Tq>,
                      ry<Tq, scaled<Theta, 0.5>>, phase<Tq, Phi>>;
};

// iSWAP: |01> -> i|10>, |10> -> i|01>.
template <qubit QA, qubit QB>
struct iswap {
    using decomposition = gate_sequence<s<QA>, s<QB>, h<QA>, cnot<QA, QB>, cnot<QB, QA>, h<QB>>;
};

// RXX(theta) = exp(-i theta/2 X(x)X) = (H (x) H) RZZ(theta) (H (x) H).
template <qubit QA, qubit QB, class Angle = param<0>>
struct rxx {
    using decomposition = gate_sequence<h<QA>, h<QB>, rzz<QA, QB, Angle>, h<QA>, h<QB>>;
};

// RYY(theta) = exp(-i theta/2 Y(x)Y): SX^dagger Z SX = Y, so (SXdg (x) SXdg) RZZ (SX (x) SX).
template <qubit QA, qubit QB, class Angle = param<0>>
struct ryy {
    using decomposition = gate_sequence<sx<QA>, sx<QB>, rzz<QA, QB, Angle>, sxdg<QA>, sxdg<QB>>;
};

// The echoed cross-resonance gate, IBM's native two-qubit gate on Eagle devices: QA is Qiskit's
// first qubit. ECR = RZX(-pi/2) X_A, and one CNOT with X, SXdg and RZ(-pi/2) around it makes it.
template <qubit QA, qubit QB>
struct ecr {
    using decomposition = gate_sequence<x<QA>, cnot<QA, QB>, sxdg<QB>, rz<QA, constant<-std::numbers::pi / 2>>>;
};

// Toffoli: X on the target where both controls are 1 (Qiskit's 6-CNOT decomposition).
template <qubit C1, qubit C2, qubit Tq>
struct ccx {
    static_assert(C1 != C2 && C1 != Tq && C2 != Tq, "a three-qubit gate acts on three different qubits");
    using decomposition =
        gate_sequence<h<Tq>, cnot<C2, Tq>, tdg<Tq>, cnot<C1, Tq>, t<Tq>, cnot<C2, Tq>, tdg<Tq>, cnot<C1, Tq>, t<C2>,
                      t<Tq>, h<Tq>, cnot<C1, C2>, t<C1>, tdg<C2>, cnot<C1, C2>>;
};

} // namespace qhybrid::quantum
