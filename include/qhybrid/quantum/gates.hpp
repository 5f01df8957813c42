// SPDX-License-Identifier: Apache-2.0
#pragma once
// The primitive gates, each a type with compile-time qubits that satisfies quantum::gate
// (gate_contract.hpp): its shape's members, its matrix from the half-angle trig, its generator if
// it has an angle, the native gates it costs on a device and its OpenQASM spelling.
#include "qhybrid/core/scalar.hpp"
#include "qhybrid/quantum/angle.hpp"
#include "qhybrid/quantum/gate_contract.hpp"

#include <array>
#include <cstdint>
#include <numbers>
#include <type_traits>

namespace qhybrid::quantum {

namespace detail {
template <class T>
mat2<T> real_mat(T m00, T m01, T m10, T m11) {
    return {{m00, m01, m10, m11}, {T(0), T(0), T(0), T(0)}};
}
template <class T>
diag4<T> phases(std::array<T, 4> re, std::array<T, 4> im) {
    return {re, im};
}
// cos(pi/4) and sin(pi/4) for H and T. In double, the nearest value to 1/sqrt(2) twice has
// squares summing to 1 + 1.4e-16, a norm drift that every H and T would compound; with sin one ulp
// below, the sum is 1 - 2e-17. (In float the nearest value is already the better pair.)
template <class T>
std::array<T, 2> eighth_turn() {
    if constexpr (std::is_same_v<simd::scalar_t<T>, double>)
        return {T(0x1.6a09e667f3bcdp-1), T(0x1.6a09e667f3bccp-1)};
    else
        return {T(std::numbers::sqrt2_v<float> / 2), T(std::numbers::sqrt2_v<float> / 2)};
}
inline constexpr mat2<double> half_x{{0, 0.5, 0.5, 0}, {0, 0, 0, 0}};
inline constexpr mat2<double> half_y{{0, 0, 0, 0}, {0, -0.5, 0.5, 0}};
} // namespace detail

// Natives and OpenQASM names are declared per gate (device_noise.hpp and qasm.hpp read them). The
// natives follow Qiskit's decompositions onto IBM's basis: rz is virtual and free, h is one sx
// between rz's, rx and ry two sx, cz and rzz are cx with sx or rz around them, controlled
// rotations two cx and, for crx and cry, four sx on the target.

// ---- one-qubit matrix gates ----
template <qubit Q>
struct h : matrix_gate_base<Q, 0, no_angle, true> {
    static constexpr native_count natives{.sx = 1};
    static constexpr qasm_spelling qasm{"h", "h"};
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        const auto [c, s] = detail::eighth_turn<T>();
        return detail::real_mat(c, s, s, T(-c));
    }
};
template <qubit Q>
struct x : matrix_gate_base<Q, 0, no_angle, true> {
    static constexpr bool flip = true;
    static constexpr native_count natives{.x = 1};
    static constexpr qasm_spelling qasm{"x", "x"};
    template <class T>
    static mat2<T> matrix(const T&, const T&) { return detail::real_mat(T(0), T(1), T(1), T(0)); }
};
template <qubit Q>
struct y : matrix_gate_base<Q, 0, no_angle, false> {
    static constexpr native_count natives{.x = 1}; // x between rz's
    static constexpr qasm_spelling qasm{"y", "y"};
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        return {{T(0), T(0), T(0), T(0)}, {T(0), T(-1), T(1), T(0)}};
    }
};
template <qubit Q, class Angle = param<0>>
struct rx : matrix_gate_base<Q, 0, Angle, false> {
    static constexpr native_count natives{.sx = 2};
    static constexpr qasm_spelling qasm{"rx", "rx"};
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return {{c, T(0), T(0), c}, {T(0), -s, -s, T(0)}}; }
    static constexpr mat2<double> generator = detail::half_x;
};
template <qubit Q, class Angle = param<0>>
struct ry : matrix_gate_base<Q, 0, Angle, true> {
    static constexpr bool rotation = true;
    static constexpr native_count natives{.sx = 2};
    static constexpr qasm_spelling qasm{"ry", "ry"};
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return detail::real_mat(c, T(-s), s, c); }
    static constexpr mat2<double> generator = detail::half_y;
};

