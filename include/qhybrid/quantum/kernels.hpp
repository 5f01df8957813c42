// SPDX-License-Identifier: Apache-2.0
#pragma once
// SIMD statevector kernels. A state is an array of registers, each a SIMD batch of W amplitudes
// stored split real/imaginary. In a single state, the low `LaneBits` qubits select a lane inside
// a register and the others select the register; in a batched state (LaneBits = 0) every qubit
// selects a register and the lanes are W different samples.
//
// A register is a `cvec` (split complex) or, for a state whose imaginary parts are all zero and
// a gate with a real matrix, an `rvec` that never touches the imaginary array: half the bytes
// and a quarter of the arithmetic.
//
// Two shapes cover every gate:
// - pair:     a 2x2 matrix on a target qubit, applied where all control qubits are 1;
// - diagonal: a phase per value of (bit a, bit b).
// Qubits held in registers become loops over register indices; qubits held in lanes become
// per-lane coefficient vectors (and, for a pair target, one in-register swizzle). Each shape has
// a forward kernel and a fused backward kernel for the adjoint method, which un-applies the gate
// to the state and to the adjoint state in one pass and accumulates Im<lambda|G|psi> for the
// gate's generator G.
#include "qhybrid/core/simd.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

// g++ 12 reports the _mm512_undefined_pd() pass-through operand of AVX-512 permutes (xsimd's
// swizzle) as uninitialized wherever they are inlined; the operand is never read.
QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::kernel {

template <class B>
struct cvec {
    B re, im;
};
template <class B>
struct rvec {
    B re;
};

// Pair coefficients as lane vectors. High target: c[0..3] = m00, m01, m10, m11 (a register pair
// (lo, hi) becomes lo' = m00 lo + m01 hi, hi' = m10 lo + m11 hi). Low target: c[0] = a, c[1] = b
// with x' = a x + b swizzle(x) (the partner lane differs in the target bit).
template <class B>
using pair_coeffs = std::array<cvec<B>, 4>;

// Diagonal coefficients: d[h] multiplies a register whose high gate bits spell h.
template <class B>
using diag_coeffs = std::array<cvec<B>, 4>;

template <bool RealCoeff, class B>
inline cvec<B> mul(const cvec<B>& c, const cvec<B>& x) noexcept {
    if constexpr (RealCoeff)
        return {c.re * x.re, c.re * x.im};
    else
        return {xsimd::fms(c.re, x.re, c.im * x.im), xsimd::fma(c.re, x.im, c.im * x.re)};
}

template <bool RealCoeff, class B>
inline cvec<B> mul_add(const cvec<B>& c, const cvec<B>& x, const cvec<B>& acc) noexcept {
    if constexpr (RealCoeff)
        return {xsimd::fma(c.re, x.re, acc.re), xsimd::fma(c.re, x.im, acc.im)};
    else
        return {xsimd::fma(c.re, x.re, xsimd::fnma(c.im, x.im, acc.re)),
                xsimd::fma(c.re, x.im, xsimd::fma(c.im, x.re, acc.im))};
}

template <bool RealCoeff, class B>
inline rvec<B> mul(const cvec<B>& c, const rvec<B>& x) noexcept {
    static_assert(RealCoeff, "a real register takes real coefficients");
    return {c.re * x.re};
}

template <bool RealCoeff, class B>
inline rvec<B> mul_add(const cvec<B>& c, const rvec<B>& x, const rvec<B>& acc) noexcept {
    static_assert(RealCoeff, "a real register takes real coefficients");
    return {xsimd::fma(c.re, x.re, acc.re)};
}

// The adjoint method's term Im<l|G|x>, summed into acc, given gx = G applied to x. For real
// registers G is imaginary (the generators of RY and CRY), and the caller passes gx = Im(G) x,
// so the term is l . gx.
template <class B>
inline B generator_term(const cvec<B>& l, const cvec<B>& gx, const B& acc) noexcept {
    return xsimd::fma(l.re, gx.im, xsimd::fnma(l.im, gx.re, acc));
}
template <class B>
inline B generator_term(const rvec<B>& l, const rvec<B>& gx, const B& acc) noexcept {
    return xsimd::fma(l.re, gx.re, acc);
}

// A state's amplitudes: Registers registers of split real and imaginary parts.
template <class Real, std::size_t Registers>
struct view {
    Real* re;
    Real* im;
    static constexpr std::size_t registers = Registers;
};

// The batch type of a register type.
template <class A>
using batch_of = decltype(A::re);

template <class A, class Real, std::size_t R>
inline A load(view<Real, R> v, std::size_t j) noexcept {
    using B = batch_of<A>;
    if constexpr (std::is_same_v<A, rvec<B>>)
        return {B::load_aligned(v.re + j * B::size)};
    else
        return {B::load_aligned(v.re + j * B::size), B::load_aligned(v.im + j * B::size)};
}

template <class B, class Real, std::size_t R>
inline void store(view<Real, R> v, std::size_t j, const cvec<B>& x) noexcept {
    x.re.store_aligned(v.re + j * B::size);
    x.im.store_aligned(v.im + j * B::size);
}
template <class B, class Real, std::size_t R>
inline void store(view<Real, R> v, std::size_t j, const rvec<B>& x) noexcept {
    x.re.store_aligned(v.re + j * B::size);
}

// Index k with a zero bit inserted at every set bit of `zeros`, lowest first.
template <std::uint64_t Zeros>
constexpr std::size_t spread(std::size_t k) noexcept {
    std::uint64_t m = Zeros;
    while (m) {
        const std::size_t low = (std::size_t{1} << std::countr_zero(m)) - 1;
        k = ((k & ~low) << 1) | (k & low);
        m &= m - 1;
    }
    return k;
}

// Calls f(j) for every register index j (< registers) whose bits in `Ones` are all 1 and whose
// bits in `Zeros` are all 0. The indices below the lowest constrained bit form contiguous runs:
// only the start of each run pays for spreading the bits.
template <std::uint64_t Zeros, std::uint64_t Ones, std::size_t Registers, class F>
inline void for_each_register(F&& f) {
    constexpr std::uint64_t mask = Zeros | Ones;
    constexpr std::size_t count = Registers >> std::popcount(mask);
    constexpr std::size_t run = mask ? std::min(count, std::size_t{1} << std::countr_zero(mask)) : count;
    for (std::size_t k = 0; k < count; k += run) {
        const std::size_t first = spread<mask>(k) | Ones;
        for (std::size_t i = 0; i < run; ++i) f(first + i);
    }
}

// In-register partner: lane l -> lane l ^ (1 << Bit).
template <unsigned Bit>
struct flip_lane {
    static constexpr unsigned get(unsigned i, unsigned) { return i ^ (1u << Bit); }
};

template <unsigned Bit, class B>
QHYBRID_INLINE B partner(const B& x) noexcept {
    using index_batch = xsimd::batch<xsimd::as_unsigned_integer_t<typename B::value_type>,
                                     typename B::arch_type>;
    return xsimd::swizzle(x, xsimd::make_batch_constant<index_batch, flip_lane<Bit>>());
}
template <unsigned Bit, class B>
QHYBRID_INLINE cvec<B> partner(const cvec<B>& x) noexcept {
    return {partner<Bit>(x.re), partner<Bit>(x.im)};
}
template <unsigned Bit, class B>
QHYBRID_INLINE rvec<B> partner(const rvec<B>& x) noexcept {
    return {partner<Bit>(x.re)};
}

// Lanes whose index has every bit of Ones set and every bit of Zeros clear take `where`.
template <std::uint64_t Ones, std::uint64_t Zeros>
struct lanes_where {
    static constexpr bool get(unsigned i, unsigned) { return (i & Ones) == Ones && (i & Zeros) == 0; }
};
// (On AVX-512 as one blend instruction: g++ keeps xsimd::select out of line, a call per register
// in the kernels' loops.)
template <class B, std::uint64_t Ones, std::uint64_t Zeros>
QHYBRID_INLINE B select_lanes(const B& where, const B& otherwise) noexcept {
#if defined(__AVX512F__)
    if constexpr (sizeof(B) == 64) {
        constexpr unsigned mask = [] {
            unsigned m = 0;
            for (unsigned i = 0; i < B::size; ++i) m |= unsigned(lanes_where<Ones, Zeros>::get(i, B::size)) << i;
            return m;
        }();
        if constexpr (std::is_same_v<typename B::value_type, double>)
            return B(_mm512_mask_blend_pd(__mmask8(mask), otherwise, where));
        else
            return B(_mm512_mask_blend_ps(__mmask16(mask), otherwise, where));
    } else
#endif
        return xsimd::select(xsimd::make_batch_bool_constant<B, lanes_where<Ones, Zeros>>(), where, otherwise);
}
template <std::uint64_t Ones, class B>
QHYBRID_INLINE cvec<B> select_lanes(const cvec<B>& where, const cvec<B>& otherwise) noexcept {
    return {select_lanes<B, Ones, 0>(where.re, otherwise.re), select_lanes<B, Ones, 0>(where.im, otherwise.im)};
}
template <std::uint64_t Ones, class B>
QHYBRID_INLINE rvec<B> select_lanes(const rvec<B>& where, const rvec<B>& otherwise) noexcept {
    return {select_lanes<B, Ones, 0>(where.re, otherwise.re)};
}

// Register-level masks of a gate: which of its qubits live in the register index.
template <unsigned LaneBits>
constexpr std::uint64_t register_mask(std::uint64_t qubits) noexcept {
    return qubits >> LaneBits;
}
template <unsigned LaneBits>
constexpr std::uint64_t lane_mask(std::uint64_t qubits) noexcept {
    return qubits & ((std::uint64_t{1} << LaneBits) - 1);
}

// ---- pair gates -------------------------------------------------------------------------------
// Target: a qubit number; Controls: a mask of qubits; A: the register type (cvec or rvec).

// One update of a register pair (high target).
template <bool RealCoeff, class B, class A>
inline void pair_update(const pair_coeffs<B>& c, A& lo, A& hi) noexcept {
    const A l = lo;
    lo = mul_add<RealCoeff>(c[1], hi, mul<RealCoeff>(c[0], l));
    hi = mul_add<RealCoeff>(c[3], hi, mul<RealCoeff>(c[2], l));
}

// One update of a register (low target).
template <unsigned Target, bool RealCoeff, class B, class A>
inline A lane_update(const pair_coeffs<B>& c, const A& x) noexcept {
    return mul_add<RealCoeff>(c[1], partner<Target>(x), mul<RealCoeff>(c[0], x));
}

template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, bool RealCoeff, class A,
          class Real, std::size_t R, class B>
inline void apply_pair(view<Real, R> v, const pair_coeffs<B>& c) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls);
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            store(v, j, lane_update<Target, RealCoeff>(c, load<A>(v, j)));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            A lo = load<A>(v, j), hi = load<A>(v, j | t);
            pair_update<RealCoeff>(c, lo, hi);
            store(v, j, lo);
            store(v, j | t, hi);
        });
    }
}

