// SPDX-License-Identifier: Apache-2.0
#pragma once
// The FFT arithmetic on storage the caller owns: no allocation, no exception, so that both the
// heap plans (audio/fft.hpp) and the fixed-size plan for microcontrollers (audio/fixed_fft.hpp)
// run the same code, and builds with -fno-exceptions can include it.
//
// The complex transform is the Stockham autosort algorithm on split real/imaginary arrays: every
// radix-2 pass reads two halves and writes interleaved pairs between two buffers, so there is no
// bit-reversal pass, and each pass is a plain loop that the compiler vectorises (the passes with
// strides 1, 2 and 4 get their stride as a constant for that reason). Twiddles are tabulated per
// pass, contiguously. The real transform of n samples is an n/2-point complex transform of the
// even and odd samples, then one pass that untangles the two spectra.
#include <complex>
#include <cstddef>
#include <numbers>
#include <utility>

namespace qhybrid::audio::fft_passes {

// exp(-2 pi i k / n), computed in long double so that the tables are correctly rounded.
template <class Real>
std::complex<Real> twiddle(std::size_t k, std::size_t n) {
    const long double angle = -2.0L * std::numbers::pi_v<long double> * (long double)k / (long double)n;
    return {Real(std::cos(angle)), Real(std::sin(angle))};
}

// Entries of the pass table of an n-point complex transform, and of the untangling table of an
// n-point real transform.
constexpr std::size_t pass_twiddles(std::size_t n) noexcept { return n - 1; }
constexpr std::size_t untangle_twiddles(std::size_t n) noexcept { return n / 2 + 1; }

// Pass k works on sub-transforms of length n / 2^k at stride 2^k; its twiddles are
// exp(-2 pi i p / (n / 2^k)) for p < n / 2^(k+1), stored one pass after the other.
template <class Real>
void fill_pass_twiddles(std::size_t n, Real* re, Real* im) {
    for (std::size_t len = n; len > 1; len /= 2)
        for (std::size_t p = 0; p < len / 2; ++p) {
            const auto w = twiddle<Real>(p, len);
            *re++ = w.real(), *im++ = w.imag();
        }
}

// exp(-2 pi i k / n) for k = 0 .. n/2.
template <class Real>
void fill_untangle_twiddles(std::size_t n, Real* re, Real* im) {
    for (std::size_t k = 0; k <= n / 2; ++k) {
        const auto w = twiddle<Real>(k, n);
        re[k] = w.real(), im[k] = w.imag();
    }
}

// One Stockham radix-2 pass: for sub-transforms of length 2 * half at stride s,
//   y[q + s(2p)] = a + b,  y[q + s(2p + 1)] = (a - b) w_p,  a = x[q + s p],  b = x[q + s(p + half)].
template <std::size_t S, class Real>
void stockham_pass(std::size_t stride, std::size_t half, const Real* __restrict wr, const Real* __restrict wi,
                   const Real* __restrict xr, const Real* __restrict xi, Real* __restrict yr,
                   Real* __restrict yi) noexcept {
    const std::size_t s = S ? S : stride;
    for (std::size_t p = 0; p < half; ++p) {
        const Real c = wr[p], d = wi[p];
        const Real *ar = xr + s * p, *ai = xi + s * p, *br = ar + s * half, *bi = ai + s * half;
        Real *sr = yr + 2 * s * p, *si = yi + 2 * s * p, *dr = sr + s, *di = si + s;
#pragma GCC ivdep
        for (std::size_t q = 0; q < s; ++q) {
            const Real tr = ar[q] - br[q], ti = ai[q] - bi[q];
            sr[q] = ar[q] + br[q];
            si[q] = ai[q] + bi[q];
            dr[q] = tr * c - ti * d;
            di[q] = tr * d + ti * c;
        }
    }
}

// In place: (re, im) <- DFT(re, im), X_k = sum_j x_j exp(-2 pi i j k / n), for a power of two n,
// with the pass table of n and n values of scratch per array.
template <class Real>
void complex_forward(std::size_t n, const Real* wr, const Real* wi, Real* re, Real* im, Real* scratch_re,
                     Real* scratch_im) noexcept {
    Real *xr = re, *xi = im, *yr = scratch_re, *yi = scratch_im;
    for (std::size_t stride = 1, half = n / 2; half >= 1; stride *= 2, half /= 2) {
        switch (stride) {
        case 1: stockham_pass<1>(stride, half, wr, wi, xr, xi, yr, yi); break;
        case 2: stockham_pass<2>(stride, half, wr, wi, xr, xi, yr, yi); break;
        case 4: stockham_pass<4>(stride, half, wr, wi, xr, xi, yr, yi); break;
        default: stockham_pass<0>(stride, half, wr, wi, xr, xi, yr, yi);
        }
        wr += half, wi += half;
        std::swap(xr, yr), std::swap(xi, yi);
    }
    if (xr != re) // an odd number of passes left the result in the scratch buffers
        for (std::size_t k = 0; k < n; ++k) re[k] = xr[k], im[k] = xi[k];
}

// X_k = sum_j x_j exp(-2 pi i j k / n) for k = 0 .. n/2 into (re, im), for a power of two n >= 2.
// `half` points to the pass table of n/2 and four arrays of n/2 values of scratch (z, then the
// complex transform's own); `untangle` to the untangling table of n.
template <class Real>
void real_forward(std::size_t n, const Real* x, const Real* pass_re, const Real* pass_im, const Real* untangle_re,
                  const Real* untangle_im, Real* z_re, Real* z_im, Real* scratch_re, Real* scratch_im, Real* re,
                  Real* im) noexcept {
    const std::size_t half = n / 2;
    for (std::size_t j = 0; j < half; ++j) z_re[j] = x[2 * j], z_im[j] = x[2 * j + 1];
    complex_forward(half, pass_re, pass_im, z_re, z_im, scratch_re, scratch_im);
    // With Z = FFT(even + i odd): E_k = (Z_k + conj Z_{m-k}) / 2 and O_k = (Z_k - conj Z_{m-k}) / 2i
    // are the spectra of the even and odd samples, and X_k = E_k + exp(-2 pi i k / n) O_k.
    for (std::size_t k = 0; k <= half; ++k) {
        const std::size_t a = k == half ? 0 : k, b = k == 0 ? 0 : half - k;
        const Real zr = z_re[a], zi = z_im[a], cr = z_re[b], ci = -z_im[b];
        const Real er = (zr + cr) / 2, ei = (zi + ci) / 2;
        const Real or_ = (zi - ci) / 2, oi = -(zr - cr) / 2;
        const Real wr = untangle_re[k], wi = untangle_im[k];
        re[k] = er + wr * or_ - wi * oi;
        im[k] = ei + wr * oi + wi * or_;
    }
}

} // namespace qhybrid::audio::fft_passes