// sqrt(X) = e^{i pi/4} RX(pi/2), and its inverse: IBM's native one-qubit gate. (Their entries are
// halves, exact in binary: no norm drift.)
template <qubit Q>
struct sx : matrix_gate_base<Q, 0, no_angle, false> {
    static constexpr native_count natives{.sx = 1};
    static constexpr qasm_spelling qasm{"sx", "sx"};
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        return {{T(0.5), T(0.5), T(0.5), T(0.5)}, {T(0.5), T(-0.5), T(-0.5), T(0.5)}};
    }
};
template <qubit Q>
struct sxdg : matrix_gate_base<Q, 0, no_angle, false> {
    static constexpr native_count natives{.sx = 1}; // rz(pi) sx rz(pi)
    static constexpr qasm_spelling qasm{"sxdg", "sxdg", {}, "gate sxdg a { s a; h a; s a; gphase(-pi/4); }"};
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        return {{T(0.5), T(0.5), T(0.5), T(0.5)}, {T(-0.5), T(0.5), T(0.5), T(-0.5)}};
    }
};

// ---- controlled matrix gates ----
template <qubit C, qubit Tq>
struct cnot : matrix_gate_base<Tq, std::uint64_t{1} << C, no_angle, true> {
    static constexpr bool flip = true;
    static constexpr native_count natives{.two_qubit = 1};
    static constexpr qasm_spelling qasm{"cx", "cx"};
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return x<Tq>::matrix(c, s); }
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct crx : matrix_gate_base<Tq, std::uint64_t{1} << C, Angle, false, 4> {
    static constexpr native_count natives{.sx = 4, .two_qubit = 2};
    static constexpr qasm_spelling qasm{"crx", "crx"};
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return rx<Tq>::matrix(c, s); }
    static constexpr mat2<double> generator = detail::half_x;
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct cry : matrix_gate_base<Tq, std::uint64_t{1} << C, Angle, true, 4> {
    static constexpr native_count natives{.sx = 4, .two_qubit = 2};
    static constexpr qasm_spelling qasm{"cry", "cry"};
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return ry<Tq>::matrix(c, s); }
    static constexpr mat2<double> generator = detail::half_y;
};

// ---- diagonal gates ----
template <qubit Q>
struct z : diagonal_gate_base<Q, Q, 1, no_angle, true> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"z", "z"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(-1), T(0), T(0)}, {T(0), T(0), T(0), T(0)});
    }
};
template <qubit Q>
struct s : diagonal_gate_base<Q, Q, 1, no_angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"s", "s"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(0), T(0), T(0)}, {T(0), T(1), T(0), T(0)});
    }
};
template <qubit Q>
struct sdg : diagonal_gate_base<Q, Q, 1, no_angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"sdg", "sdg"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(0), T(0), T(0)}, {T(0), T(-1), T(0), T(0)});
    }
};
template <qubit Q>
struct t : diagonal_gate_base<Q, Q, 1, no_angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"t", "t"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        const auto [c, s] = detail::eighth_turn<T>();
        return detail::phases<T>({T(1), c, T(0), T(0)}, {T(0), s, T(0), T(0)});
    }
};
template <qubit Q>
struct tdg : diagonal_gate_base<Q, Q, 1, no_angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"tdg", "tdg"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        const auto [c, s] = detail::eighth_turn<T>();
        return detail::phases<T>({T(1), c, T(0), T(0)}, {T(0), T(-s), T(0), T(0)});
    }
};
// (OpenQASM 2.0's rz is u1: this matrix up to a global phase.)
template <qubit Q, class Angle = param<0>>
struct rz : diagonal_gate_base<Q, Q, 1, Angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"rz", "rz"};
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({c, c, T(0), T(0)}, {T(-s), s, T(0), T(0)});
    }
    static constexpr std::array<double, 4> generator{0.5, -0.5, 0, 0};
};
// Qiskit's P(theta) = diag(1, e^{i theta}).
template <qubit Q, class Angle = param<0>>
struct phase : diagonal_gate_base<Q, Q, 1, Angle, false> {
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"u1", "p"};
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({T(1), c * c - s * s, T(0), T(0)}, {T(0), T(2) * c * s, T(0), T(0)});
    }
    static constexpr std::array<double, 4> generator{0, -1, 0, 0};
};
// Qiskit's name for the phase gate.
template <qubit Q, class Angle = param<0>>
using p = phase<Q, Angle>;