// X on the target where every control is 1 (X, CNOT): a permutation of amplitudes, so no
// arithmetic, only register moves, in-register swizzles and blends.
template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, class A, class Real, std::size_t R>
inline void apply_flip(view<Real, R> v) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls), lc = lane_mask<LaneBits>(Controls);
    const auto where_controlled = [](const A& flipped, const A& x) {
        if constexpr (lc == 0) return flipped;
        else return select_lanes<lc>(flipped, x);
    };
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            const A x = load<A>(v, j);
            store(v, j, where_controlled(partner<Target>(x), x));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            const A lo = load<A>(v, j), hi = load<A>(v, j | t);
            store(v, j, where_controlled(hi, lo));
            store(v, j | t, where_controlled(lo, hi));
        });
    }
}

// Un-applies a pair gate (coefficients `inv` of U^dagger) to psi and lambda. With a generator
// (coefficients `gen`; see generator_term for real registers), returns the lane sums of
// Im<lambda|G|psi>, taken before un-applying.
template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, bool RealCoeff,
          bool WithGenerator, class A, class Real, std::size_t R, class B>
inline B backward_pair(view<Real, R> psi, view<Real, R> lam, const pair_coeffs<B>& inv,
                       const pair_coeffs<B>& gen) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls);
    constexpr bool real_gen = std::is_same_v<A, rvec<B>>;
    B acc(Real(0));
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            const A p = load<A>(psi, j), l = load<A>(lam, j);
            if constexpr (WithGenerator) acc = generator_term(l, lane_update<Target, real_gen>(gen, p), acc);
            store(psi, j, lane_update<Target, RealCoeff>(inv, p));
            store(lam, j, lane_update<Target, RealCoeff>(inv, l));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            A p0 = load<A>(psi, j), p1 = load<A>(psi, j | t);
            A l0 = load<A>(lam, j), l1 = load<A>(lam, j | t);
            if constexpr (WithGenerator) {
                A g0 = p0, g1 = p1;
                pair_update<real_gen>(gen, g0, g1);
                acc = generator_term(l1, g1, generator_term(l0, g0, acc));
            }
            pair_update<RealCoeff>(inv, p0, p1);
            pair_update<RealCoeff>(inv, l0, l1);
            store(psi, j, p0);
            store(psi, j | t, p1);
            store(lam, j, l0);
            store(lam, j | t, l1);
        });
    }
    return acc;
}

