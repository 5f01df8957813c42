// SPDX-License-Identifier: Apache-2.0
#pragma once
// The fused passes' forward execution: each pass of a plan (fusion_plan.hpp) is one sweep that
// loads a tile of registers, applies the pass's gates to it in registers and stores it; with a
// Pauli frame, the pass's RYs run scaled (see fusion.hpp).
#include "qhybrid/quantum/apply.hpp"
#include "qhybrid/quantum/fusion_plan.hpp"
#include "qhybrid/quantum/pauli_frame.hpp"

#include <array>
#include <bit>
#include <cmath>
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

// ---- gates on a tile ----------------------------------------------------------------------------

template <std::uint64_t LaneControls, class Reg>
QHYBRID_INLINE Reg where_controlled(const Reg& flipped, const Reg& x) noexcept {
    if constexpr (LaneControls == 0) return flipped;
    else return kernel::select_lanes<LaneControls>(flipped, x);
}

// Applies G to the tile x (registers at the tile's offsets); c: its matrix or diagonal coefficients.
// A Unit gate is an RY divided by its cosine: only c[1] (and c[2] for a register target) count.
template <unsigned LaneBits, std::uint64_t Tile, class G, bool Unit, class Reg, std::size_t M, class Batch>
QHYBRID_INLINE void tile_gate(std::array<Reg, M>& x, const kernel::matrix_coeffs<Batch>& c) {
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
                    const Reg lo = x[k];
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
                        const Reg lo = x[k], hi = x[k | t];
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

template <unsigned LaneBits, class G, class Batch, class T>
QHYBRID_INLINE kernel::matrix_coeffs<Batch> coefficients(const T& c, const T& s) {
    if constexpr (is_flip<G>) return {};
    else if constexpr (G::shape == gate_shape::matrix) return matrix_coefficients<LaneBits, G, Batch>(G::template matrix<T>(c, s), 1.0);
    else return diag_coefficients<LaneBits, G, Batch>(G::template matrix<T>(c, s));
}

// (cos, sin) of the half angle of gate G of the list; (1, 0) for a gate without an angle.
template <class List, std::size_t G, class Table>
QHYBRID_INLINE auto half_angle_of(const Table& trig, std::size_t first_angle) {
    using T = decltype(trig.cos_sin(0).first);
    if constexpr (has_angle<typename List::template at<G>::angle>) return trig.cos_sin(first_angle + List::angle_index[G]);
    else return std::pair<T, T>(T(1), T(0));
}

// Pass P of the plan: one sweep of tiles. Framed: with scaled rotations and a Pauli frame.
template <class List, const auto& Plan, std::size_t P, unsigned LaneBits, bool Framed, class Reg, class Real,
          std::size_t R, class Table>
void run_pass(kernel::view<Real, R> v, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
    using Batch = kernel::batch_of<Reg>;
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
    std::array<kernel::matrix_coeffs<Batch>, count> coeffs;
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
                coeffs[i] = coefficients<LaneBits, G, Batch>(Real(1), s / c);
            } else { // RY(theta) = X Z RY(theta - pi): cos and sin of the new half angle are s and -c
                scale *= s;
                coeffs[i] = coefficients<LaneBits, G, Batch>(Real(1), -c / s);
                frame.add_xz(G::target);
            }
        } else {
            if constexpr (Framed) frame.conjugate<G>();
            coeffs[i] = coefficients<LaneBits, G, Batch>(c, s);
        }
    });
    if constexpr (Framed && carrier < count) {
        using G = typename List::template at<Plan.order[first + carrier]>;
        coeffs[carrier] = coefficients<LaneBits, G, Batch>(carrier_c * scale, carrier_s * scale);
    }
    kernel::for_each_register<tile, 0, R>([&](std::size_t j) QHYBRID_INLINE_LAMBDA {
        std::array<Reg, size> x;
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { x[t] = kernel::load<Reg>(v, j + from_tile(t, tile)); });
        static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
            tile_gate<LaneBits, tile, typename List::template at<Plan.order[first + i]>, unit(i)>(x, coeffs[i]);
        });
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA { kernel::store(v, j + from_tile(t, tile), x[t]); });
    });
}

// A tile of 16 real registers, or 8 complex ones, leaves room for the coefficients among the 32
// AVX-512 registers.
template <class Reg>
inline constexpr unsigned tile_qubits = std::is_same_v<Reg, kernel::rvec<kernel::batch_of<Reg>>> ? 4 : 3;

template <class List, bool Framed, class Reg, class State, class Table>
void run_passes(kernel::view<typename State::real_type, State::registers> v, const Table& trig, std::size_t first_angle,
                pauli_frame& frame) {
    constexpr unsigned lane_bits = State::lane_qubits;
    static_for<plan_of<List, tile_qubits<Reg>, lane_bits>.passes>([&](auto p) {
        run_pass<List, plan_of<List, tile_qubits<Reg>, lane_bits>, decltype(p)::value, lane_bits, Framed, Reg>(
            v, trig, first_angle, frame);
    });
}

template <class List, bool Framed, class State, class Table>
void apply_list(State& psi, const Table& trig, std::size_t first_angle, pauli_frame& frame) {
    using Batch = typename State::batch_type;
    if constexpr (List::real)
        if (psi.is_real()) return run_passes<List, Framed, kernel::rvec<Batch>, State>(psi.raw_view(), trig, first_angle, frame);
    run_passes<List, Framed, kernel::cvec<Batch>, State>(psi.view(), trig, first_angle, frame);
}

} // namespace qhybrid::quantum::detail

QHYBRID_SIMD_WARNINGS_ON
