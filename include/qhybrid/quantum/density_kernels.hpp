// SPDX-License-Identifier: Apache-2.0
#pragma once
// SIMD kernels for a density matrix's vector: a gate on its row qubits and the same gate,
// conjugated, on its column qubits in one sweep (see density_matrix.hpp), and the pivoted form of
// two real gates. Rotations and phases, in the shape of their matrix: density_rotation_kernels.hpp.
#include "qhybrid/quantum/kernels.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

// g++ 12 reports the _mm512_undefined_pd() pass-through operand of AVX-512 permutes (xsimd's
// swizzle) as uninitialized wherever they are inlined; the operand is never read.
QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::kernel {

// ---- two gates in one sweep -------------------------------------------------------------------
// A gate on a density matrix is G on a row qubit and conj(G) on the matching column qubit. When
// the second gate's qubits are all held in registers, one sweep over groups of registers applies
// both: half the memory traffic of two sweeps. Register controls are tested per group: they never
// include the other gate's target. Lane controls of the first gate are in its coefficients, or,
// for a flip, a blend.

// x <- G x on the register pair (lo, hi): a 2x2 matrix, or for X and CNOT a swap in the lanes
// whose control bits (LaneControls) are all 1.
template <bool Flip, bool RealCoeff, std::uint64_t LaneControls, class Batch, class Reg>
inline void pair_step(const matrix_coeffs<Batch>& c, Reg& lo, Reg& hi) noexcept {
    if constexpr (Flip && LaneControls == 0) {
        std::swap(lo, hi);
    } else if constexpr (Flip) {
        const Reg l = lo;
        lo = select_lanes<LaneControls>(hi, lo);
        hi = select_lanes<LaneControls>(l, hi);
    } else {
        pair_update<RealCoeff>(c, lo, hi);
    }
}

// x <- G x on a register, G's target held in lanes.
template <unsigned Target, bool Flip, bool RealCoeff, std::uint64_t LaneControls, class Batch, class Reg>
inline Reg lane_step(const matrix_coeffs<Batch>& c, const Reg& x) noexcept {
    if constexpr (Flip && LaneControls == 0) return partner<Target>(x);
    else if constexpr (Flip) return select_lanes<LaneControls>(partner<Target>(x), x);
    else return lane_update<Target, RealCoeff>(c, x);
}

template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, bool Flip,
          bool RealCoeff, class Reg, class Real, std::size_t R, class Batch>
inline void apply_two_matrices(view<Real, R> v, const matrix_coeffs<Batch>& c1, const matrix_coeffs<Batch>& c2) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    constexpr std::uint64_t lc1 = lane_mask<LaneBits>(C1);
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return; // a group both gates' controls leave alone
        Reg x00 = load<Reg>(v, j), x10 = load<Reg>(v, j | t1), x01 = load<Reg>(v, j | t2), x11 = load<Reg>(v, j | t1 | t2);
        if (first) {
            pair_step<Flip, RealCoeff, lc1>(c1, x00, x10);
            pair_step<Flip, RealCoeff, lc1>(c1, x01, x11);
        }
        if (second) {
            pair_step<Flip, RealCoeff, 0>(c2, x00, x01);
            pair_step<Flip, RealCoeff, 0>(c2, x10, x11);
        }
        store(v, j, x00), store(v, j | t1, x10), store(v, j | t2, x01), store(v, j | t1 | t2, x11);
    });
}

// The same when the first gate's target is held in lanes (a single state's low row qubits): each
// register of a pair takes the in-register update, then the pair the second gate's.
template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, bool Flip,
          bool RealCoeff, class Reg, class Real, std::size_t R, class Batch>
