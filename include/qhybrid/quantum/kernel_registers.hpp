// SPDX-License-Identifier: Apache-2.0
#pragma once
// The registers the SIMD kernels work on. A state is an array of registers, each a SIMD batch
// of W amplitudes stored split real/imaginary. In a single state, the low `LaneBits` qubits
// select a lane inside a register and the others select the register; in a batched state
// (LaneBits = 0) every qubit selects a register and the lanes are W different samples.
//
// A register is a `cvec` (split complex) or, for a state whose imaginary parts are all zero and
// a gate with a real matrix, an `rvec` that never touches the imaginary array: half the bytes
// and a quarter of the arithmetic. This header has their arithmetic, loads and stores, the loops
// over register indices and the in-register swizzles and blends the kernels are made of.
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

template <class Batch>
struct cvec {
    Batch re, im;
};
template <class Batch>
struct rvec {
    Batch re;
};

// A matrix gate's coefficients as lane vectors. High target: c[0..3] = m00, m01, m10, m11 (a
// register pair (lo, hi) becomes lo' = m00 lo + m01 hi, hi' = m10 lo + m11 hi). Low target:
// c[0] = a, c[1] = b with x' = a x + b swizzle(x) (the partner lane differs in the target bit).
template <class Batch>
using matrix_coeffs = std::array<cvec<Batch>, 4>;

// Diagonal coefficients: d[h] multiplies a register whose high gate bits spell h.
template <class Batch>
using diag_coeffs = std::array<cvec<Batch>, 4>;

template <bool RealCoeff, class Batch>
inline cvec<Batch> mul(const cvec<Batch>& c, const cvec<Batch>& x) noexcept {
    if constexpr (RealCoeff)
        return {c.re * x.re, c.re * x.im};
    else
        return {xsimd::fms(c.re, x.re, c.im * x.im), xsimd::fma(c.re, x.im, c.im * x.re)};
}

template <bool RealCoeff, class Batch>
inline cvec<Batch> mul_add(const cvec<Batch>& c, const cvec<Batch>& x, const cvec<Batch>& acc) noexcept {
    if constexpr (RealCoeff)
        return {xsimd::fma(c.re, x.re, acc.re), xsimd::fma(c.re, x.im, acc.im)};
    else
        return {xsimd::fma(c.re, x.re, xsimd::fnma(c.im, x.im, acc.re)),
                xsimd::fma(c.re, x.im, xsimd::fma(c.im, x.re, acc.im))};
}

template <bool RealCoeff, class Batch>
inline rvec<Batch> mul(const cvec<Batch>& c, const rvec<Batch>& x) noexcept {
    static_assert(RealCoeff, "a real register takes real coefficients");
    return {c.re * x.re};
}

template <bool RealCoeff, class Batch>
inline rvec<Batch> mul_add(const cvec<Batch>& c, const rvec<Batch>& x, const rvec<Batch>& acc) noexcept {
    static_assert(RealCoeff, "a real register takes real coefficients");
    return {xsimd::fma(c.re, x.re, acc.re)};
}

// The adjoint method's term Im<l|G|x>, summed into acc, given gx = G applied to x. For real
// registers G is imaginary (the generators of RY and CRY), and the caller passes gx = Im(G) x,
// so the term is l . gx.
template <class Batch>
inline Batch generator_term(const cvec<Batch>& l, const cvec<Batch>& gx, const Batch& acc) noexcept {
    return xsimd::fma(l.re, gx.im, xsimd::fnma(l.im, gx.re, acc));
}
template <class Batch>
inline Batch generator_term(const rvec<Batch>& l, const rvec<Batch>& gx, const Batch& acc) noexcept {
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
template <class Reg>
using batch_of = decltype(Reg::re);

template <class Reg, class Real, std::size_t R>
inline Reg load(view<Real, R> v, std::size_t j) noexcept {
    using Batch = batch_of<Reg>;
    if constexpr (std::is_same_v<Reg, rvec<Batch>>)
        return {Batch::load_aligned(v.re + j * Batch::size)};
    else
        return {Batch::load_aligned(v.re + j * Batch::size), Batch::load_aligned(v.im + j * Batch::size)};
}

template <class Batch, class Real, std::size_t R>
inline void store(view<Real, R> v, std::size_t j, const cvec<Batch>& x) noexcept {
    x.re.store_aligned(v.re + j * Batch::size);
    x.im.store_aligned(v.im + j * Batch::size);
}
template <class Batch, class Real, std::size_t R>
inline void store(view<Real, R> v, std::size_t j, const rvec<Batch>& x) noexcept {
    x.re.store_aligned(v.re + j * Batch::size);
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

template <unsigned Bit, class Batch>
QHYBRID_INLINE Batch partner(const Batch& x) noexcept {
    using index_batch = xsimd::batch<xsimd::as_unsigned_integer_t<typename Batch::value_type>,
                                     typename Batch::arch_type>;
    return xsimd::swizzle(x, xsimd::make_batch_constant<index_batch, flip_lane<Bit>>());
}
template <unsigned Bit, class Batch>
QHYBRID_INLINE cvec<Batch> partner(const cvec<Batch>& x) noexcept {
    return {partner<Bit>(x.re), partner<Bit>(x.im)};
}
template <unsigned Bit, class Batch>
QHYBRID_INLINE rvec<Batch> partner(const rvec<Batch>& x) noexcept {
    return {partner<Bit>(x.re)};
}

// Lanes whose index has every bit of Ones set and every bit of Zeros clear take `where`.
template <std::uint64_t Ones, std::uint64_t Zeros>
struct lanes_where {
    static constexpr bool get(unsigned i, unsigned) { return (i & Ones) == Ones && (i & Zeros) == 0; }
};
template <class Batch, std::uint64_t Ones, std::uint64_t Zeros>
QHYBRID_INLINE Batch select_lanes(const Batch& where, const Batch& otherwise) noexcept {
    return simd::blend<lanes_where<Ones, Zeros>>(where, otherwise);
}
template <std::uint64_t Ones, class Batch>
QHYBRID_INLINE cvec<Batch> select_lanes(const cvec<Batch>& where, const cvec<Batch>& otherwise) noexcept {
    return {select_lanes<Batch, Ones, 0>(where.re, otherwise.re), select_lanes<Batch, Ones, 0>(where.im, otherwise.im)};
}
template <std::uint64_t Ones, class Batch>
QHYBRID_INLINE rvec<Batch> select_lanes(const rvec<Batch>& where, const rvec<Batch>& otherwise) noexcept {
    return {select_lanes<Batch, Ones, 0>(where.re, otherwise.re)};
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

} // namespace qhybrid::quantum::kernel

QHYBRID_SIMD_WARNINGS_ON