// ---- diagonal gates ---------------------------------------------------------------------------

// Index into diag_coeffs of register j: bit 0 = the register bit of qubit A (if A is high),
// bit 1 = that of qubit B (if the gate has a high second qubit).
template <std::uint64_t HighA, std::uint64_t HighB>
constexpr std::size_t diag_index(std::size_t j) noexcept {
    std::size_t h = 0;
    if constexpr (HighA != 0) h |= (j & HighA) ? 1 : 0;
    if constexpr (HighB != 0) h |= (j & HighB) ? 2 : 0;
    return h;
}

template <std::uint64_t HighA, std::uint64_t HighB, bool RealCoeff, class A, class Real, std::size_t R, class B>
inline void apply_diagonal(view<Real, R> v, const diag_coeffs<B>& d) {
    for_each_register<0, 0, R>([&](std::size_t j) {
        store(v, j, mul<RealCoeff>(d[diag_index<HighA, HighB>(j)], load<A>(v, j)));
    });
}

// Un-applies a diagonal gate (coefficients `inv`) to psi and lambda; with a real diagonal
// generator `gen` (lane vectors in .re), returns the lane sums of Im<lambda|G|psi>.
template <std::uint64_t HighA, std::uint64_t HighB, bool RealCoeff, bool WithGenerator, class A,
          class Real, std::size_t R, class B>