inline void apply_two_matrices_lane_first(view<Real, R> v, const matrix_coeffs<Batch>& c1, const matrix_coeffs<Batch>& c2) {
    static_assert(T1 < LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C2) == 0);
    constexpr std::uint64_t t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    constexpr std::uint64_t lc1 = lane_mask<LaneBits>(C1);
    for_each_register<t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        Reg x0 = load<Reg>(v, j), x1 = load<Reg>(v, j | t2);
        if (first) {
            x0 = lane_step<T1, Flip, RealCoeff, lc1>(c1, x0);
            x1 = lane_step<T1, Flip, RealCoeff, lc1>(c1, x1);
        }
        if (second) pair_step<Flip, RealCoeff, 0>(c2, x0, x1);
        store(v, j, x0), store(v, j | t2, x1);
    });
}

// ---- two real matrix gates in one sweep, pivoted -----------------------------------------------
// A row of a real 2x2 matrix factors into a scale and a ratio, lo' = m00 lo + m01 hi =
// m00 (lo + (m01/m00) hi): one FMA instead of a multiply and an FMA. The first gate's scales are
// per lane, so they pass through the second gate (a lane-wise linear map) and both gates' scales
// are applied once, at the store: two FMAs and a multiply per register instead of four
// operations. The pivot, the larger entry of each row, keeps every ratio in [-1, 1]; with the
// off-diagonal pivot (Swap), lo' = m01 (hi + (m00/m01) lo).
//
// A rotation (c, -s; s, c) has one scale for every register: c^2, or s^2 when its lo row takes
// the hi row's pivot, lo' = m10 (r lo - hi). Deferred, the kernel leaves that scale to the
// caller (apply_density.hpp's pending_scale): two FMAs per register, as many operations as one gate on a
// statevector. In lanes, a rotation's off-diagonal rows differ in sign, so only its diagonal
// pivot defers.

// Ratios and scales of an uncontrolled real gate's rows: [0] the lo row and [1] the hi row of a
// high target; [0] alone for a low target, whose lanes hold both rows.
template <class Batch>
struct pivoted_rows {
    std::array<Batch, 2> ratio, scale;
};

// One factored row: self + r other, with the off-diagonal pivot other + r self, or with Negated
// r self - other.
template <bool Swap, bool Negated = false, class Batch>
QHYBRID_INLINE Batch pivot_fma(const Batch& r, const Batch& self, const Batch& other) noexcept {
    if constexpr (Negated) return xsimd::fms(r, self, other);
    else if constexpr (Swap) return xsimd::fma(r, self, other);
    else return xsimd::fma(r, other, self);
}
template <bool Swap, bool Negated = false, class Batch>
QHYBRID_INLINE cvec<Batch> pivot_fma(const Batch& r, const cvec<Batch>& self, const cvec<Batch>& other) noexcept {
    return {pivot_fma<Swap, Negated>(r, self.re, other.re), pivot_fma<Swap, Negated>(r, self.im, other.im)};
}
template <bool Swap, bool Negated = false, class Batch>
QHYBRID_INLINE rvec<Batch> pivot_fma(const Batch& r, const rvec<Batch>& self, const rvec<Batch>& other) noexcept {
    return {pivot_fma<Swap, Negated>(r, self.re, other.re)};
}

// The scaled register at the store, or the register itself when its scale is deferred.
template <bool Deferred, class Batch, class Reg>
QHYBRID_INLINE Reg scaled(const Batch& k, const Reg& x) noexcept {
    if constexpr (Deferred) return x;
    else if constexpr (std::is_same_v<Reg, rvec<Batch>>) return {k * x.re};
    else return {k * x.re, k * x.im};
}

// The factored update of the register pair (lo, hi), its scales left pending.
template <bool Swap, bool Deferred, class Batch, class Reg>
QHYBRID_INLINE void pivoted_pair_step(const pivoted_rows<Batch>& p, Reg& lo, Reg& hi) noexcept {
    const Reg l = lo;
    lo = pivot_fma<Swap, Swap && Deferred>(p.ratio[0], l, hi);
    hi = pivot_fma<Swap>(p.ratio[1], hi, l);
}

