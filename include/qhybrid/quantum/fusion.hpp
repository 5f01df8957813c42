// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gate fusion for noiseless pure states. A gate applied on its own is one sweep over the state,
// and on states that fit in cache the sweeps' loads and stores cost as much as the arithmetic.
// So the gates are grouped into passes: a pass holds gates whose qubits, besides the lane qubits,
// fall in a set of at most K register qubits, and one sweep loads a tile of 2^K registers,
// applies every gate of the pass to it in registers, and stores it. Inside a tile a CNOT between
// register qubits is a renaming of registers, free.
//
// Gates on disjoint qubits commute, so a pass also takes a gate from further down the circuit
// when no gate it skips shares a qubit with it. A Quantum-Train block on 12 qubits (12 RY and a
// 12-CNOT ring) runs in 4 sweeps instead of 24.
//
// The plan is made at compile time. A long repeat stays a runtime loop over one planned body, so
// long circuits cost no more to compile than their body; everything else is planned as one list
// of gates.
//
// Scaled rotations. An RY costs a multiply and an FMA per amplitude (c lo - s hi); divided by c
// it is one FMA (lo - t hi, t = s/c). In a single statevector whose circuit has only RY, CNOT,
// CZ and Pauli gates, every RY of a pass but the first takes that form, and the first (the pass's
// carrier) keeps the full form with the other RYs' factors c multiplied in, so each pass leaves
// the state normalized. Where |c| < |s| the gate is written X Z RY(theta - pi), whose tangent is
// at most 1 in magnitude, and the X Z goes into a Pauli frame (pauli_frame.hpp) that is applied
// once, after the circuit. (In a batched state each lane would need a frame of its own.)
#include "qhybrid/quantum/apply.hpp"
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/pauli_frame.hpp"

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <utility>

QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::detail {

// Whether every value is true, for a pack as a braced list: a fold over && nests its operands,
// and clang stops at a depth of 256 (circuits have more gates).
constexpr bool all_true(std::initializer_list<bool> values) {
    for (bool v : values)
        if (!v) return false;
    return true;
}

// f(integral_constant<I>) for I = 0 .. Count-1, expanded into an array initializer (not a
// comma fold: clang limits those to 256 terms, and g++'s -Wsequence-point is slow on long ones).
template <std::size_t Count, class F>
QHYBRID_INLINE void static_for(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) QHYBRID_INLINE_LAMBDA {
        using swallow = int[];
        (void)swallow{0, (f(std::integral_constant<std::size_t, I>{}), 0)...};
    }(std::make_index_sequence<Count>{});
}

// ---- flat gate lists ----------------------------------------------------------------------------

// A circuit's gates as one list: pair and diagonal gates only (a swap is three CNOTs; a barrier
// does nothing without noise), each with the offset of its circuit's first parameter (param<K>
// counts from there), `Offsets` = std::index_sequence of them.
template <class Offsets, class... Gs>
struct gate_list;
template <std::size_t... Offsets, class... Gs>
struct gate_list<std::index_sequence<Offsets...>, Gs...> {
    static constexpr std::size_t size = sizeof...(Gs);
    static constexpr bool real = all_true({Gs::real_matrix...});
    template <std::size_t I>
    using at = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(boost::hana::tuple_t<Gs...>))>::type;
    static constexpr std::array<std::size_t, size + 1> param_offset{Offsets..., 0};

    // The angle table index of gate I, counted from the list's first gate with an angle.
    static constexpr std::array<std::size_t, size + 1> angle_index = [] {
        constexpr std::array<bool, size + 1> has{has_angle<typename Gs::angle>..., false};
        std::array<std::size_t, size + 1> a{};
        for (std::size_t i = 0; i < size; ++i) a[i + 1] = a[i] + has[i];
        return a;
    }();
};
template <class>
inline constexpr std::size_t offset_zero = 0;
template <class... Gs>
using unplaced_gates = gate_list<std::index_sequence<offset_zero<Gs>...>, Gs...>;

// A list with its parameter offsets moved up by Shift (a list that follows others in a circuit).
template <class List, std::size_t Shift>
struct shifted {
    using type = void; // a long repeat
};
template <std::size_t... O, class... Gs, std::size_t Shift>
struct shifted<gate_list<std::index_sequence<O...>, Gs...>, Shift> {
    using type = gate_list<std::index_sequence<(O + Shift)...>, Gs...>;
};