inline B backward_diagonal(view<Real, R> psi, view<Real, R> lam, const diag_coeffs<B>& inv,
                           const diag_coeffs<B>& gen) {
    // Every diagonal gate with an angle has a complex matrix: its registers are complex.
    static_assert(!WithGenerator || std::is_same_v<A, cvec<B>>);
    B acc(Real(0));
    for_each_register<0, 0, R>([&](std::size_t j) {
        const std::size_t h = diag_index<HighA, HighB>(j);
        const A p = load<A>(psi, j), l = load<A>(lam, j);
        if constexpr (WithGenerator) acc = xsimd::fma(gen[h].re, generator_term(l, p, B(Real(0))), acc);
        store(psi, j, mul<RealCoeff>(inv[h], p));
        store(lam, j, mul<RealCoeff>(inv[h], l));
    });
    return acc;
}


// ---- two gates in one sweep -------------------------------------------------------------------
// A gate on a density matrix is G on a row qubit and conj(G) on the matching column qubit. When
// the second gate's qubits are all held in registers, one sweep over groups of registers applies
// both: half the memory traffic of two sweeps. Register controls are tested per group: they never
// include the other gate's target. Lane controls of the first gate are in its coefficients, or,
// for a flip, a blend.

// x <- G x on the register pair (lo, hi): a 2x2 matrix, or for X and CNOT a swap in the lanes
// whose control bits (LaneControls) are all 1.
template <bool Flip, bool RealCoeff, std::uint64_t LaneControls, class B, class A>
inline void pair_step(const pair_coeffs<B>& c, A& lo, A& hi) noexcept {
    if constexpr (Flip && LaneControls == 0) {
        std::swap(lo, hi);
    } else if constexpr (Flip) {
        const A l = lo;
        lo = select_lanes<LaneControls>(hi, lo);
        hi = select_lanes<LaneControls>(l, hi);
    } else {
        pair_update<RealCoeff>(c, lo, hi);
    }
}

