// SPDX-License-Identifier: Apache-2.0
#pragma once
// A gate on a density matrix's vector: G on the row qubits and conj(G) (conjugated.hpp) on the
// column qubits, in one sweep where the kernels allow (diagonal gates, pivoted real gates,
// rotations and phases in the shape of their matrix), else as two gates on the vector.
#include "qhybrid/quantum/apply.hpp"
#include "qhybrid/quantum/conjugated.hpp"
#include "qhybrid/quantum/density_kernels.hpp"
#include "qhybrid/quantum/density_rotation_kernels.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>

namespace qhybrid::quantum::detail {
// A density-matrix gate whose row and column halves run in one sweep: diagonal gates always, matrix
// gates when the column half's qubits are all held in registers (always but for a few qubits of
// a single state).
template <class G, class H, class V>
inline constexpr bool fusable =
    G::shape == gate_shape::diagonal || (G::shape == gate_shape::matrix && kernel::lane_mask<V::lane_qubits>(H::qubits) == 0);

// Uncontrolled real matrix gates (RY, H) run factored (kernel::apply_two_pivoted); their
// column half has the same matrix.
template <class G>
inline constexpr bool pivotable =
    requires { requires G::shape == gate_shape::matrix && G::real_matrix && !is_flip<G> && G::controls == 0; };

template <class T>
bool every(const T& b) {
    if constexpr (std::is_same_v<T, bool>) return b;
    else return xsimd::all(b);
}

// Whether every lane of the real matrix m takes the diagonal (Swap = false) or the off-diagonal
// pivot in both rows, (m00, m01) and (m11, m10).
template <bool Swap, class T>
bool pivot_fits(const mat2<T>& m) {
    using std::abs;
    const auto fits = [](const T& diagonal, const T& off) {
        return Swap ? every(abs(diagonal) <= abs(off)) : every(abs(off) <= abs(diagonal));
    };
    return fits(m.re[0], m.re[1]) && fits(m.re[3], m.re[2]);
}

// The pivoted rows of G's real matrix m, spread over lanes as matrix_coefficients does. A deferred
// rotation with the off-diagonal pivot scales its lo row by m10 = -m01 (see density_kernels.hpp).
template <unsigned LaneBits, class G, bool Swap, bool Deferred, class Batch, class T>
QHYBRID_INLINE kernel::pivoted_rows<Batch> pivoted_coefficients(const mat2<T>& m) {
    const auto ratio = [](const T& diagonal, const T& off) { return Swap ? T(diagonal / off) : T(off / diagonal); };
    const T lo_pivot = Swap && Deferred ? m.re[2] : Swap ? m.re[1] : m.re[0];
    const Batch r0(Swap ? T(m.re[0] / lo_pivot) : ratio(m.re[0], m.re[1])), r1(ratio(m.re[3], m.re[2]));
    const Batch k0(lo_pivot), k1(Swap ? m.re[2] : m.re[3]);
    if constexpr (G::target >= LaneBits) {
        return {{r0, r1}, {k0, k1}};
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << G::target;
        return {{select_lanes<Batch, t, 0>(r1, r0), Batch(0)}, {select_lanes<Batch, t, 0>(k1, k0), Batch(0)}};
    }
}

// The scale that a density matrix's factored rotations leave pending, per sample in a batch: the
// vector holds rho / value until `settle` multiplies it in. Gates and channels are linear, so
// they run on the unscaled vector unchanged. Every deferred rotation contributes c^2 or s^2, the
// larger, so at least 1/2.
template <class State>
struct pending_scale {
    using T = typename State::value_type;
    T value = T(1); // (a batch's braced {1} would read 8 values from one)

