// SPDX-License-Identifier: Apache-2.0
#pragma once
// Applying one gate type to a pure state: build its matrix from the half-angle trig, spread the
// matrix over SIMD lanes (qubits held in lanes) and call the kernel, on real registers when the
// gate and the state are real; `backward_gate_as` un-applies it to the state and to the adjoint
// state. A density matrix's fast paths: apply_density.hpp; the step for any state:
// gate_dispatch.hpp.
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/kernels.hpp"

#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace qhybrid::quantum::detail {


using kernel::select_lanes;

// Matrix coefficients (see kernel::matrix_coeffs) of matrix m; lanes whose control bits are not all 1
// get `outside` on the diagonal (1 to apply the gate, 0 for its generator).
template <unsigned LaneBits, class G, class Batch, class T>
QHYBRID_INLINE kernel::matrix_coeffs<Batch> matrix_coefficients(const mat2<T>& m, double outside) {
    constexpr std::uint64_t lc = kernel::lane_mask<LaneBits>(G::controls);
    using R = typename Batch::value_type;
    const Batch one(static_cast<R>(outside)), zero(R(0));
    auto b = [](const T& v) { return Batch(v); };
    if constexpr (G::target >= LaneBits) {
        kernel::matrix_coeffs<Batch> c;
        for (int k = 0; k < 4; ++k) {
            const bool diagonal = (k == 0 || k == 3);
            c[k].re = select_lanes<Batch, lc, 0>(b(m.re[k]), diagonal ? one : zero);
            c[k].im = select_lanes<Batch, lc, 0>(b(m.im[k]), zero);
        }
        return c;
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << G::target;
        auto spread = [&](const T& if_one, const T& if_zero, const Batch& off) {
            return select_lanes<Batch, lc | t, 0>(b(if_one), select_lanes<Batch, lc, t>(b(if_zero), off));
        };
        return {{{spread(m.re[3], m.re[0], one), spread(m.im[3], m.im[0], zero)},
                 {spread(m.re[2], m.re[1], zero), spread(m.im[2], m.im[1], zero)},
                 {zero, zero},
                 {zero, zero}}};
    }
}

// Register bit of qubit q, or 0 if q is held in lanes.
template <unsigned LaneBits, qubit Q>
inline constexpr std::uint64_t high_bit = Q >= LaneBits ? std::uint64_t{1} << (Q - LaneBits) : 0;
template <unsigned LaneBits, qubit Q>
inline constexpr std::uint64_t low_bit = Q < LaneBits ? std::uint64_t{1} << Q : 0;

// Diagonal coefficients: entry h is the lane vector for registers whose high gate bits spell h.
template <unsigned LaneBits, class G, class Batch, class T>
QHYBRID_INLINE kernel::diag_coeffs<Batch> diag_coefficients(const diag4<T>& d) {
    constexpr std::uint64_t la = low_bit<LaneBits, G::a>;
    constexpr std::uint64_t lb = G::arity == 2 ? low_bit<LaneBits, G::b> : 0;
    constexpr bool high_a = la == 0, high_b = G::arity == 2 && lb == 0;
    constexpr int entries = G::arity == 2 ? 4 : 2;
    kernel::diag_coeffs<Batch> c;
    for (int h = 0; h < 4; ++h) {
        c[h] = {Batch(0), Batch(0)};
        [&]<int... I>(std::integer_sequence<int, I...>) {
            auto pick = [&]<int Idx>(std::integral_constant<int, Idx>) {
                if constexpr (Idx < entries) {
                    constexpr int bit_a = Idx & 1, bit_b = Idx >> 1;
                    if ((high_a && bit_a != (h & 1)) || (high_b && bit_b != (h >> 1))) return;
                    constexpr std::uint64_t ones = (bit_a ? la : 0) | (bit_b ? lb : 0);
                    constexpr std::uint64_t zeros = (bit_a ? 0 : la) | (bit_b ? 0 : lb);
                    c[h].re = select_lanes<Batch, ones, zeros>(Batch(d.re[Idx]), c[h].re);
                    c[h].im = select_lanes<Batch, ones, zeros>(Batch(d.im[Idx]), c[h].im);
                }
            };
            (pick(std::integral_constant<int, I>{}), ...);
        }(std::make_integer_sequence<int, 4>{});
    }
    return c;
}