// x <- G x on a register, G's target held in lanes.
template <unsigned Target, bool Flip, bool RealCoeff, std::uint64_t LaneControls, class B, class A>
inline A lane_step(const pair_coeffs<B>& c, const A& x) noexcept {
    if constexpr (Flip && LaneControls == 0) return partner<Target>(x);
    else if constexpr (Flip) return select_lanes<LaneControls>(partner<Target>(x), x);
    else return lane_update<Target, RealCoeff>(c, x);
}

template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, bool Flip,
          bool RealCoeff, class A, class Real, std::size_t R, class B>
inline void apply_pair_pair(view<Real, R> v, const pair_coeffs<B>& c1, const pair_coeffs<B>& c2) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    constexpr std::uint64_t lc1 = lane_mask<LaneBits>(C1);
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return; // a group both gates' controls leave alone
        A x00 = load<A>(v, j), x10 = load<A>(v, j | t1), x01 = load<A>(v, j | t2), x11 = load<A>(v, j | t1 | t2);
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
          bool RealCoeff, class A, class Real, std::size_t R, class B>
inline void apply_lane_pair(view<Real, R> v, const pair_coeffs<B>& c1, const pair_coeffs<B>& c2) {
    static_assert(T1 < LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C2) == 0);
    constexpr std::uint64_t t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    constexpr std::uint64_t lc1 = lane_mask<LaneBits>(C1);
    for_each_register<t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        A x0 = load<A>(v, j), x1 = load<A>(v, j | t2);
        if (first) {
            x0 = lane_step<T1, Flip, RealCoeff, lc1>(c1, x0);
            x1 = lane_step<T1, Flip, RealCoeff, lc1>(c1, x1);
        }
        if (second) pair_step<Flip, RealCoeff, 0>(c2, x0, x1);
        store(v, j, x0), store(v, j | t2, x1);
    });
}

// ---- two real pair gates in one sweep, pivoted -------------------------------------------------
// A row of a real 2x2 matrix factors into a scale and a ratio, lo' = m00 lo + m01 hi =
// m00 (lo + (m01/m00) hi): one FMA instead of a multiply and an FMA. The first gate's scales are
// per lane, so they pass through the second gate (a lane-wise linear map) and both gates' scales
// are applied once, at the store: two FMAs and a multiply per register instead of four
// operations. The pivot, the larger entry of each row, keeps every ratio in [-1, 1]; with the
// off-diagonal pivot (Swap), lo' = m01 (hi + (m00/m01) lo).
//
// A rotation (c, -s; s, c) has one scale for every register: c^2, or s^2 when its lo row takes
// the hi row's pivot, lo' = m10 (r lo - hi). Deferred, the kernel leaves that scale to the
// caller (apply.hpp's pending_scale): two FMAs per register, as many operations as one gate on a
// statevector. In lanes, a rotation's off-diagonal rows differ in sign, so only its diagonal
// pivot defers.

// Ratios and scales of an uncontrolled real gate's rows: [0] the lo row and [1] the hi row of a
// high target; [0] alone for a low target, whose lanes hold both rows.
template <class B>
struct pivoted_rows {
    std::array<B, 2> ratio, scale;
};

// One factored row: self + r other, with the off-diagonal pivot other + r self, or with Negated
// r self - other.
template <bool Swap, bool Negated = false, class B>
QHYBRID_INLINE B pivot_fma(const B& r, const B& self, const B& other) noexcept {
    if constexpr (Negated) return xsimd::fms(r, self, other);
    else if constexpr (Swap) return xsimd::fma(r, self, other);
    else return xsimd::fma(r, other, self);
}
template <bool Swap, bool Negated = false, class B>
QHYBRID_INLINE cvec<B> pivot_fma(const B& r, const cvec<B>& self, const cvec<B>& other) noexcept {
    return {pivot_fma<Swap, Negated>(r, self.re, other.re), pivot_fma<Swap, Negated>(r, self.im, other.im)};
}
template <bool Swap, bool Negated = false, class B>
QHYBRID_INLINE rvec<B> pivot_fma(const B& r, const rvec<B>& self, const rvec<B>& other) noexcept {
    return {pivot_fma<Swap, Negated>(r, self.re, other.re)};
}