template <class... Lists>
struct concat {
    using type = void; // some part holds a long repeat
};
template <>
struct concat<> {
    using type = unplaced_gates<>;
};
template <class O, class... A>
struct concat<gate_list<O, A...>> {
    using type = gate_list<O, A...>;
};
template <std::size_t... O, class... A, std::size_t... P, class... B, class... Rest>
struct concat<gate_list<std::index_sequence<O...>, A...>, gate_list<std::index_sequence<P...>, B...>, Rest...>
    : concat<gate_list<std::index_sequence<O..., P...>, A..., B...>, Rest...> {};

template <class G, gate_shape = G::shape>
struct expand {
    using type = unplaced_gates<G>;
};
template <class G>
struct expand<G, gate_shape::swap> {
    using type = unplaced_gates<cnot<G::a, G::b>, cnot<G::b, G::a>, cnot<G::a, G::b>>;
};
template <class G>
struct expand<G, gate_shape::barrier> {
    using type = unplaced_gates<>;
};

// Longer passes would only grow the code: a tile's sweep is already paid for.
inline constexpr std::size_t max_pass_gates = 64;

// The gates of a circuit as one list, or void if it holds a long repeat (one of more than
// max_pass_gates gates runs as a loop; a short one is unrolled, so that its repetitions and the
// gates around it share passes).
template <class C>
struct flat_gates;
template <class... Gs>
struct flat_gates<circuit<Gs...>> : concat<typename expand<Gs>::type...> {};
template <class... Cs>
struct flat_gates<compose<Cs...>> {
    static constexpr std::array<std::size_t, sizeof...(Cs) + 1> first_param = [] {
        constexpr std::array<std::size_t, sizeof...(Cs) + 1> n{Cs::num_params..., 0};
        std::array<std::size_t, sizeof...(Cs) + 1> a{};
        for (std::size_t i = 0; i < sizeof...(Cs); ++i) a[i + 1] = a[i] + n[i];
        return a;
    }();
    using type = typename decltype([]<std::size_t... I>(std::index_sequence<I...>) {
        return std::type_identity<typename concat<typename shifted<typename flat_gates<Cs>::type, first_param[I]>::type...>::type>{};
    }(std::index_sequence_for<Cs...>{}))::type;
};
template <std::size_t Reps, class C>
struct flat_gates<repeat<Reps, C>> {
    using type = typename decltype([]<std::size_t... R>(std::index_sequence<R...>) {
        if constexpr (Reps * C::num_gates > max_pass_gates) return std::type_identity<void>{};
        else return std::type_identity<typename concat<typename shifted<typename flat_gates<C>::type, R * C::num_params>::type...>::type>{};
    }(std::make_index_sequence<Reps>{}))::type;
};

// Whether every gate of a circuit moves through a Pauli frame.
template <class C>
inline constexpr bool frame_circuit = false;
template <class... Gs>
inline constexpr bool frame_circuit<circuit<Gs...>> = all_true({frame_gate<Gs>...});
template <std::size_t Reps, class C>
inline constexpr bool frame_circuit<repeat<Reps, C>> = frame_circuit<C>;
template <class... Cs>
inline constexpr bool frame_circuit<compose<Cs...>> = (frame_circuit<Cs> && ...);

// ---- the plan -----------------------------------------------------------------------------------

template <std::size_t Count>
struct pass_plan {
    std::array<std::size_t, Count + 1> order{};  // gate indices, pass after pass
    std::array<std::size_t, Count + 1> start{};  // pass p holds order[start[p] .. start[p + 1])
    std::array<std::uint64_t, Count + 1> tile{}; // pass p's register qubits, as register-index bits
    std::size_t passes = 0;
};

