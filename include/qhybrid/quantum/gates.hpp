// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gates as types with compile-time qubits. Qubit q is bit q of a basis index (Qiskit's order).
// A gate has one of three shapes:
// - pair:     a 2x2 matrix on `target`, applied where every qubit of `controls` is 1;
// - diagonal: phases indexed by bit(a) + 2 bit(b);
// - swap:     exchanges two qubits.
// Matrices are written in terms of the half-angle trig c = cos(theta/2), s = sin(theta/2); `T` is
// a scalar or a SIMD batch of per-sample values. A gate with an angle also gives its generator G
// (dU/dtheta = -i G U), for the adjoint method, and the number of terms of its parameter-shift
// rule (2 for generators with eigenvalues +-1/2, 4 for controlled rotations).
#include "qhybrid/core/scalar.hpp"
#include "qhybrid/quantum/angle.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <numbers>
#include <type_traits>

namespace qhybrid::quantum {

using qubit = unsigned;

template <class T>
struct mat2 {             // m00, m01, m10, m11
    std::array<T, 4> re, im;
};

template <class T>
struct diag4 {            // index bit(a) + 2 bit(b)
    std::array<T, 4> re, im;
};

enum class gate_shape { pair, diagonal, swap, barrier };

template <qubit Target, std::uint64_t Controls, class Angle, bool RealMatrix, int ShiftTerms = 2>
struct pair_gate {
    static_assert((Controls & (std::uint64_t{1} << Target)) == 0, "a gate's control is its target");
    static constexpr gate_shape shape = gate_shape::pair;
    static constexpr qubit target = Target;
    static constexpr std::uint64_t controls = Controls;
    static constexpr std::uint64_t qubits = Controls | (std::uint64_t{1} << Target);
    static constexpr bool real_matrix = RealMatrix;
    static constexpr int shift_terms = ShiftTerms;
    using angle = Angle;
};

template <qubit A, qubit B, unsigned Arity, class Angle, bool RealMatrix, int ShiftTerms = 2>
struct diagonal_gate {
    static_assert(Arity == 1 || A != B, "a two-qubit gate acts on two different qubits");
    static constexpr gate_shape shape = gate_shape::diagonal;
    static constexpr qubit a = A, b = B;
    static constexpr unsigned arity = Arity;
    static constexpr std::uint64_t qubits = (std::uint64_t{1} << A) | (std::uint64_t{1} << B);
    static constexpr bool real_matrix = RealMatrix;
    static constexpr int shift_terms = ShiftTerms;
    using angle = Angle;
};

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
// X and CNOT: permutations.
template <class G>
inline constexpr bool is_flip = requires { requires G::flip; };
// RY: the real matrix (c, -s; s, c).
template <class G>
inline constexpr bool is_rotation = requires { requires G::rotation; };
} // namespace detail

// ---- one-qubit pair gates ----
template <qubit Q>
struct h : pair_gate<Q, 0, no_angle, true> {
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        const auto [c, s] = detail::eighth_turn<T>();
        return detail::real_mat(c, s, s, T(-c));
    }
};
template <qubit Q>
struct x : pair_gate<Q, 0, no_angle, true> {
    static constexpr bool flip = true; // a permutation: kernels move amplitudes, no arithmetic
    template <class T>
    static mat2<T> matrix(const T&, const T&) { return detail::real_mat(T(0), T(1), T(1), T(0)); }
};
template <qubit Q>
struct y : pair_gate<Q, 0, no_angle, false> {
    template <class T>
    static mat2<T> matrix(const T&, const T&) {
        return {{T(0), T(0), T(0), T(0)}, {T(0), T(-1), T(1), T(0)}};
    }
};
template <qubit Q, class Angle = param<0>>
struct rx : pair_gate<Q, 0, Angle, false> {
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return {{c, T(0), T(0), c}, {T(0), -s, -s, T(0)}}; }
    static constexpr mat2<double> generator = detail::half_x;
};
template <qubit Q, class Angle = param<0>>
struct ry : pair_gate<Q, 0, Angle, true> {
    static constexpr bool rotation = true;
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return detail::real_mat(c, T(-s), s, c); }
    static constexpr mat2<double> generator = detail::half_y;
};

// ---- controlled pair gates ----
template <qubit C, qubit Tq>
struct cnot : pair_gate<Tq, std::uint64_t{1} << C, no_angle, true> {
    static constexpr bool flip = true;
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return x<Tq>::matrix(c, s); }
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct crx : pair_gate<Tq, std::uint64_t{1} << C, Angle, false, 4> {
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return rx<Tq>::matrix(c, s); }
    static constexpr mat2<double> generator = detail::half_x;
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct cry : pair_gate<Tq, std::uint64_t{1} << C, Angle, true, 4> {
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return ry<Tq>::matrix(c, s); }
    static constexpr mat2<double> generator = detail::half_y;
};