// apply_two_matrices for two uncontrolled real gates (Deferred: rotations).
template <unsigned LaneBits, unsigned T1, unsigned T2, bool Swap, bool Deferred, class Reg, class Real, std::size_t R,
          class Batch>
inline void apply_two_pivoted(view<Real, R> v, const pivoted_rows<Batch>& p1, const pivoted_rows<Batch>& p2) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    // The scale of x_ab: the first gate's row a times the second gate's row b.
    const Batch k00 = p1.scale[0] * p2.scale[0], k10 = p1.scale[1] * p2.scale[0], k01 = p1.scale[0] * p2.scale[1],
            k11 = p1.scale[1] * p2.scale[1];
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        Reg x00 = load<Reg>(v, j), x10 = load<Reg>(v, j | t1), x01 = load<Reg>(v, j | t2), x11 = load<Reg>(v, j | t1 | t2);
        pivoted_pair_step<Swap, Deferred>(p1, x00, x10);
        pivoted_pair_step<Swap, Deferred>(p1, x01, x11);
        pivoted_pair_step<Swap, Deferred>(p2, x00, x01);
        pivoted_pair_step<Swap, Deferred>(p2, x10, x11);
        store(v, j, scaled<Deferred>(k00, x00)), store(v, j | t1, scaled<Deferred>(k10, x10));
        store(v, j | t2, scaled<Deferred>(k01, x01)), store(v, j | t1 | t2, scaled<Deferred>(k11, x11));
    });
}

// apply_two_matrices_lane_first for two uncontrolled real gates (Deferred: rotations, diagonal pivot).
template <unsigned LaneBits, unsigned T1, unsigned T2, bool Swap, bool Deferred, class Reg, class Real, std::size_t R,
          class Batch>
inline void apply_two_pivoted_lane_first(view<Real, R> v, const pivoted_rows<Batch>& p1, const pivoted_rows<Batch>& p2) {
    static_assert(T1 < LaneBits && T2 >= LaneBits && !(Swap && Deferred));
    constexpr std::uint64_t t2 = std::uint64_t{1} << (T2 - LaneBits);
    const Batch k0 = p1.scale[0] * p2.scale[0], k1 = p1.scale[0] * p2.scale[1];
    for_each_register<t2, 0, R>([&](std::size_t j) {
        Reg x0 = load<Reg>(v, j), x1 = load<Reg>(v, j | t2);
        x0 = pivot_fma<Swap>(p1.ratio[0], x0, partner<T1>(x0));
        x1 = pivot_fma<Swap>(p1.ratio[0], x1, partner<T1>(x1));
        pivoted_pair_step<Swap, Deferred>(p2, x0, x1);
        store(v, j, scaled<Deferred>(k0, x0)), store(v, j | t2, scaled<Deferred>(k1, x1));
    });
}

// x <- k x on every register: a deferred scale, applied.
template <class Reg, class Real, std::size_t R, class Batch>
inline void scale(view<Real, R> v, const Batch& k) {
    for_each_register<0, 0, R>([&](std::size_t j) { store(v, j, scaled<false>(k, load<Reg>(v, j))); });
}

// Two diagonal gates in one sweep: d1 indexed by the register bits (HighA1, HighB1), then d2 by
// (HighA2, HighB2).
template <std::uint64_t HighA1, std::uint64_t HighB1, std::uint64_t HighA2, std::uint64_t HighB2, bool RealCoeff,
          class Reg, class Real, std::size_t R, class Batch>
inline void apply_diagonal_diagonal(view<Real, R> v, const diag_coeffs<Batch>& d1, const diag_coeffs<Batch>& d2) {
    for_each_register<0, 0, R>([&](std::size_t j) {
        store(v, j, mul<RealCoeff>(d2[diag_index<HighA2, HighB2>(j)], mul<RealCoeff>(d1[diag_index<HighA1, HighB1>(j)], load<Reg>(v, j))));
    });
}

} // namespace qhybrid::quantum::kernel

QHYBRID_SIMD_WARNINGS_ON