// The scaled register at the store, or the register itself when its scale is deferred.
template <bool Deferred, class B, class A>
QHYBRID_INLINE A scaled(const B& k, const A& x) noexcept {
    if constexpr (Deferred) return x;
    else if constexpr (std::is_same_v<A, rvec<B>>) return {k * x.re};
    else return {k * x.re, k * x.im};
}

// The factored update of the register pair (lo, hi), its scales left pending.
template <bool Swap, bool Deferred, class B, class A>
QHYBRID_INLINE void pivoted_pair_step(const pivoted_rows<B>& p, A& lo, A& hi) noexcept {
    const A l = lo;
    lo = pivot_fma<Swap, Swap && Deferred>(p.ratio[0], l, hi);
    hi = pivot_fma<Swap>(p.ratio[1], hi, l);
}

// apply_pair_pair for two uncontrolled real gates (Deferred: rotations).
template <unsigned LaneBits, unsigned T1, unsigned T2, bool Swap, bool Deferred, class A, class Real, std::size_t R,
          class B>
inline void apply_pair_pair_pivoted(view<Real, R> v, const pivoted_rows<B>& p1, const pivoted_rows<B>& p2) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    // The scale of x_ab: the first gate's row a times the second gate's row b.
    const B k00 = p1.scale[0] * p2.scale[0], k10 = p1.scale[1] * p2.scale[0], k01 = p1.scale[0] * p2.scale[1],
            k11 = p1.scale[1] * p2.scale[1];
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        A x00 = load<A>(v, j), x10 = load<A>(v, j | t1), x01 = load<A>(v, j | t2), x11 = load<A>(v, j | t1 | t2);
        pivoted_pair_step<Swap, Deferred>(p1, x00, x10);
        pivoted_pair_step<Swap, Deferred>(p1, x01, x11);
        pivoted_pair_step<Swap, Deferred>(p2, x00, x01);
        pivoted_pair_step<Swap, Deferred>(p2, x10, x11);
        store(v, j, scaled<Deferred>(k00, x00)), store(v, j | t1, scaled<Deferred>(k10, x10));
        store(v, j | t2, scaled<Deferred>(k01, x01)), store(v, j | t1 | t2, scaled<Deferred>(k11, x11));
    });
}

// apply_lane_pair for two uncontrolled real gates (Deferred: rotations, diagonal pivot).
template <unsigned LaneBits, unsigned T1, unsigned T2, bool Swap, bool Deferred, class A, class Real, std::size_t R,
          class B>
inline void apply_lane_pair_pivoted(view<Real, R> v, const pivoted_rows<B>& p1, const pivoted_rows<B>& p2) {
    static_assert(T1 < LaneBits && T2 >= LaneBits && !(Swap && Deferred));
    constexpr std::uint64_t t2 = std::uint64_t{1} << (T2 - LaneBits);
    const B k0 = p1.scale[0] * p2.scale[0], k1 = p1.scale[0] * p2.scale[1];
    for_each_register<t2, 0, R>([&](std::size_t j) {
        A x0 = load<A>(v, j), x1 = load<A>(v, j | t2);
        x0 = pivot_fma<Swap>(p1.ratio[0], x0, partner<T1>(x0));
        x1 = pivot_fma<Swap>(p1.ratio[0], x1, partner<T1>(x1));
        pivoted_pair_step<Swap, Deferred>(p2, x0, x1);
        store(v, j, scaled<Deferred>(k0, x0)), store(v, j | t2, scaled<Deferred>(k1, x1));
    });
}

// x <- k x on every register: a deferred scale, applied.
template <class A, class Real, std::size_t R, class B>
inline void scale(view<Real, R> v, const B& k) {
    for_each_register<0, 0, R>([&](std::size_t j) { store(v, j, scaled<false>(k, load<A>(v, j))); });
}

// Two diagonal gates in one sweep: d1 indexed by the register bits (HighA1, HighB1), then d2 by
// (HighA2, HighB2).
template <std::uint64_t HighA1, std::uint64_t HighB1, std::uint64_t HighA2, std::uint64_t HighB2, bool RealCoeff,
          class A, class Real, std::size_t R, class B>
inline void apply_diagonal_diagonal(view<Real, R> v, const diag_coeffs<B>& d1, const diag_coeffs<B>& d2) {
    for_each_register<0, 0, R>([&](std::size_t j) {
        store(v, j, mul<RealCoeff>(d2[diag_index<HighA2, HighB2>(j)], mul<RealCoeff>(d1[diag_index<HighA1, HighB1>(j)], load<A>(v, j))));
    });
}

