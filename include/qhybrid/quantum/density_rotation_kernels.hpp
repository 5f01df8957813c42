// SPDX-License-Identifier: Apache-2.0
#pragma once
// SIMD kernels for a density matrix's rotations and phases, in the shape of their matrix. A
// density-matrix gate with an angle has a known shape, which halves its arithmetic against a
// general complex 2x2 matrix, and lets its adjoint step un-apply the row and the column half to
// psi and lambda in one sweep without spilling the 32 AVX-512 registers:
// - a rotation exp(-i theta Sign P/2), P = X or Y (RX, RY, CRX, CRY and their column halves), is
//   c I - i Sign s P: two operations per real component, and its generator term four FMAs;
// - a phase gate exp(-i theta D) and its column half multiply each entry by one phase of the row
//   and column bits, which is 1 where they take the same value of D (for_each_phase in
//   apply_density.hpp).
#include "qhybrid/quantum/kernel_registers.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

// g++ 12 reports the _mm512_undefined_pd() pass-through operand of AVX-512 permutes (xsimd's
// swizzle) as uninitialized wherever they are inlined; the operand is never read.
QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::kernel {

enum class pauli { x, y };

// acc + x y, or acc - x y with Minus.
template <bool Minus, class Batch>
QHYBRID_INLINE Batch signed_fma(const Batch& x, const Batch& y, const Batch& acc) noexcept {
    if constexpr (Minus) return xsimd::fnma(x, y, acc);
    else return xsimd::fma(x, y, acc);
}

// (lo, hi) <- (c I - i Sign s P)(lo, hi).
template <pauli P, int Sign, class Batch, class Reg>
QHYBRID_INLINE void rotation_step(const Batch& c, const Batch& s, Reg& lo, Reg& hi) noexcept {
    constexpr bool minus = Sign > 0;
    const Reg l = lo;
    if constexpr (P == pauli::y) { // -i Y = (0, -1; 1, 0): the same on real and imaginary parts
        lo.re = signed_fma<minus>(s, hi.re, c * l.re);
        hi.re = signed_fma<!minus>(s, l.re, c * hi.re);
        if constexpr (std::is_same_v<Reg, cvec<Batch>>) {
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
template <pauli P, int Sign, class Reg, class Batch>
QHYBRID_INLINE Batch rotation_term(const Reg& l0, const Reg& l1, const Reg& p0, const Reg& p1, Batch acc) noexcept {
    constexpr bool minus = Sign < 0;
    if constexpr (P == pauli::y) { // Re(conj(l1) p0) - Re(conj(l0) p1)
        acc = signed_fma<minus>(l1.re, p0.re, acc);
        acc = signed_fma<!minus>(l0.re, p1.re, acc);
        if constexpr (std::is_same_v<Reg, cvec<Batch>>) {
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
template <pauli P, int Sign1, int Sign2, class Batch, class Reg>
QHYBRID_INLINE void rotation_group(bool first, bool second, const Batch& c, const Batch& s, Reg& x00, Reg& x10, Reg& x01,
                                   Reg& x11) noexcept {
    if (first) rotation_step<P, Sign1>(c, s, x00, x10), rotation_step<P, Sign1>(c, s, x01, x11);
    if (second) rotation_step<P, Sign2>(c, s, x00, x01), rotation_step<P, Sign2>(c, s, x10, x11);
}

// The rotations exp(-i theta Sign1 P/2) on T1 (where the controls C1 are 1) and
// exp(-i theta Sign2 P/2) on T2 (where C2 are 1) in one sweep, c and s the half-angle trig.
template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, pauli P, int Sign1,
          int Sign2, class Reg, class Real, std::size_t R, class Batch>
inline void apply_two_rotations(view<Real, R> v, const Batch& c, const Batch& s) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C1 | C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        Reg x00 = load<Reg>(v, j), x10 = load<Reg>(v, j | t1), x01 = load<Reg>(v, j | t2), x11 = load<Reg>(v, j | t1 | t2);
        rotation_group<P, Sign1, Sign2>(first, second, c, s, x00, x10, x01, x11);
        store(v, j, x00), store(v, j | t1, x10), store(v, j | t2, x01), store(v, j | t1 | t2, x11);
    });
}

// Un-applies the rotations exp(-i theta Sign1 P/2) on T1 (where the controls C1 are 1) and
// exp(-i theta Sign2 P/2) on T2 (where C2 are 1) to psi and lambda, c and s the half-angle trig;
// returns the lane sums of Im<lambda|Sign1 P_T1/2 + Sign2 P_T2/2|psi>.
template <unsigned LaneBits, unsigned T1, std::uint64_t C1, unsigned T2, std::uint64_t C2, pauli P, int Sign1,
          int Sign2, class Reg, class Real, std::size_t R, class Batch>
inline Batch backward_two_rotations(view<Real, R> psi, view<Real, R> lam, const Batch& c, const Batch& s) {
    static_assert(T1 >= LaneBits && T2 >= LaneBits && lane_mask<LaneBits>(C1 | C2) == 0);
    constexpr std::uint64_t t1 = std::uint64_t{1} << (T1 - LaneBits), t2 = std::uint64_t{1} << (T2 - LaneBits);
    constexpr std::uint64_t k1 = register_mask<LaneBits>(C1), k2 = register_mask<LaneBits>(C2);
    // Four accumulators: one chain of FMAs per group would bound the loop by their latency.
    Batch a0(Real(0)), a1(Real(0)), a2(Real(0)), a3(Real(0));
    for_each_register<t1 | t2, 0, R>([&](std::size_t j) {
        const bool first = (j & k1) == k1, second = (j & k2) == k2;
        if (!first && !second) return;
        Reg p00 = load<Reg>(psi, j), p10 = load<Reg>(psi, j | t1), p01 = load<Reg>(psi, j | t2), p11 = load<Reg>(psi, j | t1 | t2);
        Reg l00 = load<Reg>(lam, j), l10 = load<Reg>(lam, j | t1), l01 = load<Reg>(lam, j | t2), l11 = load<Reg>(lam, j | t1 | t2);
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
    return ((a0 + a1) + (a2 + a3)) * Batch(Real(0.5));
}

// x <- phase x on the registers whose bits in Ones are all 1 and in Zeros all 0.
template <std::uint64_t Zeros, std::uint64_t Ones, class Real, std::size_t R, class Batch>
inline void apply_phase(view<Real, R> v, const cvec<Batch>& phase) {
    for_each_register<Zeros, Ones, R>([&](std::size_t j) { store(v, j, mul<false>(phase, load<cvec<Batch>>(v, j))); });
}

// Un-applies one phase to the registers whose bits in Ones are all 1 and in Zeros all 0, in psi
// and lambda (x <- phase x); returns the lane sums of Im(conj(lambda) psi) over them.
template <std::uint64_t Zeros, std::uint64_t Ones, class Real, std::size_t R, class Batch>
inline Batch backward_phase(view<Real, R> psi, view<Real, R> lam, const cvec<Batch>& phase) {
    Batch acc(Real(0));
    for_each_register<Zeros, Ones, R>([&](std::size_t j) {
        const auto p = load<cvec<Batch>>(psi, j), l = load<cvec<Batch>>(lam, j);
        acc += generator_term(l, p, Batch(Real(0))); // one add per register on the loop's chain
        store(psi, j, mul<false>(phase, p));
        store(lam, j, mul<false>(phase, l));
    });
    return acc;
}

} // namespace qhybrid::quantum::kernel

QHYBRID_SIMD_WARNINGS_ON
