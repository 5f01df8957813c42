// SPDX-License-Identifier: Apache-2.0
#pragma once
// The adjoint method in fused passes: the plan's passes backwards, each a sweep over tiles of
// the state and of the adjoint state.
#include "qhybrid/quantum/fused_passes.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::detail {

// ---- the adjoint method in passes ---------------------------------------------------------------
// The backward sweep un-applies the gates in reverse order: the plan's passes backwards, and each
// pass's gates backwards (the reverse of a valid order is valid for the reversed circuit). A tile
// holds registers of the state and of the adjoint state; before an angled gate is un-applied,
// the terms Im<lambda|G|psi> of the tile are added to the gate's accumulator, as
// kernel::backward_matrix and backward_diagonal do in whole sweeps.

// On real registers, an RY-like generator (i gamma [[0, -1], [1, 0]], no control in lanes) has
// the terms gamma (l1 p0 - l0 p1) for a register target and gamma s l . partner(p) (s = -1 on the
// lanes whose target bit is 0) for a lane target: the tile adds up l1 p0 - l0 p1, or
// l . partner(p), and the factor, gen[2] or gen[1], multiplies the sum once.
template <class G, class Reg, unsigned LaneBits>
constexpr bool summed_then_scaled() {
    if constexpr (G::shape != gate_shape::matrix || !has_angle<typename G::angle>) {
        return false;
    } else {
        constexpr auto& g = G::generator;
        return std::is_same_v<Reg, kernel::rvec<kernel::batch_of<Reg>>> && kernel::lane_mask<LaneBits>(G::controls) == 0 &&
               g.re == std::array<double, 4>{} && g.im[0] == 0 && g.im[3] == 0 && g.im[1] == -g.im[2];
    }
}

// The generator terms of G over a tile (registers where G's register controls hold).
template <unsigned LaneBits, std::uint64_t Tile, class G, class Reg, std::size_t M, class Batch>
QHYBRID_INLINE void tile_generator_terms(const std::array<Reg, M>& p, const std::array<Reg, M>& l,
                                         const kernel::matrix_coeffs<Batch>& gen, Batch& acc) {
    constexpr bool real_gen = std::is_same_v<Reg, kernel::rvec<Batch>>;
    if constexpr (summed_then_scaled<G, Reg, LaneBits>()) {
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
            acc = xsimd::fma(gen[kernel::diag_index<a, b>(i)].re, kernel::generator_term(l[i], p[i], Batch(0)), acc);
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
                    Reg g0 = p[k], g1 = p[k | t];
                    kernel::pair_update<real_gen>(gen, g0, g1);
                    acc = kernel::generator_term(l[k | t], g1, kernel::generator_term(l[k], g0, acc));
                }
            });
        }
    }
}

// Pass P of the plan, backwards: un-applies its gates to psi and lambda and adds 2 Im<lambda|G|psi>
// of each angled gate to the gradients in ctx.
template <class List, const auto& Plan, std::size_t P, class State, class Reg, class Table, class Ctx>
void run_backward_pass(kernel::view<typename State::real_type, State::registers> psi,
                       kernel::view<typename State::real_type, State::registers> lam, const Table& trig,
                       std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    using Batch = kernel::batch_of<Reg>;
    using T = typename State::value_type;
    constexpr unsigned lb = State::lane_qubits;
    constexpr bool real = std::is_same_v<Reg, kernel::rvec<Batch>>;
    constexpr std::size_t first = Plan.start[P], count = Plan.start[P + 1] - first;
    constexpr std::uint64_t tile = Plan.tile[P];
    constexpr std::size_t size = std::size_t{1} << std::popcount(tile);
    std::array<kernel::matrix_coeffs<Batch>, count> inv, gen; // read only where set
    std::array<Batch, count> acc;
    static_for<count>([&](auto i) QHYBRID_INLINE_LAMBDA {
        constexpr std::size_t g = Plan.order[first + i];
        using G = typename List::template at<g>;
        acc[i] = Batch(0);
        if constexpr (!is_flip<G>) {
            constexpr bool angled = has_angle<typename G::angle>;
            const auto [c, s] = half_angle_of<List, g>(trig, first_angle);
            if constexpr (G::shape == gate_shape::matrix) {
                inv[i] = matrix_coefficients<lb, G, Batch>(adjoint(G::template matrix<T>(c, s)), 1.0);
                if constexpr (angled) {
                    const auto m = cast<T>(G::generator);
                    gen[i] = matrix_coefficients<lb, G, Batch>(real ? imaginary_part(m) : m, 0.0);
                }
            } else {
                inv[i] = diag_coefficients<lb, G, Batch>(adjoint(G::template matrix<T>(c, s)));
                if constexpr (angled) gen[i] = diag_coefficients<lb, G, Batch>(cast<T>(G::generator));
            }
        }
    });
    kernel::for_each_register<tile, 0, State::registers>([&](std::size_t j) QHYBRID_INLINE_LAMBDA {
        std::array<Reg, size> p, l;
        static_for<size>([&](auto t) QHYBRID_INLINE_LAMBDA {
            p[t] = kernel::load<Reg>(psi, j + from_tile(t, tile));
            l[t] = kernel::load<Reg>(lam, j + from_tile(t, tile));
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
        if constexpr (summed_then_scaled<G, Reg, lb>()) acc[i] *= G::target < lb ? gen[i][1].re : gen[i][2].re;
        if constexpr (has_angle<typename G::angle>)
            G::angle::template add_gradient<T>(ctx, first_param + List::param_offset[g], T(2) * State::sample_total(acc[i]));
    });
}

// Tiles of 8 registers of each state, or 4 complex ones.
template <class Reg>
inline constexpr unsigned backward_tile_qubits = tile_qubits<Reg> - 1;

template <class List, class Reg, class State, class Table, class Ctx>
void run_backward_passes(kernel::view<typename State::real_type, State::registers> psi,
                         kernel::view<typename State::real_type, State::registers> lam, const Table& trig,
                         std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    constexpr auto& plan = plan_of<List, backward_tile_qubits<Reg>, State::lane_qubits>;
    static_for<plan.passes>([&](auto r) {
        run_backward_pass<List, plan_of<List, backward_tile_qubits<Reg>, State::lane_qubits>, plan.passes - 1 - r, State, Reg>(
            psi, lam, trig, first_angle, first_param, ctx);
    });
}

template <class List, class State, class Table, class Ctx>
void backward_list(State& psi, State& lam, const Table& trig, std::size_t first_angle, std::size_t first_param, Ctx& ctx) {
    using Batch = typename State::batch_type;
    if constexpr (List::real)
        if (psi.is_real() && lam.is_real())
            return run_backward_passes<List, kernel::rvec<Batch>, State>(psi.raw_view(), lam.raw_view(), trig, first_angle,
                                                                    first_param, ctx);
    run_backward_passes<List, kernel::cvec<Batch>, State>(psi.view(), lam.view(), trig, first_angle, first_param, ctx);
}

} // namespace qhybrid::quantum::detail

QHYBRID_SIMD_WARNINGS_ON