// ---- a density matrix's rotations and phases, in the shape of their matrix ----------------------
// A density-matrix gate with an angle has a known shape, which halves its arithmetic against a
// general complex 2x2 matrix, and lets its adjoint step un-apply the row and the column half to
// psi and lambda in one sweep without spilling the 32 AVX-512 registers:
// - a rotation exp(-i theta Sign P/2), P = X or Y (RX, RY, CRX, CRY and their column halves), is
//   c I - i Sign s P: two operations per real component, and its generator term four FMAs;
// - a phase gate exp(-i theta D) and its column half multiply each entry by one phase of the row
//   and column bits, which is 1 where they take the same value of D (for_each_phase in apply.hpp).

enum class pauli { x, y };

// acc + x y, or acc - x y with Minus.
template <bool Minus, class B>
QHYBRID_INLINE B signed_fma(const B& x, const B& y, const B& acc) noexcept {
    if constexpr (Minus) return xsimd::fnma(x, y, acc);
    else return xsimd::fma(x, y, acc);
}

// (lo, hi) <- (c I - i Sign s P)(lo, hi).
template <pauli P, int Sign, class B, class A>
QHYBRID_INLINE void rotation_step(const B& c, const B& s, A& lo, A& hi) noexcept {
    constexpr bool minus = Sign > 0;
    const A l = lo;
    if constexpr (P == pauli::y) { // -i Y = (0, -1; 1, 0): the same on real and imaginary parts
        lo.re = signed_fma<minus>(s, hi.re, c * l.re);
        hi.re = signed_fma<!minus>(s, l.re, c * hi.re);
        if constexpr (std::is_same_v<A, cvec<B>>) {
            lo.im = signed_fma<minus>(s, hi.im, c * l.im);
            hi.im = signed_fma<!minus>(s, l.im, c * hi.im);
        }
    } else { // -i X = (0, -i; -i, 0), on split complex registers
        lo.re = signed_fma<!minus>(s, hi.im, c * l.re);
        lo.im = signed_fma<minus>(s, hi.re, c * l.im);
        hi.re = signed_fma<!minus>(s, l.im, c * hi.re);
        hi.im = signed_fma<minus>(s, l.re, c * hi.im);
    }
}

// acc + Sign Im(l^dagger P p) on the pair (0, 1).
template <pauli P, int Sign, class A, class B>
QHYBRID_INLINE B rotation_term(const A& l0, const A& l1, const A& p0, const A& p1, B acc) noexcept {
    constexpr bool minus = Sign < 0;
    if constexpr (P == pauli::y) { // Re(conj(l1) p0) - Re(conj(l0) p1)
        acc = signed_fma<minus>(l1.re, p0.re, acc);
        acc = signed_fma<!minus>(l0.re, p1.re, acc);
        if constexpr (std::is_same_v<A, cvec<B>>) {
            acc = signed_fma<minus>(l1.im, p0.im, acc);
            acc = signed_fma<!minus>(l0.im, p1.im, acc);
        }
    } else { // Im(conj(l0) p1) + Im(conj(l1) p0)
        acc = signed_fma<minus>(l0.re, p1.im, acc);
        acc = signed_fma<!minus>(l0.im, p1.re, acc);
        acc = signed_fma<minus>(l1.re, p0.im, acc);
        acc = signed_fma<!minus>(l1.im, p0.re, acc);
    }
    return acc;
}

// Both rotations on a group of registers, x_ab with a the bit of the first target and b the
// second's: the first where its controls hold, then the second where its controls hold.
template <pauli P, int Sign1, int Sign2, class B, class A>
QHYBRID_INLINE void rotation_group(bool first, bool second, const B& c, const B& s, A& x00, A& x10, A& x01,
                                   A& x11) noexcept {
    if (first) rotation_step<P, Sign1>(c, s, x00, x10), rotation_step<P, Sign1>(c, s, x01, x11);
    if (second) rotation_step<P, Sign2>(c, s, x00, x01), rotation_step<P, Sign2>(c, s, x10, x11);
}