// Greedy: each pass takes, in circuit order, every remaining gate that fits the tile and shares
// no qubit with a gate skipped before it.
template <unsigned RegisterQubits, unsigned LaneBits, std::uint64_t... Qubits>
constexpr auto plan_passes() {
    constexpr std::size_t n = sizeof...(Qubits);
    constexpr std::array<std::uint64_t, n + 1> qubits{Qubits..., 0};
    pass_plan<n> plan;
    std::array<bool, n + 1> placed{};
    std::size_t count = 0;
    while (count < n) {
        std::uint64_t tile = 0, blocked = 0;
        plan.start[plan.passes] = count;
        for (std::size_t g = 0; g < n; ++g) {
            if (placed[g]) continue;
            const std::uint64_t grown = tile | (qubits[g] >> LaneBits);
            if ((qubits[g] & blocked) == 0 && std::popcount(grown) <= int(RegisterQubits) &&
                count - plan.start[plan.passes] < max_pass_gates) {
                tile = grown;
                placed[g] = true;
                plan.order[count++] = g;
            } else {
                blocked |= qubits[g];
            }
        }
        plan.tile[plan.passes++] = tile;
    }
    plan.start[plan.passes] = n;
    return plan;
}

template <class List, unsigned RegisterQubits, unsigned LaneBits>
inline constexpr auto plan_of = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return plan_passes<RegisterQubits, LaneBits, List::template at<I>::qubits...>();
    }(std::make_index_sequence<List::size>{});
}();

// ---- gates on a tile ----------------------------------------------------------------------------

// The bits of register-index mask m that lie in `tile`, as tile-index bits (a compile-time pext).
constexpr std::uint64_t to_tile(std::uint64_t m, std::uint64_t tile) noexcept {
    std::uint64_t out = 0;
    for (unsigned k = 0; tile; tile &= tile - 1, ++k)
        if (m & (tile & -tile)) out |= std::uint64_t{1} << k;
    return out;
}
// Tile index t as a register-index offset (a compile-time pdep).
constexpr std::size_t from_tile(std::size_t t, std::uint64_t tile) noexcept {
    std::size_t out = 0;
    for (; tile; tile &= tile - 1, t >>= 1)
        if (t & 1) out |= tile & -tile;
    return out;
}

template <std::uint64_t LaneControls, class A>
QHYBRID_INLINE A where_controlled(const A& flipped, const A& x) noexcept {
    if constexpr (LaneControls == 0) return flipped;
    else return kernel::select_lanes<LaneControls>(flipped, x);
}

// Applies G to the tile x (registers at the tile's offsets); c: its pair or diagonal coefficients.
// A Unit gate is an RY divided by its cosine: only c[1] (and c[2] for a register target) count.
template <unsigned LaneBits, std::uint64_t Tile, class G, bool Unit, class A, std::size_t M, class B>
QHYBRID_INLINE void tile_gate(std::array<A, M>& x, const kernel::pair_coeffs<B>& c) {
    if constexpr (Unit) {
        if constexpr (G::target < LaneBits) {
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                x[i] = kernel::mul_add<true>(c[1], kernel::partner<G::target>(x[i]), x[i]);
            });
        } else {
            constexpr std::uint64_t t = to_tile(std::uint64_t{1} << (G::target - LaneBits), Tile);
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & t) == 0) {
                    const A lo = x[k];
                    x[k] = kernel::mul_add<true>(c[1], x[k | t], lo);
                    x[k | t] = kernel::mul_add<true>(c[2], lo, x[k | t]);
                }
            });
        }
    } else if constexpr (G::shape == gate_shape::diagonal) {
        constexpr std::uint64_t a = to_tile(high_bit<LaneBits, G::a>, Tile);
        constexpr std::uint64_t b = G::arity == 2 ? to_tile(high_bit<LaneBits, G::b>, Tile) : 0;
        static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA { x[i] = kernel::mul<G::real_matrix>(c[kernel::diag_index<a, b>(i)], x[i]); });
    } else {
        constexpr std::uint64_t ctrl = to_tile(kernel::register_mask<LaneBits>(G::controls), Tile);
        constexpr std::uint64_t lc = kernel::lane_mask<LaneBits>(G::controls);
        if constexpr (G::target < LaneBits) {
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & ctrl) == ctrl) {
                    if constexpr (is_flip<G>) x[k] = where_controlled<lc>(kernel::partner<G::target>(x[k]), x[k]);
                    else x[k] = kernel::lane_update<G::target, G::real_matrix>(c, x[k]);
                }
            });
        } else {
            constexpr std::uint64_t t = to_tile(std::uint64_t{1} << (G::target - LaneBits), Tile);
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & t) == 0 && (k & ctrl) == ctrl) {
                    if constexpr (is_flip<G>) {
                        const A lo = x[k], hi = x[k | t];
                        x[k] = where_controlled<lc>(hi, lo);
                        x[k | t] = where_controlled<lc>(lo, hi);
                    } else {
                        kernel::pair_update<G::real_matrix>(c, x[k], x[k | t]);
                    }
                }
            });
        }
    }
}

