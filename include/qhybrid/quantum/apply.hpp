// SPDX-License-Identifier: Apache-2.0
#pragma once
// Applying one gate type to a state: build its matrix from the half-angle trig, spread the matrix
// over SIMD lanes (qubits held in lanes) and call the kernel, on real registers when the gate and
// the state are real. `backward_gate` is the adjoint method's step: it un-applies the gate to the
// state and to the adjoint state and, if the gate has an angle, passes dE/dtheta =
// 2 Im<lambda|G|psi> on to the angle's sources.
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/kernels.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>

namespace qhybrid::quantum::detail {

using kernel::select_lanes;

// Pair coefficients (see kernel::pair_coeffs) of matrix m; lanes whose control bits are not all 1
// get `outside` on the diagonal (1 to apply the gate, 0 for its generator).
template <unsigned LaneBits, class G, class B, class T>
QHYBRID_INLINE kernel::pair_coeffs<B> pair_coefficients(const mat2<T>& m, double outside) {
    constexpr std::uint64_t lc = kernel::lane_mask<LaneBits>(G::controls);
    using R = typename B::value_type;
    const B one(static_cast<R>(outside)), zero(R(0));
    auto b = [](const T& v) { return B(v); };
    if constexpr (G::target >= LaneBits) {
        kernel::pair_coeffs<B> c;
        for (int k = 0; k < 4; ++k) {
            const bool diagonal = (k == 0 || k == 3);
            c[k].re = select_lanes<B, lc, 0>(b(m.re[k]), diagonal ? one : zero);
            c[k].im = select_lanes<B, lc, 0>(b(m.im[k]), zero);
        }
        return c;
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << G::target;
        auto spread = [&](const T& if_one, const T& if_zero, const B& off) {
            return select_lanes<B, lc | t, 0>(b(if_one), select_lanes<B, lc, t>(b(if_zero), off));
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
template <unsigned LaneBits, class G, class B, class T>
QHYBRID_INLINE kernel::diag_coeffs<B> diag_coefficients(const diag4<T>& d) {
    constexpr std::uint64_t la = low_bit<LaneBits, G::a>;
    constexpr std::uint64_t lb = G::arity == 2 ? low_bit<LaneBits, G::b> : 0;
    constexpr bool high_a = la == 0, high_b = G::arity == 2 && lb == 0;
    constexpr int entries = G::arity == 2 ? 4 : 2;
    kernel::diag_coeffs<B> c;
    for (int h = 0; h < 4; ++h) {
        c[h] = {B(0), B(0)};
        [&]<int... I>(std::integer_sequence<int, I...>) {
            auto pick = [&]<int Idx>(std::integral_constant<int, Idx>) {
                if constexpr (Idx < entries) {
                    constexpr int bit_a = Idx & 1, bit_b = Idx >> 1;
                    if ((high_a && bit_a != (h & 1)) || (high_b && bit_b != (h >> 1))) return;
                    constexpr std::uint64_t ones = (bit_a ? la : 0) | (bit_b ? lb : 0);
                    constexpr std::uint64_t zeros = (bit_a ? 0 : la) | (bit_b ? 0 : lb);
                    c[h].re = select_lanes<B, ones, zeros>(B(d.re[Idx]), c[h].re);
                    c[h].im = select_lanes<B, ones, zeros>(B(d.im[Idx]), c[h].im);
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

// Applies G, whose half angle has cosine c and sine s, with register type A.
template <class G, class A, class State, class T>
void apply_gate_as(kernel::view<typename State::real_type, State::registers> v, const T& c, const T& s) {
    using B = typename State::batch_type;
    constexpr unsigned lb = State::lane_qubits;
    if constexpr (is_flip<G>) {
        kernel::apply_flip<lb, G::target, G::controls, A>(v);
    } else if constexpr (G::shape == gate_shape::pair) {
        kernel::apply_pair<lb, G::target, G::controls, G::real_matrix, A>(
            v, pair_coefficients<lb, G, B>(G::template matrix<T>(c, s), 1.0));
    } else {
        using D = diag_bits<G, State>;
        kernel::apply_diagonal<D::a, D::b, G::real_matrix, A>(
            v, diag_coefficients<lb, G, B>(G::template matrix<T>(c, s)));
    }
}

// A density matrix stored as a 2N-qubit vector (see density_matrix.hpp).
template <class State>
concept density_state = requires { requires State::is_density_matrix; };
// A Monte-Carlo trajectory: a statevector that noise acts on stochastically (trajectory.hpp).
template <class State>
concept trajectory_state = requires { requires State::is_trajectory; };

// A density-matrix gate whose row and column halves run in one sweep: diagonal gates always, pair
// gates when the column half's qubits are all held in registers (always but for a few qubits of
// a single state).
template <class G, class H, class V>
inline constexpr bool fusable =
    G::shape == gate_shape::diagonal || (G::shape == gate_shape::pair && kernel::lane_mask<V::lane_qubits>(H::qubits) == 0);

// Uncontrolled real pair gates (RY, H) run factored (kernel::apply_pair_pair_pivoted); their
// column half has the same matrix.
template <class G>
inline constexpr bool pivotable =
    requires { requires G::shape == gate_shape::pair && G::real_matrix && !is_flip<G> && G::controls == 0; };

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

// The pivoted rows of G's real matrix m, spread over lanes as pair_coefficients does. A deferred
// rotation with the off-diagonal pivot scales its lo row by m10 = -m01 (see kernels.hpp).
template <unsigned LaneBits, class G, bool Swap, bool Deferred, class B, class T>
QHYBRID_INLINE kernel::pivoted_rows<B> pivoted_coefficients(const mat2<T>& m) {
    const auto ratio = [](const T& diagonal, const T& off) { return Swap ? T(diagonal / off) : T(off / diagonal); };
    const T lo_pivot = Swap && Deferred ? m.re[2] : Swap ? m.re[1] : m.re[0];
    const B r0(Swap ? T(m.re[0] / lo_pivot) : ratio(m.re[0], m.re[1])), r1(ratio(m.re[3], m.re[2]));
    const B k0(lo_pivot), k1(Swap ? m.re[2] : m.re[3]);
    if constexpr (G::target >= LaneBits) {
        return {{r0, r1}, {k0, k1}};
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << G::target;
        return {{select_lanes<B, t, 0>(r1, r0), B(0)}, {select_lanes<B, t, 0>(k1, k0), B(0)}};
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
        using B = typename State::batch_type;
        if (every(value == T(1))) return;
        auto& v = rho.vectorized();
        if (v.is_real()) kernel::scale<kernel::rvec<B>>(v.raw_view(), B(value));
        else kernel::scale<kernel::cvec<B>>(v.view(), B(value));
        value = T(1);
    }
    // Keeps the unscaled entries below 2^20 (float's range is 2^128).
    void settle_if_large(State& rho) {
        if (!every(value >= T(1.0 / (1 << 20)))) settle(rho);
    }
};

// G and H factored with the pivot Swap; multiplies a deferred rotation's scale into `pending`.
template <class G, class H, bool Swap, class A, class V, class T>
void apply_pivoted(kernel::view<typename V::real_type, V::registers> v, const mat2<T>& m, T& pending) {
    using B = typename V::batch_type;
    constexpr unsigned lb = V::lane_qubits;
    constexpr bool deferred = is_rotation<G> && (G::target >= lb || !Swap);
    const auto p1 = pivoted_coefficients<lb, G, Swap, deferred, B>(m), p2 = pivoted_coefficients<lb, H, Swap, deferred, B>(m);
    if constexpr (G::target < lb) kernel::apply_lane_pair_pivoted<lb, G::target, H::target, Swap, deferred, A>(v, p1, p2);
    else kernel::apply_pair_pair_pivoted<lb, G::target, H::target, Swap, deferred, A>(v, p1, p2);
    if constexpr (deferred) pending *= Swap ? T(m.re[2] * m.re[2]) : T(m.re[0] * m.re[0]);
}

// Sign if G is a rotation exp(-i theta Sign P/2), that is if its generator is Sign P/2; else 0.
template <class G, kernel::pauli P>
consteval int rotation_sign() {
    if constexpr (G::shape != gate_shape::pair || !has_angle<typename G::angle>) {
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
template <class G, class H, class A, class V, class T>
void apply_fused(kernel::view<typename V::real_type, V::registers> v, const T& c, const T& s, T& pending) {
    using B = typename V::batch_type;
    constexpr unsigned lb = V::lane_qubits;
    if constexpr (shaped_in_registers<G, V> && G::shape == gate_shape::diagonal) {
        for_each_phase<G, H, V>(c, s, [&](auto zeros, auto ones, double, const auto& phase) {
            kernel::apply_phase<zeros(), ones()>(v, kernel::cvec<B>{B(phase.first), B(phase.second)});
        });
    } else if constexpr (shaped_in_registers<G, V> && !pivotable<G>) {
        constexpr auto p = rotation_axis<G>;
        kernel::apply_rotation_pair<lb, G::target, G::controls, H::target, H::controls, p, rotation_sign<G, p>(),
                                    rotation_sign<H, p>(), A>(v, B(c), B(s));
    } else if constexpr (G::shape == gate_shape::pair) {
        if constexpr (pivotable<G>) {
            // A batch of different angles may disagree on the pivot; a single state never does.
            const auto m = G::template matrix<T>(c, s);
            if (pivot_fits<false>(m)) return apply_pivoted<G, H, false, A, V>(v, m, pending);
            if (pivot_fits<true>(m)) return apply_pivoted<G, H, true, A, V>(v, m, pending);
        }
        const auto c1 = pair_coefficients<lb, G, B>(G::template matrix<T>(c, s), 1.0);
        const auto c2 = pair_coefficients<lb, H, B>(H::template matrix<T>(c, s), 1.0);
        if constexpr (G::target >= lb)
            kernel::apply_pair_pair<lb, G::target, G::controls, H::target, H::controls, is_flip<G>, G::real_matrix, A>(v, c1, c2);
        else
            kernel::apply_lane_pair<lb, G::target, G::controls, H::target, H::controls, is_flip<G>, G::real_matrix, A>(v, c1, c2);
    } else {
        using D1 = diag_bits<G, V>;
        using D2 = diag_bits<H, V>;
        kernel::apply_diagonal_diagonal<D1::a, D1::b, D2::a, D2::b, G::real_matrix, A>(
            v, diag_coefficients<lb, G, B>(G::template matrix<T>(c, s)), diag_coefficients<lb, H, B>(H::template matrix<T>(c, s)));
    }
}

template <class G, class State, class T>
void apply_gate(State& psi, const T& c, const T& s) {
    using B = typename State::batch_type;
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
            if (psi.is_real()) return apply_gate_as<G, kernel::rvec<B>, State>(psi.raw_view(), c, s);
        apply_gate_as<G, kernel::cvec<B>, State>(psi.view(), c, s);
    }
}

// G on a density matrix whose vector holds rho / pending.value.
template <class G, class State, class T>
void apply_gate(State& rho, const T& c, const T& s, pending_scale<State>& pending) {
    using B = typename State::batch_type;
    using V = typename State::vector_type;
    using H = conjugated<G, State::num_qubits>;
    auto& v = rho.vectorized();
    if constexpr (G::shape == gate_shape::barrier) {
        return;
    } else if constexpr (fusable<G, H, V>) {
        if constexpr (G::real_matrix)
            if (v.is_real()) return apply_fused<G, H, kernel::rvec<B>, V>(v.raw_view(), c, s, pending.value);
        apply_fused<G, H, kernel::cvec<B>, V>(v.view(), c, s, pending.value);
    } else {
        apply_gate<G>(v, c, s);
        apply_gate<H>(v, c, s);
    }
}

// Un-applies G to psi and lambda with register type A; returns the lane sums of Im<lambda|G|psi>
// if G has an angle.
template <class G, class A, class State, class T>
typename State::batch_type backward_gate_as(kernel::view<typename State::real_type, State::registers> psi,
                                            kernel::view<typename State::real_type, State::registers> lam,
                                            const T& c, const T& s) {
    using B = typename State::batch_type;
    constexpr unsigned lb = State::lane_qubits;
    constexpr bool with_generator = has_angle<typename G::angle>;
    constexpr bool real = std::is_same_v<A, kernel::rvec<B>>;
    if constexpr (G::shape == gate_shape::pair) {
        kernel::pair_coeffs<B> gen{};
        if constexpr (with_generator) {
            const auto g = cast<T>(G::generator);
            gen = pair_coefficients<lb, G, B>(real ? imaginary_part(g) : g, 0.0);
        }
        return kernel::backward_pair<lb, G::target, G::controls, G::real_matrix, with_generator, A>(
            psi, lam, pair_coefficients<lb, G, B>(adjoint(G::template matrix<T>(c, s)), 1.0), gen);
    } else {
        using D = diag_bits<G, State>;
        kernel::diag_coeffs<B> gen{};
        if constexpr (with_generator) gen = diag_coefficients<lb, G, B>(cast<T>(G::generator));
        return kernel::backward_diagonal<D::a, D::b, G::real_matrix, with_generator, A>(
            psi, lam, diag_coefficients<lb, G, B>(adjoint(G::template matrix<T>(c, s))), gen);
    }
}

// Un-applies G (not a swap or a flip) to psi and lambda; returns the lane sums of
// Im<lambda|G_gen|psi> (zero for a gate without an angle).
template <class G, class State, class T>
typename State::batch_type backward_sum(State& psi, State& lam, const T& c, const T& s) {
    using B = typename State::batch_type;
    if constexpr (G::real_matrix)
        if (psi.is_real() && lam.is_real())
            return backward_gate_as<G, kernel::rvec<B>, State>(psi.raw_view(), lam.raw_view(), c, s);
    return backward_gate_as<G, kernel::cvec<B>, State>(psi.view(), lam.view(), c, s);
}

// Un-applies G and H (conj(G) on the column qubits) to a density matrix's psi and lambda; returns
// the lane sums of Im<<lambda|G_gen + H_gen|psi>>, where H_gen = -conj(G_gen).
template <class G, class H, class V, class T>
typename V::batch_type backward_fused(V& psi, V& lam, const T& c, const T& s) {
    using B = typename V::batch_type;
    using R = typename V::real_type;
    if constexpr (shaped_in_registers<G, V> && G::shape == gate_shape::pair) {
        constexpr auto p = rotation_axis<G>;
        const auto run = [&]<class A>(kernel::view<R, V::registers> ps, kernel::view<R, V::registers> ls) {
            return kernel::backward_rotation_pair<V::lane_qubits, G::target, G::controls, H::target, H::controls, p,
                                                  rotation_sign<G, p>(), rotation_sign<H, p>(), A>(ps, ls, B(c), B(s));
        };
        if constexpr (p == kernel::pauli::y)
            if (psi.is_real() && lam.is_real()) return run.template operator()<kernel::rvec<B>>(psi.raw_view(), lam.raw_view());
        return run.template operator()<kernel::cvec<B>>(psi.view(), lam.view());
    } else if constexpr (shaped_in_registers<G, V>) {
        const auto ps = psi.view(), ls = lam.view();
        B acc(R(0));
        for_each_phase<G, H, V>(c, s, [&](auto zeros, auto ones, double delta, const auto& phase) {
            const kernel::cvec<B> undo{B(phase.first), B(-phase.second)};
            acc += B(R(delta)) * kernel::backward_phase<zeros(), ones()>(ps, ls, undo);
        });
        return acc;
    } else {
        // Two sweeps: in one, the psi and lambda registers and four general coefficient sets
        // outgrow the 32 AVX-512 registers and spill (the 4-qubit noisy module ran 1.5x slower).
        return backward_sum<H>(psi, lam, c, s) + backward_sum<G>(psi, lam, c, s);
    }
}

// The adjoint method's step for G (half angle with cosine c and sine s, the first parameter of
// its circuit at `offset`). For a pure state E = <psi|O|psi> and dE/dtheta = 2 Im<lambda|G|psi>;
// for a density matrix E = <<O|rho>> is linear, dE/dtheta = Im<<lambda|G_row - conj(G)_col|rho>>.
template <class G, class State, class Ctx, class T>
void backward_gate(State& psi, State& lam, Ctx& ctx, std::size_t offset, const T& c, const T& s) {
    using A = typename G::angle;
    if constexpr (G::shape == gate_shape::barrier) {
        return;
    } else if constexpr (G::shape == gate_shape::swap || is_flip<G>) {
        apply_gate<G>(psi, c, s); // its own inverse, without an angle
        apply_gate<G>(lam, c, s);
    } else if constexpr (density_state<State>) {
        using V = typename State::vector_type;
        const auto acc = backward_fused<G, conjugated<G, State::num_qubits>>(psi.vectorized(), lam.vectorized(), c, s);
        if constexpr (has_angle<A>) A::template add_gradient<T>(ctx, offset, V::collapse(acc));
    } else {
        const auto acc = backward_sum<G>(psi, lam, c, s);
        if constexpr (has_angle<A>) A::template add_gradient<T>(ctx, offset, T(2) * State::collapse(acc));
    }
}

} // namespace qhybrid::quantum::detail