template <qubit QA, qubit QB>
struct cz : diagonal_gate_base<QA, QB, 2, no_angle, true> {
    static constexpr native_count natives{.sx = 2, .two_qubit = 1, .symmetric = true};
    static constexpr qasm_spelling qasm{"cz", "cz"};
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(1), T(1), T(-1)}, {T(0), T(0), T(0), T(0)});
    }
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct crz : diagonal_gate_base<C, Tq, 2, Angle, false, 4> {
    static constexpr native_count natives{.two_qubit = 2};
    static constexpr qasm_spelling qasm{"crz", "crz"};
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({T(1), c, T(1), c}, {T(0), T(-s), T(0), s});
    }
    static constexpr std::array<double, 4> generator{0, 0.5, 0, -0.5};
};
// Controlled phase: diag(1, 1, 1, e^{i theta}) (symmetric in its qubits).
template <qubit C, qubit Tq, class Angle = param<0>>
struct cp : diagonal_gate_base<C, Tq, 2, Angle, false> {
    static constexpr native_count natives{.two_qubit = 2, .symmetric = true};
    static constexpr qasm_spelling qasm{"cu1", "cp"};
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({T(1), T(1), T(1), c * c - s * s}, {T(0), T(0), T(0), T(2) * c * s});
    }
    static constexpr std::array<double, 4> generator{0, 0, 0, -1};
};
// RZZ(theta) = exp(-i theta/2 Z(x)Z).
template <qubit QA, qubit QB, class Angle = param<0>>
struct rzz : diagonal_gate_base<QA, QB, 2, Angle, false> {
    static constexpr native_count natives{.two_qubit = 2, .symmetric = true};
    static constexpr qasm_spelling qasm{"rzz", "rzz", {}, "gate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }"};
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({c, c, c, c}, {T(-s), s, s, T(-s)});
    }
    static constexpr std::array<double, 4> generator{0.5, -0.5, -0.5, 0.5};
};

// ---- swap ----
template <qubit QA, qubit QB>
struct swap {
    static_assert(QA != QB, "a two-qubit gate acts on two different qubits");
    static constexpr gate_shape shape = gate_shape::swap;
    static constexpr qubit a = QA, b = QB;
    static constexpr std::uint64_t qubits = (std::uint64_t{1} << QA) | (std::uint64_t{1} << QB);
    static constexpr bool real_matrix = true;
    static constexpr native_count natives{.two_qubit = 3, .symmetric = true};
    static constexpr qasm_spelling qasm{"swap", "swap"};
    using angle = no_angle;
};

// ---- barrier ----
// Does nothing to the state; marks a point of the circuit (on the qubits of the mask) where
// noise policies with noise_sites::barriers act, e.g. after a whole entangling layer.
template <std::uint64_t Qubits>
struct barrier {
    static_assert(Qubits != 0, "a barrier spans at least one qubit");
    static constexpr gate_shape shape = gate_shape::barrier;
    static constexpr std::uint64_t qubits = Qubits;
    static constexpr bool real_matrix = true;
    static constexpr native_count natives{};
    static constexpr qasm_spelling qasm{"barrier", "barrier"};
    using angle = no_angle;
};

} // namespace qhybrid::quantum