template <unsigned LaneBits, class G, class B, class T>
QHYBRID_INLINE kernel::pair_coeffs<B> coefficients(const T& c, const T& s) {
    if constexpr (is_flip<G>) return {};
    else if constexpr (G::shape == gate_shape::pair) return pair_coefficients<LaneBits, G, B>(G::template matrix<T>(c, s), 1.0);
    else return diag_coefficients<LaneBits, G, B>(G::template matrix<T>(c, s));
}

// (cos, sin) of the half angle of gate G of the list; (1, 0) for a gate without an angle.
template <class List, std::size_t G, class Table>
QHYBRID_INLINE auto half_angle_of(const Table& trig, std::size_t first_angle) {
    using T = decltype(trig.cos_sin(0).first);
    if constexpr (has_angle<typename List::template at<G>::angle>) return trig.cos_sin(first_angle + List::angle_index[G]);
    else return std::pair<T, T>(T(1), T(0));
}

// Pass P of the plan: one sweep of tiles. Framed: with scaled rotations and a Pauli frame.
template <class List, const auto& Plan, std::size_t P, unsigned LaneBits, bool Framed, class A, class Real,
          std::size_t R, class Table>
void run_pass(kernel::view<Real, R> v, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
    using B = kernel::batch_of<A>;
    constexpr std::size_t first = Plan.start[P], count = Plan.start[P + 1] - first;
    constexpr std::uint64_t tile = Plan.tile[P];
    constexpr std::size_t size = std::size_t{1} << std::popcount(tile);
    // The pass's first RY carries the factors of the others.
    constexpr std::size_t carrier = []<std::size_t... I>(std::index_sequence<I...>) {
        constexpr std::array<bool, count + 1> ry{is_ry<typename List::template at<Plan.order[first + I]>>..., true};
        std::size_t k = 0;
        while (!ry[k]) ++k;
        return k; // count if the pass has no RY
    }(std::make_index_sequence<count>{});
    const auto unit = [](auto i) { return Framed && i != carrier && is_ry<typename List::template at<Plan.order[first + i]>>; };
    std::array<kernel::pair_coeffs<B>, count> coeffs;
    [[maybe_unused]] Real scale = 1, carrier_c = 1, carrier_s = 0;
    static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
        constexpr std::size_t g = Plan.order[first + i];
        using G = typename List::template at<g>;
        auto [c, s] = half_angle_of<List, g>(trig, first_angle);
        if constexpr (Framed && is_ry<G>) {
            s *= Real(frame.ry_sign(G::target));
            if constexpr (i == carrier) {
                carrier_c = c, carrier_s = s;
            } else if (std::abs(c) >= std::abs(s)) {
                scale *= c;
                coeffs[i] = coefficients<LaneBits, G, B>(Real(1), s / c);
            } else { // RY(theta) = X Z RY(theta - pi): cos and sin of the new half angle are s and -c
                scale *= s;
                coeffs[i] = coefficients<LaneBits, G, B>(Real(1), -c / s);
                frame.add_xz(G::target);
            }
        } else {
            if constexpr (Framed) frame.conjugate<G>();
            coeffs[i] = coefficients<LaneBits, G, B>(c, s);
        }
    });
    if constexpr (Framed && carrier < count) {
        using G = typename List::template at<Plan.order[first + carrier]>;
        coeffs[carrier] = coefficients<LaneBits, G, B>(carrier_c * scale, carrier_s * scale);
    }
    kernel::for_each_register<tile, 0, R>([&](std::size_t j) QHYBRID_INLINE_LAMBDA {
        std::array<A, size> x;
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { x[t] = kernel::load<A>(v, j + from_tile(t, tile)); });
        static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
            tile_gate<LaneBits, tile, typename List::template at<Plan.order[first + i]>, unit(i)>(x, coeffs[i]);
        });
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { kernel::store(v, j + from_tile(t, tile), x[t]); });
    });
}

