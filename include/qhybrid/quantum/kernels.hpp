// SPDX-License-Identifier: Apache-2.0
#pragma once
// SIMD statevector kernels (registers and their loops: kernel_registers.hpp). Two shapes cover
// every gate:
// - matrix:   a 2x2 matrix on a target qubit, applied where all control qubits are 1;
// - diagonal: a phase per value of (bit a, bit b).
// Qubits held in registers become loops over register indices; qubits held in lanes become
// per-lane coefficient vectors (and, for a matrix target, one in-register swizzle). Each shape has
// a forward kernel and a fused backward kernel for the adjoint method, which un-applies the gate
// to the state and to the adjoint state in one pass and accumulates Im<lambda|G|psi> for the
// gate's generator G. A density matrix runs these on its vector, and two gates in one sweep
// with density_kernels.hpp and density_rotation_kernels.hpp.
#include "qhybrid/quantum/kernel_registers.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

// g++ 12 reports the _mm512_undefined_pd() pass-through operand of AVX-512 permutes (xsimd's
// swizzle) as uninitialized wherever they are inlined; the operand is never read.
QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum::kernel {

// ---- matrix gates -----------------------------------------------------------------------------
// Target: a qubit number; Controls: a mask of qubits; Reg: the register type (cvec or rvec).

// One update of a register pair (high target).
template <bool RealCoeff, class Batch, class Reg>
inline void pair_update(const matrix_coeffs<Batch>& c, Reg& lo, Reg& hi) noexcept {
    const Reg l = lo;
    lo = mul_add<RealCoeff>(c[1], hi, mul<RealCoeff>(c[0], l));
    hi = mul_add<RealCoeff>(c[3], hi, mul<RealCoeff>(c[2], l));
}

// One update of a register (low target).
template <unsigned Target, bool RealCoeff, class Batch, class Reg>
inline Reg lane_update(const matrix_coeffs<Batch>& c, const Reg& x) noexcept {
    return mul_add<RealCoeff>(c[1], partner<Target>(x), mul<RealCoeff>(c[0], x));
}

template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, bool RealCoeff, class Reg,
          class Real, std::size_t R, class Batch>
inline void apply_matrix(view<Real, R> v, const matrix_coeffs<Batch>& c) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls);
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            store(v, j, lane_update<Target, RealCoeff>(c, load<Reg>(v, j)));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            Reg lo = load<Reg>(v, j), hi = load<Reg>(v, j | t);
            pair_update<RealCoeff>(c, lo, hi);
            store(v, j, lo);
            store(v, j | t, hi);
        });
    }
}

// X on the target where every control is 1 (X, CNOT): a permutation of amplitudes, so no
// arithmetic, only register moves, in-register swizzles and blends.
template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, class Reg, class Real, std::size_t R>
inline void apply_flip(view<Real, R> v) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls), lc = lane_mask<LaneBits>(Controls);
    const auto where_controlled = [](const Reg& flipped, const Reg& x) {
        if constexpr (lc == 0) return flipped;
        else return select_lanes<lc>(flipped, x);
    };
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            const Reg x = load<Reg>(v, j);
            store(v, j, where_controlled(partner<Target>(x), x));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            const Reg lo = load<Reg>(v, j), hi = load<Reg>(v, j | t);
            store(v, j, where_controlled(hi, lo));
            store(v, j | t, where_controlled(lo, hi));
        });
    }
}

// Un-applies a matrix gate (coefficients `inv` of U^dagger) to psi and lambda. With a generator
// (coefficients `gen`; see generator_term for real registers), returns the lane sums of
// Im<lambda|G|psi>, taken before un-applying.
template <unsigned LaneBits, unsigned Target, std::uint64_t Controls, bool RealCoeff,
          bool WithGenerator, class Reg, class Real, std::size_t R, class Batch>
inline Batch backward_matrix(view<Real, R> psi, view<Real, R> lam, const matrix_coeffs<Batch>& inv,
                       const matrix_coeffs<Batch>& gen) {
    constexpr std::uint64_t ctrl = register_mask<LaneBits>(Controls);
    constexpr bool real_gen = std::is_same_v<Reg, rvec<Batch>>;
    Batch acc(Real(0));
    if constexpr (Target < LaneBits) {
        for_each_register<0, ctrl, R>([&](std::size_t j) {
            const Reg p = load<Reg>(psi, j), l = load<Reg>(lam, j);
            if constexpr (WithGenerator) acc = generator_term(l, lane_update<Target, real_gen>(gen, p), acc);
            store(psi, j, lane_update<Target, RealCoeff>(inv, p));
            store(lam, j, lane_update<Target, RealCoeff>(inv, l));
        });
    } else {
        constexpr std::uint64_t t = std::uint64_t{1} << (Target - LaneBits);
        for_each_register<t, ctrl, R>([&](std::size_t j) {
            Reg p0 = load<Reg>(psi, j), p1 = load<Reg>(psi, j | t);
            Reg l0 = load<Reg>(lam, j), l1 = load<Reg>(lam, j | t);
            if constexpr (WithGenerator) {
                Reg g0 = p0, g1 = p1;
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

// Index into diag_coeffs of register j: bit 0 = the register bit of qubit a (if a is high),
// bit 1 = that of qubit b (if the gate has a high second qubit).
template <std::uint64_t HighA, std::uint64_t HighB>
constexpr std::size_t diag_index(std::size_t j) noexcept {
    std::size_t h = 0;
    if constexpr (HighA != 0) h |= (j & HighA) ? 1 : 0;
    if constexpr (HighB != 0) h |= (j & HighB) ? 2 : 0;
    return h;
}

template <std::uint64_t HighA, std::uint64_t HighB, bool RealCoeff, class Reg, class Real, std::size_t R, class Batch>
inline void apply_diagonal(view<Real, R> v, const diag_coeffs<Batch>& d) {
    for_each_register<0, 0, R>([&](std::size_t j) {
        store(v, j, mul<RealCoeff>(d[diag_index<HighA, HighB>(j)], load<Reg>(v, j)));
    });
}

// Un-applies a diagonal gate (coefficients `inv`) to psi and lambda; with a real diagonal
// generator `gen` (lane vectors in .re), returns the lane sums of Im<lambda|G|psi>.
template <std::uint64_t HighA, std::uint64_t HighB, bool RealCoeff, bool WithGenerator, class Reg,
          class Real, std::size_t R, class Batch>
inline Batch backward_diagonal(view<Real, R> psi, view<Real, R> lam, const diag_coeffs<Batch>& inv,
                           const diag_coeffs<Batch>& gen) {
    // Every diagonal gate with an angle has a complex matrix: its registers are complex.
    static_assert(!WithGenerator || std::is_same_v<Reg, cvec<Batch>>);
    Batch acc(Real(0));
    for_each_register<0, 0, R>([&](std::size_t j) {
        const std::size_t h = diag_index<HighA, HighB>(j);
        const Reg p = load<Reg>(psi, j), l = load<Reg>(lam, j);
        if constexpr (WithGenerator) acc = xsimd::fma(gen[h].re, generator_term(l, p, Batch(Real(0))), acc);
        store(psi, j, mul<RealCoeff>(inv[h], p));
        store(lam, j, mul<RealCoeff>(inv[h], l));
    });
    return acc;
}

} // namespace qhybrid::quantum::kernel

QHYBRID_SIMD_WARNINGS_ON
