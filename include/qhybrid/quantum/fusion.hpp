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
// The plan is made at compile time. A repeat stays a runtime loop over one planned body, so
// long circuits cost no more to compile than their body; compositions without a repeat inside
// are planned as one list of gates.
#include "qhybrid/quantum/apply.hpp"
#include "qhybrid/quantum/circuit.hpp"

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::detail {

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

// The gates of a pass: pair and diagonal gates only (a swap is three CNOTs; a barrier does
// nothing without noise).
template <class... Gs>
struct gate_list {
    static constexpr std::size_t size = sizeof...(Gs);
    static constexpr bool real = (Gs::real_matrix && ...);
    template <std::size_t I>
    using at = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(boost::hana::tuple_t<Gs...>))>::type;

    // The angle table index of gate I, counted from the list's first gate with an angle.
    static constexpr std::array<std::size_t, size + 1> angle_index = [] {
        constexpr std::array<bool, size + 1> has{has_angle<typename Gs::angle>..., false};
        std::array<std::size_t, size + 1> a{};
        for (std::size_t i = 0; i < size; ++i) a[i + 1] = a[i] + has[i];
        return a;
    }();
};

template <class... Lists>
struct concat {
    using type = void; // some part holds a repeat
};
template <>
struct concat<> {
    using type = gate_list<>;
};
template <class... A>
struct concat<gate_list<A...>> {
    using type = gate_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<gate_list<A...>, gate_list<B...>, Rest...> : concat<gate_list<A..., B...>, Rest...> {};

template <class G, gate_shape = G::shape>
struct expand {
    using type = gate_list<G>;
};
template <class G>
struct expand<G, gate_shape::swap> {
    using type = gate_list<cnot<G::a, G::b>, cnot<G::b, G::a>, cnot<G::a, G::b>>;
};
template <class G>
struct expand<G, gate_shape::barrier> {
    using type = gate_list<>;
};

// The gates of a circuit as one list, or void if it holds a repeat.
template <class C>
struct flat_gates {
    using type = void;
};
template <class... Gs>
struct flat_gates<circuit<Gs...>> : concat<typename expand<Gs>::type...> {};
template <class... Cs>
struct flat_gates<compose<Cs...>> : concat<typename flat_gates<Cs>::type...> {};

// ---- the plan -----------------------------------------------------------------------------------

template <std::size_t Count>
struct pass_plan {
    std::array<std::size_t, Count + 1> order{};  // gate indices, pass after pass
    std::array<std::size_t, Count + 1> start{};  // pass p holds order[start[p] .. start[p + 1])
    std::array<std::uint64_t, Count + 1> tile{}; // pass p's register qubits, as register-index bits
    std::size_t passes = 0;
};

// Longer passes would only grow the code: a tile's sweep is already paid for.
inline constexpr std::size_t max_pass_gates = 64;

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
template <unsigned LaneBits, std::uint64_t Tile, class G, class A, std::size_t M, class B>
QHYBRID_INLINE void tile_gate(std::array<A, M>& x, const kernel::pair_coeffs<B>& c) {
    if constexpr (G::shape == gate_shape::diagonal) {
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

// Pass P of the plan: one sweep of tiles.
template <class List, const auto& Plan, std::size_t P, unsigned LaneBits, class A, class Real, std::size_t R, class Table>
void run_pass(kernel::view<Real, R> v, const Table& trig, std::size_t first_angle) {
    using B = kernel::batch_of<A>;
    constexpr std::size_t first = Plan.start[P], count = Plan.start[P + 1] - first;
    constexpr std::uint64_t tile = Plan.tile[P];
    constexpr std::size_t size = std::size_t{1} << std::popcount(tile);
    std::array<kernel::pair_coeffs<B>, count> coeffs;
    static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
        constexpr std::size_t g = Plan.order[first + i];
        const auto [c, s] = trig.cos_sin(first_angle + List::angle_index[g]);
        coeffs[i] = coefficients<LaneBits, typename List::template at<g>, B>(c, s);
    });
    kernel::for_each_register<tile, 0, R>([&](std::size_t j) QHYBRID_INLINE_LAMBDA {
        std::array<A, size> x;
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { x[t] = kernel::load<A>(v, j + from_tile(t, tile)); });
        static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
            tile_gate<LaneBits, tile, typename List::template at<Plan.order[first + i]>>(x, coeffs[i]);
        });
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { kernel::store(v, j + from_tile(t, tile), x[t]); });
    });
}

// A tile of 16 real registers, or 8 complex ones, leaves room for the coefficients among the 32
// AVX-512 registers.
template <class A>
inline constexpr unsigned tile_qubits = std::is_same_v<A, kernel::rvec<kernel::batch_of<A>>> ? 4 : 3;

template <class List, class A, class State, class Table>
void run_passes(kernel::view<typename State::real_type, State::registers> v, const Table& trig, std::size_t first_angle) {
    constexpr unsigned lane_bits = State::lane_qubits;
    static_for<plan_of<List, tile_qubits<A>, lane_bits>.passes>([&](auto p) {
        run_pass<List, plan_of<List, tile_qubits<A>, lane_bits>, decltype(p)::value, lane_bits, A>(v, trig, first_angle);
    });
}

template <class List, class State, class Table>
void apply_list(State& psi, const Table& trig, std::size_t first_angle) {
    using B = typename State::batch_type;
    if constexpr (List::real)
        if (psi.is_real()) return run_passes<List, kernel::rvec<B>, State>(psi.raw_view(), trig, first_angle);
    run_passes<List, kernel::cvec<B>, State>(psi.view(), trig, first_angle);
}

template <class C>
struct in_passes {
    // A circuit or a composition without a repeat inside: one planned list.
    template <class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle) {
        apply_list<typename flat_gates<C>::type>(psi, trig, first_angle);
    }
};
template <std::size_t Reps, class C>
struct in_passes<repeat<Reps, C>> {
    template <class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle) {
        for (std::size_t r = 0; r < Reps; ++r) in_passes<C>::apply(psi, trig, first_angle + r * C::num_angles);
    }
};
template <class... Cs>
    requires std::is_void_v<typename flat_gates<compose<Cs...>>::type>
struct in_passes<compose<Cs...>> {
    template <class State, class Table>
    static void apply(State& psi, const Table& trig, std::size_t first_angle) {
        static_for<sizeof...(Cs)>([&](auto i) {
            using C = typename std::remove_cvref_t<decltype(boost::hana::at_c<decltype(i)::value>(boost::hana::tuple_t<Cs...>))>::type;
            in_passes<C>::apply(psi, trig, first_angle);
            first_angle += C::num_angles;
        });
    }
};

} // namespace qhybrid::quantum::detail

QHYBRID_SIMD_WARNINGS_ON