// A tile of 16 real registers, or 8 complex ones, leaves room for the coefficients among the 32
// AVX-512 registers.
template <class A>
inline constexpr unsigned tile_qubits = std::is_same_v<A, kernel::rvec<kernel::batch_of<A>>> ? 4 : 3;

template <class List, bool Framed, class A, class State, class Table>
void run_passes(kernel::view<typename State::real_type, State::registers> v, const Table& trig, std::size_t first_angle,
                pauli_frame& frame) {
    constexpr unsigned lane_bits = State::lane_qubits;
    static_for<plan_of<List, tile_qubits<A>, lane_bits>.passes>([&](auto p) {
        run_pass<List, plan_of<List, tile_qubits<A>, lane_bits>, decltype(p)::value, lane_bits, Framed, A>(
            v, trig, first_angle, frame);
    });
}

template <class List, bool Framed, class State, class Table>
void apply_list(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
    using B = typename State::batch_type;
    if constexpr (List::real)
        if (psi.is_real()) return run_passes<List, Framed, kernel::rvec<B>, State>(psi.raw_view(), trig, first_angle, frame);
    run_passes<List, Framed, kernel::cvec<B>, State>(psi.view(), trig, first_angle, frame);
}

// ---- the adjoint method in passes ---------------------------------------------------------------
// The backward sweep un-applies the gates in reverse order: the plan's passes backwards, and each
// pass's gates backwards (the reverse of a valid order is valid for the reversed circuit). A tile
// holds registers of the state and of the adjoint state; before an angled gate is un-applied,
// the terms Im<lambda|G|psi> of the tile are added to the gate's accumulator, as
// kernel::backward_pair and backward_diagonal do in whole sweeps.

// On real registers, an RY-like generator (i gamma [[0, -1], [1, 0]], no control in lanes) has
// the terms gamma (l1 p0 - l0 p1) for a register target and gamma s l . partner(p) (s = -1 on the
// lanes whose target bit is 0) for a lane target: the tile adds up l1 p0 - l0 p1, or
// l . partner(p), and the factor, gen[2] or gen[1], multiplies the sum once.
template <class G, class A, unsigned LaneBits>
constexpr bool summed_then_scaled() {
    if constexpr (G::shape != gate_shape::pair || !has_angle<typename G::angle>) {
        return false;
    } else {
        constexpr auto& g = G::generator;
        return std::is_same_v<A, kernel::rvec<kernel::batch_of<A>>> && kernel::lane_mask<LaneBits>(G::controls) == 0 &&
               g.re == std::array<double, 4>{} && g.im[0] == 0 && g.im[3] == 0 && g.im[1] == -g.im[2];
    }
}

// The generator terms of G over a tile (registers where G's register controls hold).
template <unsigned LaneBits, std::uint64_t Tile, class G, class A, std::size_t M, class B>
QHYBRID_INLINE void tile_generator_terms(const std::array<A, M>& p, const std::array<A, M>& l,
                                         const kernel::pair_coeffs<B>& gen, B& acc) {
    constexpr bool real_gen = std::is_same_v<A, kernel::rvec<B>>;
    if constexpr (summed_then_scaled<G, A, LaneBits>()) {
        constexpr std::uint64_t ctrl = to_tile(kernel::register_mask<LaneBits>(G::controls), Tile);
        if constexpr (G::target < LaneBits) {
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & ctrl) == ctrl) acc = xsimd::fma(l[k].re, kernel::partner<G::target>(p[k].re), acc);
            });
        } else {
            constexpr std::uint64_t t = to_tile(std::uint64_t{1} << (G::target - LaneBits), Tile);
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & t) == 0 && (k & ctrl) == ctrl)
                    acc = xsimd::fnma(l[k].re, p[k | t].re, xsimd::fma(l[k | t].re, p[k].re, acc));
            });
        }
    } else if constexpr (G::shape == gate_shape::diagonal) {
        constexpr std::uint64_t a = to_tile(high_bit<LaneBits, G::a>, Tile);
        constexpr std::uint64_t b = G::arity == 2 ? to_tile(high_bit<LaneBits, G::b>, Tile) : 0;
        static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
            acc = xsimd::fma(gen[kernel::diag_index<a, b>(i)].re, kernel::generator_term(l[i], p[i], B(0)), acc);
        });
    } else {
        constexpr std::uint64_t ctrl = to_tile(kernel::register_mask<LaneBits>(G::controls), Tile);
        if constexpr (G::target < LaneBits) {
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & ctrl) == ctrl)
                    acc = kernel::generator_term(l[k], kernel::lane_update<G::target, real_gen>(gen, p[k]), acc);
            });
        } else {
            constexpr std::uint64_t t = to_tile(std::uint64_t{1} << (G::target - LaneBits), Tile);
            static_for<M>([&](auto i) QHYBRID_INLINE_LAMBDA {
                constexpr std::size_t k = decltype(i)::value;
                if constexpr ((k & t) == 0 && (k & ctrl) == ctrl) {
                    A g0 = p[k], g1 = p[k | t];
                    kernel::pair_update<real_gen>(gen, g0, g1);
                    acc = kernel::generator_term(l[k | t], g1, kernel::generator_term(l[k], g0, acc));
                }
            });
        }
    }
}