// The rotations exp(-i theta Sign1 P/2) on T1 (where the controls C1 are 1) and
// exp(-i theta Sign2 P/2) on T2 (where C2 are 1) in one sweep, c and s the half-angle trig.
template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, pauli P, int Sign1,
          int Sign2, class A, class Real, std::size_t R, class B>
inline void apply_rotation_pair(view<Real, R> v, const B& c, const B& s) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C1 | C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        A x00 = load<A>(v, j), x10 = load<A>(v, j | t1), x01 = load<A>(v, j | t2), x11 = load<A>(v, j | t1 | t2);
        rotation_group<P, Sign1, Sign2>(first, second, c, s, x00, x10, x01, x11);
        store(v, j, x00), store(v, j | t1, x10), store(v, j | t2, x01), store(v, j | t1 | t2, x11);
    });
}

// Un-applies the rotations exp(-i theta Sign1 P/2) on T1 (where the controls C1 are 1) and
// exp(-i theta Sign2 P/2) on T2 (where C2 are 1) to psi and lambda, c and s the half-angle trig;
// returns the lane sums of Im<lambda|Sign1 P_T1/2 + Sign2 P_T2/2|psi>.
template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, pauli P, int Sign1,
          int Sign2, class A, class Real, std::size_t R, class B>
inline B backward_rotation_pair(view<Real, R> psi, view<Real, R> lam, const B& c, const B& s) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C1 | C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    // Four accumulators: one chain of FMAs per group would bound the loop by their latency.
    B a0(Real(0)), a1(Real(0)), a2(Real(0)), a3(Real(0));
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        A p00 = load<A>(psi, j), p10 = load<A>(psi, j | t1), p01 = load<A>(psi, j | t2), p11 = load<A>(psi, j | t1 | t2);
        A l00 = load<A>(lam, j), l10 = load<A>(lam, j | t1), l01 = load<A>(lam, j | t2), l11 = load<A>(lam, j | t1 | t2);
        if (first) {
            a0 = rotation_term<P, Sign1>(l00, l10, p00, p10, a0);
            a1 = rotation_term<P, Sign1>(l01, l11, p01, p11, a1);
        }
        if (second) {
            a2 = rotation_term<P, Sign2>(l00, l01, p00, p01, a2);
            a3 = rotation_term<P, Sign2>(l10, l11, p10, p11, a3);
        }
        rotation_group<P, -Sign1, -Sign2>(first, second, c, s, p00, p10, p01, p11);
        rotation_group<P, -Sign1, -Sign2>(first, second, c, s, l00, l10, l01, l11);
        store(psi, j, p00), store(psi, j | t1, p10), store(psi, j | t2, p01), store(psi, j | t1 | t2, p11);
        store(lam, j, l00), store(lam, j | t1, l10), store(lam, j | t2, l01), store(lam, j | t1 | t2, l11);
    });
    return ((a0 + a1) + (a2 + a3)) * B(Real(0.5));
}

// x <- phase x on the registers whose bits in Ones are all 1 and in Zeros all 0.
template <std::uint64_t Zeros, std::uint64_t Ones, class Real, std::size_t R, class B>
inline void apply_phase(view<Real, R> v, const cvec<B>& phase) {
    for_each_register<Zeros, Ones, R>([&](std::size_t j) { store(v, j, mul<false>(phase, load<cvec<B>>(v, j))); });
}

// Un-applies one phase to the registers whose bits in Ones are all 1 and in Zeros all 0, in psi
// and lambda (x <- phase x); returns the lane sums of Im(conj(lambda) psi) over them.
template <std::uint64_t Zeros, std::uint64_t Ones, class Real, std::size_t R, class B>
inline B backward_phase(view<Real, R> psi, view<Real, R> lam, const cvec<B>& phase) {
    B acc(Real(0));
    for_each_register<Zeros, Ones, R>([&](std::size_t j) {
        const auto p = load<cvec<B>>(psi, j), l = load<cvec<B>>(lam, j);
        acc += generator_term(l, p, B(Real(0))); // one add per register on the loop's chain
        store(psi, j, mul<false>(phase, p));
        store(lam, j, mul<false>(phase, l));
    });
    return acc;
}

} // namespace qhybrid::quantum::kernel

QHYBRID_SIMD_WARNINGS_ON