template <class T>
mat2<T> adjoint(const mat2<T>& m) {
    return {{m.re[0], m.re[2], m.re[1], m.re[3]}, {-m.im[0], -m.im[2], -m.im[1], -m.im[3]}};
}
template <class T>
diag4<T> adjoint(const diag4<T>& d) {
    return {d.re, {-d.im[0], -d.im[1], -d.im[2], -d.im[3]}};
}

template <class T>
mat2<T> cast(const mat2<double>& m) {
    mat2<T> r;
    for (int k = 0; k < 4; ++k) r.re[k] = T(m.re[k]), r.im[k] = T(m.im[k]);
    return r;
}
template <class T>
diag4<T> cast(const std::array<double, 4>& g) {
    return {{T(g[0]), T(g[1]), T(g[2]), T(g[3])}, {T(0), T(0), T(0), T(0)}};
}

template <class T>
mat2<T> imaginary_part(const mat2<T>& m) {
    return {m.im, {T(0), T(0), T(0), T(0)}};
}

// Register bits of a diagonal gate's qubits.
template <class G, class State>
struct diag_bits {
    static constexpr std::uint64_t a = high_bit<State::lane_qubits, G::a>;
    static constexpr std::uint64_t b = G::arity == 2 ? high_bit<State::lane_qubits, G::b> : 0;
};

// Applies G, whose half angle has cosine c and sine s, with register type Reg.
template <class G, class Reg, class State, class T>
void apply_gate_as(kernel::view<typename State::real_type, State::registers> v, const T& c, const T& s) {
    using Batch = typename State::batch_type;
    constexpr unsigned lb = State::lane_qubits;
    if constexpr (is_flip<G>) {
        kernel::apply_flip<lb, G::target, G::controls, Reg>(v);
    } else if constexpr (G::shape == gate_shape::matrix) {
        kernel::apply_matrix<lb, G::target, G::controls, G::real_matrix, Reg>(
            v, matrix_coefficients<lb, G, Batch>(G::template matrix<T>(c, s), 1.0));
    } else {
        using D = diag_bits<G, State>;
        kernel::apply_diagonal<D::a, D::b, G::real_matrix, Reg>(
            v, diag_coefficients<lb, G, Batch>(G::template matrix<T>(c, s)));
    }
}

// Un-applies G to psi and lambda with register type Reg; returns the lane sums of Im<lambda|G|psi>
// if G has an angle.
template <class G, class Reg, class State, class T>
typename State::batch_type backward_gate_as(kernel::view<typename State::real_type, State::registers> psi,
                                            kernel::view<typename State::real_type, State::registers> lam,
                                            const T& c, const T& s) {
    using Batch = typename State::batch_type;
    constexpr unsigned lb = State::lane_qubits;
    constexpr bool with_generator = has_angle<typename G::angle>;
    constexpr bool real = std::is_same_v<Reg, kernel::rvec<Batch>>;
    if constexpr (G::shape == gate_shape::matrix) {
        kernel::matrix_coeffs<Batch> gen{};
        if constexpr (with_generator) {
            const auto g = cast<T>(G::generator);
            gen = matrix_coefficients<lb, G, Batch>(real ? imaginary_part(g) : g, 0.0);
        }
        return kernel::backward_matrix<lb, G::target, G::controls, G::real_matrix, with_generator, Reg>(
            psi, lam, matrix_coefficients<lb, G, Batch>(adjoint(G::template matrix<T>(c, s)), 1.0), gen);
    } else {
        using D = diag_bits<G, State>;
        kernel::diag_coeffs<Batch> gen{};
        if constexpr (with_generator) gen = diag_coefficients<lb, G, Batch>(cast<T>(G::generator));
        return kernel::backward_diagonal<D::a, D::b, G::real_matrix, with_generator, Reg>(
            psi, lam, diag_coefficients<lb, G, Batch>(adjoint(G::template matrix<T>(c, s))), gen);
    }
}

// Un-applies G (not a swap or a flip) to psi and lambda; returns the lane sums of
// Im<lambda|G_gen|psi> (zero for a gate without an angle).
template <class G, class State, class T>
typename State::batch_type backward_sum(State& psi, State& lam, const T& c, const T& s) {
    using Batch = typename State::batch_type;
    if constexpr (G::real_matrix)
        if (psi.is_real() && lam.is_real())
            return backward_gate_as<G, kernel::rvec<Batch>, State>(psi.raw_view(), lam.raw_view(), c, s);
    return backward_gate_as<G, kernel::cvec<Batch>, State>(psi.view(), lam.view(), c, s);
}

} // namespace qhybrid::quantum::detail
