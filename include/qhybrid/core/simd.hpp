// SPDX-License-Identifier: Apache-2.0
#pragma once
// xsimd 8.1, wrapped: g++ 12 at -O2 with AVX reports -Wmaybe-uninitialized inside xsimd's own
// headers, which -Werror turns into a build failure in every user of qhybrid.
#if defined(__GNUC__) && !defined(__clang__)
#define QHYBRID_SIMD_WARNINGS_OFF                                                                  \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")   \
        _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")
#define QHYBRID_SIMD_WARNINGS_ON _Pragma("GCC diagnostic pop")
#else
#define QHYBRID_SIMD_WARNINGS_OFF
#define QHYBRID_SIMD_WARNINGS_ON
#endif

// For the small functions that build a gate's lane coefficients: g++ keeps them out of line,
// and on a few qubits the call and the round trip of its result through memory cost more than
// the gate.
// QHYBRID_INLINE_LAMBDA does the same for a lambda (after its parameter list): the fused gate
// passes unroll through lambdas, and one left out of line sends a tile of registers through memory.
// Without optimisation (the sanitizer builds) forcing them would only make huge functions that
// compile slowly.
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define QHYBRID_INLINE inline __attribute__((always_inline))
#define QHYBRID_INLINE_LAMBDA __attribute__((always_inline))
#else
#define QHYBRID_INLINE inline
#define QHYBRID_INLINE_LAMBDA
#endif

QHYBRID_SIMD_WARNINGS_OFF
#include <xsimd/xsimd.hpp>
QHYBRID_SIMD_WARNINGS_ON

#include "qhybrid/core/scalar.hpp"

#include <bit>
#include <cstddef>
#include <type_traits>

namespace qhybrid::simd {

// One register of the widest instruction set the translation unit is compiled for.
template <class Real>
using batch = xsimd::batch<Real>;

template <class Real>
inline constexpr std::size_t lanes = batch<Real>::size;

// log2 of the lane count: the number of qubits a single-state register holds.
template <class Real>
inline constexpr unsigned lane_bits = std::countr_zero(lanes<Real>);

// a * b + c rounded once, whatever the optimisation level. xsimd 8.1 has no AVX-512 fma kernel:
// there it falls back to a * b + c, which is fused only when the compiler contracts it (at -O2,
// not at -O0), so sums would depend on the build. On targets without FMA instructions this is
// xsimd::fma, unfused.
template <class Real>
inline batch<Real> fused_multiply_add(const batch<Real>& a, const batch<Real>& b, const batch<Real>& c) noexcept {
#if defined(__AVX512F__)
    if constexpr (sizeof(batch<Real>) == 64) {
        if constexpr (std::is_same_v<Real, double>)
            return batch<Real>(_mm512_fmadd_pd(a, b, c));
        else
            return batch<Real>(_mm512_fmadd_ps(a, b, c));
    } else
#endif
        return xsimd::fma(a, b, c);
}

// Sum of the lanes, in a fixed order: on AVX-512 in halves (lane i plus lane i + width, width 4,
// 2, 1 for doubles), the order of _mm512_reduce_add_{pd,ps}, whose extracts g++ 12 reports as
// -Wuninitialized (on _mm256_undefined_pd) wherever <immintrin.h> was first included outside the
// pragmas above, by Eigen for one; elsewhere lane by lane. (Not xsimd::hadd: the same warning.)
template <class Real>
inline Real reduce_add(const batch<Real>& b) noexcept {
    alignas(batch<Real>::arch_type::alignment()) Real lanes_of_b[lanes<Real>];
    b.store_aligned(lanes_of_b);
    if constexpr (sizeof(batch<Real>) == 64) {
        for (std::size_t width = lanes<Real> / 2; width > 0; width /= 2)
            for (std::size_t i = 0; i < width; ++i) lanes_of_b[i] = lanes_of_b[i + width] + lanes_of_b[i];
        return lanes_of_b[0];
    } else {
        Real sum = 0;
        for (Real v : lanes_of_b) sum += v;
        return sum;
    }
}

// Lane i of `where` where Pick::get(i, lanes) holds (xsimd's batch_bool_constant generator), of
// `otherwise` elsewhere. On AVX-512 one blend instruction: g++ keeps xsimd::select out of line
// there, a call per register in the kernels' loops.
template <class Pick, class B>
QHYBRID_INLINE B blend(const B& where, const B& otherwise) noexcept {
#if defined(__AVX512F__)
    if constexpr (sizeof(B) == 64) {
        constexpr unsigned mask = [] {
            unsigned m = 0;
            for (unsigned i = 0; i < B::size; ++i) m |= unsigned(Pick::get(i, B::size)) << i;
            return m;
        }();
        if constexpr (std::is_same_v<typename B::value_type, double>)
            return B(_mm512_mask_blend_pd(__mmask8(mask), otherwise, where));
        else
            return B(_mm512_mask_blend_ps(__mmask16(mask), otherwise, where));
    } else
#endif
        return xsimd::select(xsimd::make_batch_bool_constant<B, Pick>(), where, otherwise);
}

// Pins a loaded batch to a register. g++ otherwise folds its load into every instruction that
// uses it, one more load each, and loads are what bound the matrix-product tiles.
template <class Real>
QHYBRID_INLINE batch<Real> in_register(batch<Real> b) noexcept {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    auto r = static_cast<typename batch<Real>::register_type>(b);
    asm("" : "+v"(r));
    return batch<Real>(r);
#else
    return b;
#endif
}

// The first n <= lanes values at p, the other lanes zero, and the store of a batch's first n
// lanes: the ragged ends of rows. Masked on AVX-512, through a stack buffer elsewhere.
template <class Real>
inline batch<Real> load_first(const Real* p, std::size_t n) noexcept {
#if defined(__AVX512F__)
    if constexpr (sizeof(batch<Real>) == 64) {
        if constexpr (std::is_same_v<Real, double>)
            return _mm512_maskz_loadu_pd(__mmask8((1u << n) - 1), p);
        else
            return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1), p);
    } else
#endif
    {
        alignas(batch<Real>::arch_type::alignment()) Real buffer[lanes<Real>] = {};
        for (std::size_t i = 0; i < n; ++i) buffer[i] = p[i];
        return batch<Real>::load_aligned(buffer);
    }
}
template <class Real>
inline void store_first(const batch<Real>& b, Real* p, std::size_t n) noexcept {
#if defined(__AVX512F__)
    if constexpr (sizeof(batch<Real>) == 64) {
        if constexpr (std::is_same_v<Real, double>)
            _mm512_mask_storeu_pd(p, __mmask8((1u << n) - 1), b);
        else
            _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1), b);
    } else
#endif
    {
        alignas(batch<Real>::arch_type::alignment()) Real buffer[lanes<Real>];
        b.store_aligned(buffer);
        for (std::size_t i = 0; i < n; ++i) p[i] = buffer[i];
    }
}

} // namespace qhybrid::simd