    void settle(State& rho) {
        using Batch = typename State::batch_type;
        if (every(value == T(1))) return;
        auto& v = rho.vectorized();
        if (v.is_real()) kernel::scale<kernel::rvec<Batch>>(v.raw_view(), Batch(value));
        else kernel::scale<kernel::cvec<Batch>>(v.view(), Batch(value));
        value = T(1);
    }
    // Keeps the unscaled entries below 2^20 (float's range is 2^128).
    void settle_if_large(State& rho) {
        if (!every(value >= T(1.0 / (1 << 20)))) settle(rho);
    }
};

// G and H factored with the pivot Swap; multiplies a deferred rotation's scale into `pending`.
template <class G, class H, bool Swap, class Reg, class V, class T>
void apply_pivoted(kernel::view<typename V::real_type, V::registers> v, const mat2<T>& m, T& pending) {
    using Batch = typename V::batch_type;
    constexpr unsigned lb = V::lane_qubits;
    constexpr bool deferred = is_rotation<G> && (G::target >= lb || !Swap);
    const auto p1 = pivoted_coefficients<lb, G, Swap, deferred, Batch>(m), p2 = pivoted_coefficients<lb, H, Swap, deferred, Batch>(m);
    if constexpr (G::target < lb) kernel::apply_two_pivoted_lane_first<lb, G::target, H::target, Swap, deferred, Reg>(v, p1, p2);
    else kernel::apply_two_pivoted<lb, G::target, H::target, Swap, deferred, Reg>(v, p1, p2);
    if constexpr (deferred) pending *= Swap ? T(m.re[2] * m.re[2]) : T(m.re[0] * m.re[0]);
}

// Sign if G is a rotation exp(-i theta Sign P/2), that is if its generator is Sign P/2; else 0.
template <class G, kernel::pauli P>
consteval int rotation_sign() {
    if constexpr (G::shape != gate_shape::matrix || !has_angle<typename G::angle>) {
        return 0;
    } else {
        constexpr mat2<double> g = G::generator;
        constexpr bool zero_diagonal = g.re[0] == 0 && g.re[3] == 0 && g.im[0] == 0 && g.im[3] == 0;
        // X = (0, 1; 1, 0), Y = (0, -i; i, 0)
        constexpr double half = P == kernel::pauli::x ? g.re[1] : g.im[2];
        constexpr bool shaped = P == kernel::pauli::x ? g.re[2] == half && g.im[1] == 0 && g.im[2] == 0
                                                      : g.im[1] == -half && g.re[1] == 0 && g.re[2] == 0;
        return zero_diagonal && shaped && (half == 0.5 || half == -0.5) ? (half > 0 ? 1 : -1) : 0;
    }
}

// e^{i theta k/2} from the half-angle trig c = cos(theta/2), s = sin(theta/2).
template <int K, class T>
std::pair<T, T> half_angle_power(const T& c, const T& s) {
    if constexpr (K < 0) {
        const auto [re, im] = half_angle_power<-K>(c, s);
        return {re, T(-im)};
    } else if constexpr (K == 0) {
        return {T(1), T(0)};
    } else {
        const auto [re, im] = half_angle_power<K - 1>(c, s);
        return {T(re * c - im * s), T(re * s + im * c)};
    }
}

// A diagonal gate exp(-i theta D) on a density matrix, with its column half (generator -D),
// multiplies the entry of row bits h and column bits k by exp(-i theta (D[h] - D[k])): one phase
// per value of the gate's register bits, and none where D[h] = D[k]. Calls
// f(zeros, ones, delta, phase) for each phase not 1, with the register bits that are 0 and 1 as
// integral constants, delta = D[h] - D[k] and phase = e^{-i theta delta} as (re, im).
template <class G, class H, class V, class T, class F>
void for_each_phase(const T& c, const T& s, F&& f) {
    constexpr unsigned lb = V::lane_qubits;
    constexpr int entries = G::arity == 2 ? 4 : 2;
    constexpr auto bits = [](int h, int k) {
        const auto bit = [](qubit q, bool one) { return one ? std::uint64_t{1} << (q - lb) : 0; };
        std::uint64_t m = bit(G::a, h & 1) | bit(H::a, k & 1);
        if (G::arity == 2) m |= bit(G::b, h & 2) | bit(H::b, k & 2);
        return m;
    };
    [&]<int... I>(std::integer_sequence<int, I...>) {
        const auto entry = [&]<int Index>(std::integral_constant<int, Index>) {
            constexpr int h = Index % entries, k = Index / entries;
            constexpr double delta = G::generator[h] - G::generator[k];
            constexpr int twice = int(2 * delta);
            static_assert(twice == 2 * delta, "qhybrid: a phase gate's generator takes multiples of 1/2");
            if constexpr (twice != 0) {
                constexpr std::uint64_t ones = bits(h, k), zeros = bits(entries - 1, entries - 1) & ~ones;
                f(std::integral_constant<std::uint64_t, zeros>{}, std::integral_constant<std::uint64_t, ones>{}, delta,
                  half_angle_power<-twice>(c, s));
            }
        };
        (entry(std::integral_constant<int, I>{}), ...);
    }(std::make_integer_sequence<int, entries * entries>{});
}

// Gates with an angle whose qubits a density matrix holds in registers run in the shape of their
// matrix: a rotation's pair in 8 operations, a phase gate only where its phase is not 1.
template <class G, class V>
inline constexpr bool shaped_in_registers =
    has_angle<typename G::angle> && kernel::lane_mask<V::lane_qubits>(G::qubits) == 0 &&
    (G::shape == gate_shape::diagonal || rotation_sign<G, kernel::pauli::x>() != 0 ||
     rotation_sign<G, kernel::pauli::y>() != 0);
template <class G>
inline constexpr kernel::pauli rotation_axis =
    rotation_sign<G, kernel::pauli::x>() != 0 ? kernel::pauli::x : kernel::pauli::y;

// G and H (conj(G) on the column qubits) in one sweep over the vector of a density matrix.
template <class G, class H, class Reg, class V, class T>
void apply_fused(kernel::view<typename V::real_type, V::registers> v, const T& c, const T& s, T& pending) {
    using Batch = typename V::batch_type;
    constexpr unsigned lb = V::lane_qubits;
    if constexpr (shaped_in_registers<G, V> && G::shape == gate_shape::diagonal) {
        for_each_phase<G, H, V>(c, s, [&](auto zeros, auto ones, double, const auto& phase) {
            kernel::apply_phase<zeros(), ones()>(v, kernel::cvec<Batch>{Batch(phase.first), Batch(phase.second)});
        });
    } else if constexpr (shaped_in_registers<G, V> && !pivotable<G>) {
        constexpr auto p = rotation_axis<G>;
        kernel::apply_two_rotations<lb, G::target, G::controls, H::target, H::controls, p, rotation_sign<G, p>(),
                                    rotation_sign<H, p>(), Reg>(v, Batch(c), Batch(s));
    } else if constexpr (G::shape == gate_shape::matrix) {
        if constexpr (pivotable<G>) {
            // A batch of different angles may disagree on the pivot; a single state never does.
            const auto m = G::template matrix<T>(c, s);
            if (pivot_fits<false>(m)) return apply_pivoted<G, H, false, Reg, V>(v, m, pending);
            if (pivot_fits<true>(m)) return apply_pivoted<G, H, true, Reg, V>(v, m, pending);
        }
        const auto c1 = matrix_coefficients<lb, G, Batch>(G::template matrix<T>(c, s), 1.0);
        const auto c2 = matrix_coefficients<lb, H, Batch>(H::template matrix<T>(c, s), 1.0);
        if constexpr (G::target >= lb)
            kernel::apply_two_matrices<lb, G::target, G::controls, H::target, H::controls, is_flip<G>, G::real_matrix, Reg>(v, c1, c2);
        else
            kernel::apply_two_matrices_lane_first<lb, G::target, G::controls, H::target, H::controls, is_flip<G>, G::real_matrix, Reg>(v, c1, c2);
    } else {
        using D1 = diag_bits<G, V>;
        using D2 = diag_bits<H, V>;
        kernel::apply_diagonal_diagonal<D1::a, D1::b, D2::a, D2::b, G::real_matrix, Reg>(
            v, diag_coefficients<lb, G, Batch>(G::template matrix<T>(c, s)), diag_coefficients<lb, H, Batch>(H::template matrix<T>(c, s)));
    }
}

// Un-applies G and H (conj(G) on the column qubits) to a density matrix's psi and lambda; returns
// the lane sums of Im<<lambda|G_gen + H_gen|psi>>, where H_gen = -conj(G_gen).
template <class G, class H, class V, class T>
typename V::batch_type backward_fused(V& psi, V& lam, const T& c, const T& s) {
    using Batch = typename V::batch_type;
    using R = typename V::real_type;
    if constexpr (shaped_in_registers<G, V> && G::shape == gate_shape::matrix) {
        constexpr auto p = rotation_axis<G>;
        const auto run = [&]<class Reg>(kernel::view<R, V::registers> ps, kernel::view<R, V::registers> ls) {
            return kernel::backward_two_rotations<V::lane_qubits, G::target, G::controls, H::target, H::controls, p,
                                                  rotation_sign<G, p>(), rotation_sign<H, p>(), Reg>(ps, ls, Batch(c), Batch(s));
        };
        if constexpr (p == kernel::pauli::y)
            if (psi.is_real() && lam.is_real()) return run.template operator()<kernel::rvec<Batch>>(psi.raw_view(), lam.raw_view());
        return run.template operator()<kernel::cvec<Batch>>(psi.view(), lam.view());
    } else if constexpr (shaped_in_registers<G, V>) {
        const auto ps = psi.view(), ls = lam.view();
        Batch acc(R(0));
        for_each_phase<G, H, V>(c, s, [&](auto zeros, auto ones, double delta, const auto& phase) {
            const kernel::cvec<Batch> undo{Batch(phase.first), Batch(-phase.second)};
            acc += Batch(R(delta)) * kernel::backward_phase<zeros(), ones()>(ps, ls, undo);
        });
        return acc;
    } else {
        // Two sweeps: in one, the psi and lambda registers and four general coefficient sets
        // outgrow the 32 AVX-512 registers and spill (the 4-qubit noisy module ran 1.5x slower).
        return backward_sum<H>(psi, lam, c, s) + backward_sum<G>(psi, lam, c, s);
    }
}

} // namespace qhybrid::quantum::detail