// ---- diagonal gates ----
template <qubit Q>
struct z : diagonal_gate<Q, Q, 1, no_angle, true> {
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(-1), T(0), T(0)}, {T(0), T(0), T(0), T(0)});
    }
};
template <qubit Q>
struct s : diagonal_gate<Q, Q, 1, no_angle, false> {
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(0), T(0), T(0)}, {T(0), T(1), T(0), T(0)});
    }
};
template <qubit Q>
struct t : diagonal_gate<Q, Q, 1, no_angle, false> {
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        const auto [c, s] = detail::eighth_turn<T>();
        return detail::phases<T>({T(1), c, T(0), T(0)}, {T(0), s, T(0), T(0)});
    }
};
template <qubit Q, class Angle = param<0>>
struct rz : diagonal_gate<Q, Q, 1, Angle, false> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({c, c, T(0), T(0)}, {T(-s), s, T(0), T(0)});
    }
    static constexpr std::array<double, 4> generator{0.5, -0.5, 0, 0};
};
// Qiskit's P(theta) = diag(1, e^{i theta}).
template <qubit Q, class Angle = param<0>>
struct phase : diagonal_gate<Q, Q, 1, Angle, false> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({T(1), c * c - s * s, T(0), T(0)}, {T(0), T(2) * c * s, T(0), T(0)});
    }
    static constexpr std::array<double, 4> generator{0, -1, 0, 0};
};
template <qubit A, qubit B>
struct cz : diagonal_gate<A, B, 2, no_angle, true> {
    template <class T>
    static diag4<T> matrix(const T&, const T&) {
        return detail::phases<T>({T(1), T(1), T(1), T(-1)}, {T(0), T(0), T(0), T(0)});
    }
};
template <qubit C, qubit Tq, class Angle = param<0>>
struct crz : diagonal_gate<C, Tq, 2, Angle, false, 4> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({T(1), c, T(1), c}, {T(0), T(-s), T(0), s});
    }
    static constexpr std::array<double, 4> generator{0, 0.5, 0, -0.5};
};
// RZZ(theta) = exp(-i theta/2 Z(x)Z).
template <qubit A, qubit B, class Angle = param<0>>
struct rzz : diagonal_gate<A, B, 2, Angle, false> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) {
        return detail::phases<T>({c, c, c, c}, {T(-s), s, s, T(-s)});
    }
    static constexpr std::array<double, 4> generator{0.5, -0.5, -0.5, 0.5};
};

// ---- swap ----
template <qubit A, qubit B>
struct swap {
    static_assert(A != B, "a two-qubit gate acts on two different qubits");
    static constexpr gate_shape shape = gate_shape::swap;
    static constexpr qubit a = A, b = B;
    static constexpr std::uint64_t qubits = (std::uint64_t{1} << A) | (std::uint64_t{1} << B);
    static constexpr bool real_matrix = true;
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
    using angle = no_angle;
};

} // namespace qhybrid::quantum

namespace qhybrid::quantum {

// conj(G) with its qubits moved up by Shift: the column half of a gate on a density matrix stored
// as a 2N-qubit vector (G on the row qubits and conj(G) on the column qubits give G rho G^dagger).
// It shares G's angle; as d conj(U)/dtheta = -i (-conj(G_gen)) conj(U), its generator is
// -conj(G_gen).
template <class G, unsigned Shift, gate_shape Shape = G::shape>
struct conjugated;

namespace detail {
template <class T>
mat2<T> conj(mat2<T> m) {
    for (auto& v : m.im) v = -v;
    return m;
}
template <class T>
diag4<T> conj(diag4<T> d) {
    for (auto& v : d.im) v = -v;
    return d;
}
template <class G, bool = has_angle<typename G::angle>>
struct conjugated_generator {};
template <class G>
    requires(G::shape == gate_shape::pair)
struct conjugated_generator<G, true> {
    static constexpr mat2<double> generator{
        {-G::generator.re[0], -G::generator.re[1], -G::generator.re[2], -G::generator.re[3]}, G::generator.im};
};
template <class G>
    requires(G::shape == gate_shape::diagonal)
struct conjugated_generator<G, true> {
    static constexpr std::array<double, 4> generator{-G::generator[0], -G::generator[1], -G::generator[2],
                                                     -G::generator[3]};
};
} // namespace detail

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::pair>
    : pair_gate<G::target + Shift, (G::controls << Shift), typename G::angle, G::real_matrix, G::shift_terms>,
      detail::conjugated_generator<G> {
    static constexpr bool flip = detail::is_flip<G>;
    static constexpr bool rotation = detail::is_rotation<G>;
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return detail::conj(G::template matrix<T>(c, s)); }
};

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::diagonal>
    : diagonal_gate<G::a + Shift, G::b + Shift, G::arity, typename G::angle, G::real_matrix, G::shift_terms>,
      detail::conjugated_generator<G> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) { return detail::conj(G::template matrix<T>(c, s)); }
};

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::swap> : swap<G::a + Shift, G::b + Shift> {};

} // namespace qhybrid::quantum