// Pass P of the plan, backwards: un-applies its gates to psi and lambda and adds 2 Im<lambda|G|psi>
// of each angled gate to the gradients in ctx.
template <class List, const auto& Plan, std::size_t P, class State, class A, class Table, class Ctx>
void run_backward_pass(kernel::view<typename State::real_type, State::registers> psi,
                       kernel::view<typename State::real_type, State::registers> lam, const Table& trig,
                       std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    using B = kernel::batch_of<A>;
    using T = typename State::value_type;
    constexpr unsigned lb = State::lane_qubits;
    constexpr bool real = std::is_same_v<A, kernel::rvec<B>>;
    constexpr std::size_t first = Plan.start[P], count = Plan.start[P + 1] - first;
    constexpr std::uint64_t tile = Plan.tile[P];
    constexpr std::size_t size = std::size_t{1} << std::popcount(tile);
    std::array<kernel::pair_coeffs<B>, count> inv, gen; // read only where set
    std::array<B, count> acc;
    static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
        constexpr std::size_t g = Plan.order[first + i];
        using G = typename List::template at<g>;
        acc[i] = B(0);
        if constexpr (!is_flip<G>) {
            constexpr bool angled = has_angle<typename G::angle>;
            const auto [c, s] = half_angle_of<List, g>(trig, first_angle);
            if constexpr (G::shape == gate_shape::pair) {
                inv[i] = pair_coefficients<lb, G, B>(adjoint(G::template matrix<T>(c, s)), 1.0);
                if constexpr (angled) {
                    const auto m = cast<T>(G::generator);
                    gen[i] = pair_coefficients<lb, G, B>(real ? imaginary_part(m) : m, 0.0);
                }
            } else {
                inv[i] = diag_coefficients<lb, G, B>(adjoint(G::template matrix<T>(c, s)));
                if constexpr (angled) gen[i] = diag_coefficients<lb, G, B>(cast<T>(G::generator));
            }
        }
    });
    kernel::for_each_register<tile, 0, State::registers>([&](std::size_t j) QHYBRID_INLINE_LAMBDA {
        std::array<A, size> p, l;
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA {
            p[t] = kernel::load<A>(psi, j + from_tile(t, tile));
            l[t] = kernel::load<A>(lam, j + from_tile(t, tile));
        });
        static_for<count>([&](auto r) QHYBRID_INLINE_LAMBDA {
            constexpr std::size_t i = count - 1 - r;
            using G = typename List::template at<Plan.order[first + i]>;
            if constexpr (has_angle<typename G::angle>) tile_generator_terms<lb, tile, G>(p, l, gen[i], acc[i]);
            tile_gate<lb, tile, G, false>(p, inv[i]);
            tile_gate<lb, tile, G, false>(l, inv[i]);
        });
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA {
            kernel::store(psi, j + from_tile(t, tile), p[t]);
            kernel::store(lam, j + from_tile(t, tile), l[t]);
        });
    });
    static_for<count>([&](auto i) {
        constexpr std::size_t g = Plan.order[first + i];
        using G = typename List::template at<g>;
        if constexpr (summed_then_scaled<G, A, lb>()) acc[i] *= G::target < lb ? gen[i][1].re : gen[i][2].re;
        if constexpr (has_angle<typename G::angle>)
            G::angle::template add_gradient<T>(ctx, first_param + List::param_offset[g], T(2) * State::collapse(acc[i]));
    });
}

