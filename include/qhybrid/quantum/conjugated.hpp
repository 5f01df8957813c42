// SPDX-License-Identifier: Apache-2.0
#pragma once
// The column half of a gate on a density matrix (density_matrix.hpp, apply_density.hpp).
#include "qhybrid/quantum/gates.hpp"

#include <array>
#include <cstdint>

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
template <matrix_gate G>
struct conjugated_generator<G, true> {
    static constexpr mat2<double> generator{
        {-G::generator.re[0], -G::generator.re[1], -G::generator.re[2], -G::generator.re[3]}, G::generator.im};
};
template <diagonal_gate G>
struct conjugated_generator<G, true> {
    static constexpr std::array<double, 4> generator{-G::generator[0], -G::generator[1], -G::generator[2],
                                                     -G::generator[3]};
};
} // namespace detail

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::matrix>
    : matrix_gate_base<G::target + Shift, (G::controls << Shift), typename G::angle, G::real_matrix, G::shift_terms>,
      detail::conjugated_generator<G> {
    static constexpr bool flip = G::flip;
    static constexpr bool rotation = G::rotation;
    template <class T>
    static mat2<T> matrix(const T& c, const T& s) { return detail::conj(G::template matrix<T>(c, s)); }
};

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::diagonal>
    : diagonal_gate_base<G::a + Shift, G::b + Shift, G::arity, typename G::angle, G::real_matrix, G::shift_terms>,
      detail::conjugated_generator<G> {
    template <class T>
    static diag4<T> matrix(const T& c, const T& s) { return detail::conj(G::template matrix<T>(c, s)); }
};

template <class G, unsigned Shift>
struct conjugated<G, Shift, gate_shape::swap> : swap<G::a + Shift, G::b + Shift> {};

} // namespace qhybrid::quantum