// Tiles of 8 registers of each state, or 4 complex ones.
template <class A>
inline constexpr unsigned backward_tile_qubits = tile_qubits<A> - 1;

template <class List, class A, class State, class Table, class Ctx>
void run_backward_passes(kernel::view<typename State::real_type, State::registers> psi,
                         kernel::view<typename State::real_type, State::registers> lam, const Table& trig,
                         std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    constexpr auto& plan = plan_of<List, backward_tile_qubits<A>, State::lane_qubits>;
    static_for<plan.passes>([&](auto r) {
        run_backward_pass<List, plan_of<List, backward_tile_qubits<A>, State::lane_qubits>, plan.passes - 1 - r, State, A>(
            psi, lam, trig, first_angle, first_param, ctx);
    });
}

template <class List, class State, class Table, class Ctx>
void backward_list(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    using B = typename State::batch_type;
    if constexpr (List::real)
        if (psi.is_real() && lam.is_real())
            return run_backward_passes<List, kernel::rvec<B>, State>(psi.raw_view(), lam.raw_view(), trig, first_angle,
                                                                    first_param, ctx);
    run_backward_passes<List, kernel::cvec<B>, State>(psi.view(), lam.view(), trig, first_angle, first_param, ctx);
}

// Runs circuit C (its angles from first_angle on in the table) in fused passes; Framed: with
// scaled rotations, leaving a Pauli frame in `frame` for the caller to apply.
template <class C>
struct in_passes {
    // A circuit or a composition without a long repeat inside: one planned list.
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        apply_list<typename flat_gates<C>::type, Framed>(psi, trig, first_angle, frame);
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        backward_list<typename flat_gates<C>::type>(psi, lam, trig, first_angle, first_param, ctx);
    }
};
template <std::size_t Reps, class C>
    requires std::is_void_v<typename flat_gates<repeat<Reps, C>>::type>
struct in_passes<repeat<Reps, C>> {
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        for (std::size_t r = 0; r < Reps; ++r)
            in_passes<C>::template apply<Framed>(psi, trig, first_angle + r * C::num_angles, frame);
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        for (std::size_t r = Reps; r-- > 0;)
            in_passes<C>::backward(psi, lam, trig, first_angle + r * C::num_angles, first_param + r * C::num_params, ctx);
    }
};
template <class... Cs>
    requires std::is_void_v<typename flat_gates<compose<Cs...>>::type>
struct in_passes<compose<Cs...>> {
    template <bool Framed, class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
        static_for<sizeof...(Cs)>([&](auto i) {
            using C = typename std::remove_cvref_t<decltype(boost::hana::at_c<decltype(i)::value>(boost::hana::tuple_t<Cs...>))>::type;
            in_passes<C>::template apply<Framed>(psi, trig, first_angle, frame);
            first_angle += C::num_angles;
        });
    }
    template <class State, class Table, class Ctx>
    static void backward(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param,
                         Ctx& ctx) {
        first_angle += (Cs::num_angles + ...);
        first_param += (Cs::num_params + ...);
        static_for<sizeof...(Cs)>([&](auto r) {
            using C = typename std::remove_cvref_t<decltype(boost::hana::at_c<sizeof...(Cs) - 1 - decltype(r)::value>(
                boost::hana::tuple_t<Cs...>))>::type;
            first_angle -= C::num_angles;
            first_param -= C::num_params;
            in_passes<C>::backward(psi, lam, trig, first_angle, first_param, ctx);
        });
    }
};

// psi = C psi in fused passes.
template <class C, class State, class Table>
void apply_fused_passes(State& psi, const Table& trig) {
    constexpr bool framed = State::samples == 1 && frame_circuit<C>;
    pauli_frame frame;
    in_passes<C>::template apply<framed>(psi, trig, 0, frame);
    if constexpr (framed) frame.apply(psi);
}

} // namespace qhybrid::quantum::detail

QHYBRID_SIMD_WARNINGS_ON
