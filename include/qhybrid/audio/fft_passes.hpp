// SPDX-License-Identifier: Apache-2.0
#pragma once
// The FFT arithmetic on storage the caller owns: no allocation, no exception, so that both the
// heap plans (audio/fft.hpp) and the fixed-size plan for microcontrollers (audio/fixed_fft.hpp)
// run the same code, and builds with -fno-exceptions can include it. Any size n >= 1:
//
// - n = 2^a 3^b 5^c 7^d: mixed-radix Stockham autosort passes (radix 8, 4, 2, 3, 5, 7) on split
//   real/imaginary arrays, ping-ponging between two buffers: no digit-reversal pass, and each
//   pass is a plain loop that the compiler vectorises (across butterflies at stride 1, across
//   the stride otherwise). Twiddles are tabulated per pass in long double.
// - other n: Bluestein's chirp z-transform, a cyclic convolution of length m >= 2n - 1 (the
//   smallest 7-smooth such m) through two m-point transforms of the kind above. The chirp
//   exp(-pi i j^2 / n) is tabulated from j^2 mod 2n, reduced exactly in integers, so its angle
//   stays below 2 pi and keeps full precision however large j^2 grows.
// - real input, even n: the n/2-point complex transform of the even and odd samples, then one
//   pass that untangles the two spectra. Odd n: the n-point complex transform with a zero
//   imaginary part; the half-size trick needs an even n, and an odd real transform of its own
//   would be a second set of passes to write and test for sizes audio rarely uses.
//
// A plan's shape (its passes, table and scratch sizes) is a constexpr value, so that the fixed
// plan sizes its arrays at compile time; the heap plan computes the same shape at run time.
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <type_traits>
#include <utility>

// "The loop's iterations are independent", for g++'s vectorizer. clang does not know the pragma,
// and its own (vectorize(assume_safety)) fails on the strided loop with a warning: it decides alone.
#if defined(__clang__)
#define QHYBRID_IVDEP
#else
#define QHYBRID_IVDEP _Pragma("GCC ivdep")
#endif

namespace qhybrid::audio::fft_passes {

// Largest size a plan accepts (6 minutes at 44.1 kHz): a double plan's tables and scratch stay
// below 3 GB (Bluestein's: about 160 bytes a point), and every index (Bluestein's inner size,
// j^2 mod 2n) fits in 32 bits.
inline constexpr std::size_t max_size = std::size_t(1) << 24;

// The radices of the Stockham passes of an m-point transform, first pass first.
struct radices {
    std::array<unsigned char, 32> radix{}; // m <= 2^30 has at most 30 prime factors
    std::size_t count = 0;
};

// One radix 8, then radix 4 while it divides, then 2, 3, 5, 7. The first pass runs at stride 1,
// vectorised across butterflies with interleaving stores, which g++ does for radices 2, 3, 4, 8
// but not 5 or 7; the powers of two first make the later strides multiples of a vector's length.
// Radix 8 is the fastest first pass and radix 4 the fastest later one (measured at 128, 512 and
// 2048 points against other orders).
constexpr radices factor(std::size_t m) noexcept {
    radices f;
    const auto take = [&](std::size_t r) { f.radix[f.count++] = static_cast<unsigned char>(r), m /= r; };
    if (m % 8 == 0) take(8);
    for (const std::size_t r : {4, 2, 3, 5, 7})
        while (m % r == 0) take(r);
    return f;
}

constexpr bool smooth(std::size_t m) noexcept {
    for (const std::size_t r : {2, 3, 5, 7})
        while (m % r == 0) m /= r;
    return m == 1;
}

// An n-point complex transform: direct Stockham passes when n is 7-smooth, else Bluestein's.
// Per component (real, imaginary), its tables hold the pass twiddles of the Stockham length, then
// for Bluestein the chirp (n values) and the transformed convolution kernel (inner values); its
// scratch holds `scratch()` values per component.
struct complex_shape {
    std::size_t n = 1, inner = 0; // inner: Bluestein's convolution length, 0 for direct passes
    radices passes;               // of length()

    constexpr std::size_t length() const noexcept { return inner ? inner : n; }
    constexpr std::size_t tables() const noexcept { return length() - 1 + (inner ? n + inner : 0); }
    constexpr std::size_t scratch() const noexcept { return inner ? 2 * inner : n; }
};

// For 1 <= n <= max_size.
constexpr complex_shape complex_plan(std::size_t n) noexcept {
    complex_shape c{n, 0, {}};
    if (!smooth(n)) {
        c.inner = 2 * n - 1;
        while (!smooth(c.inner)) ++c.inner;
    }
    c.passes = factor(c.length());
    return c;
}

// An n-point real transform: the complex transform of n/2 points (even n) or n points (odd n),
// and for even n the untangling twiddles (n/2 + 1 per component, after the complex tables). Its
// scratch holds the complex input (2 values per point) and the complex transform's scratch.
struct real_shape {
    std::size_t n = 1;
    complex_shape complex;

    constexpr bool even() const noexcept { return n % 2 == 0; }
    constexpr std::size_t bins() const noexcept { return n / 2 + 1; }
    constexpr std::size_t tables() const noexcept { return complex.tables() + (even() ? bins() : 0); }
    constexpr std::size_t scratch() const noexcept { return 2 * (complex.n + complex.scratch()); }
};

constexpr real_shape real_plan(std::size_t n) noexcept { return {n, complex_plan(n % 2 == 0 ? n / 2 : n)}; }

// The code a plan runs, as bits: 1 << r for each radix r, and bit 0 for Bluestein's steps. The
// heap plans compile all of it; the fixed plan only its own, which keeps a microcontroller's
// flash free of passes its size never takes.
using kinds = unsigned;
inline constexpr kinds all_kinds = 1u | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 7 | 1u << 8;

constexpr kinds kinds_of(const complex_shape& c) noexcept {
    kinds k = c.inner ? 1u : 0u;
    for (std::size_t i = 0; i < c.passes.count; ++i) k |= 1u << c.passes.radix[i];
    return k;
}

// Two arrays of the same length: the real and the imaginary parts.
template <class Real>
struct split {
    Real* re;
    Real* im;
    split operator+(std::size_t offset) const noexcept { return {re + offset, im + offset}; }
};

// exp(-2 pi i k / n), computed in long double so that the tables are correctly rounded.
template <class Real>
std::complex<Real> twiddle(std::size_t k, std::size_t n) {
    const long double angle = -2.0L * std::numbers::pi_v<long double> * (long double)k / (long double)n;
    return {Real(std::cos(angle)), Real(std::sin(angle))};
}

// cos(2 pi jk / R) and sin(2 pi jk / R) for j, k = 0 .. R/2, for the odd radices' butterflies.
template <std::size_t R, class Real>
struct odd_radix {
    static constexpr std::size_t H = R / 2;
    using table = std::array<std::array<Real, H + 1>, H + 1>;
    static constexpr table make(bool sine) {
        // 25 digits of cos and sin of 2 pi t / R, t = 0 .. H
        constexpr long double c3[] = {1, -0.5L}, s3[] = {0, 0.8660254037844386467637232L};
        constexpr long double c5[] = {1, 0.3090169943749474241022934L, -0.8090169943749474241022934L};
        constexpr long double s5[] = {0, 0.9510565162951535721164393L, 0.5877852522924731291687060L};
        constexpr long double c7[] = {1, 0.6234898018587335305250049L, -0.2225209339563144042889026L,
                                      -0.9009688679024191262361023L};
        constexpr long double s7[] = {0, 0.7818314824680298087084445L, 0.9749279121818236070181317L,
                                      0.4338837391175581204757683L};
        const long double* c = R == 3 ? c3 : R == 5 ? c5 : c7;
        const long double* s = R == 3 ? s3 : R == 5 ? s5 : s7;
        table out{};
        for (std::size_t k = 0; k <= H; ++k)
            for (std::size_t j = 0; j <= H; ++j) {
                const std::size_t t = j * k % R; // 2 pi (R - t) / R has the cosine of t and minus its sine
                out[k][j] = Real(sine ? (t <= H ? s[t] : -s[R - t]) : c[t <= H ? t : R - t]);
            }
        return out;
    }
    static constexpr table cos = make(false), sin = make(true);
};

// The R-point DFT of (re, im) in place, R = 2, 3, 4, 5, 7, 8.
template <std::size_t R, class Real>
inline void small_dft(Real (&re)[R], Real (&im)[R]) noexcept {
    if constexpr (R == 2) {
        const Real r = re[0] - re[1], i = im[0] - im[1];
        re[0] += re[1], im[0] += im[1], re[1] = r, im[1] = i;
    } else if constexpr (R == 8) {
        // Radix 2 between a_j and a_{j+4}: the even outputs are the 4-point DFT of the sums, the
        // odd ones that of the differences times exp(-2 pi i j / 8).
        constexpr Real h = Real(0.7071067811865475244008444L); // sqrt(1/2)
        Real sr[4], si[4], dr[4], di[4];
#pragma GCC unroll 8
        for (std::size_t j = 0; j < 4; ++j) {
            sr[j] = re[j] + re[j + 4], si[j] = im[j] + im[j + 4];
            dr[j] = re[j] - re[j + 4], di[j] = im[j] - im[j + 4];
        }
        const Real r1 = (dr[1] + di[1]) * h, i1 = (di[1] - dr[1]) * h;
        const Real r3 = (di[3] - dr[3]) * h, i3 = -(dr[3] + di[3]) * h;
        dr[1] = r1, di[1] = i1, dr[3] = r3, di[3] = i3;
        const Real r2 = di[2];
        di[2] = -dr[2], dr[2] = r2;
        small_dft<4>(sr, si);
        small_dft<4>(dr, di);
#pragma GCC unroll 8
        for (std::size_t k = 0; k < 4; ++k)
            re[2 * k] = sr[k], im[2 * k] = si[k], re[2 * k + 1] = dr[k], im[2 * k + 1] = di[k];
    } else if constexpr (R == 4) {
        const Real sr = re[0] + re[2], si = im[0] + im[2], dr = re[0] - re[2], di = im[0] - im[2];
        const Real tr = re[1] + re[3], ti = im[1] + im[3], ur = re[1] - re[3], ui = im[1] - im[3];
        re[0] = sr + tr, im[0] = si + ti, re[2] = sr - tr, im[2] = si - ti;
        re[1] = dr + ui, im[1] = di - ur, re[3] = dr - ui, im[3] = di + ur; // d -/+ i u
    } else {
        // Odd R: inputs j and R - j pair up, s = a_j + a_{R-j}, d = a_j - a_{R-j}; with
        // A_k = a_0 + sum_j cos(2 pi jk / R) s_j and B_k = sum_j sin(2 pi jk / R) d_j,
        // X_k = A_k - i B_k and X_{R-k} = A_k + i B_k.
        static_assert(R == 3 || R == 5 || R == 7, "radix 2, 3, 4, 5 or 7");
        constexpr std::size_t H = R / 2;
        constexpr auto& cosines = odd_radix<R, Real>::cos;
        constexpr auto& sines = odd_radix<R, Real>::sin;
        Real sr[H + 1], si[H + 1], dr[H + 1], di[H + 1];
        Real r0 = re[0], i0 = im[0];
#pragma GCC unroll 8
        for (std::size_t j = 1; j <= H; ++j) {
            sr[j] = re[j] + re[R - j], si[j] = im[j] + im[R - j];
            dr[j] = re[j] - re[R - j], di[j] = im[j] - im[R - j];
            r0 += sr[j], i0 += si[j];
        }
#pragma GCC unroll 8
        for (std::size_t k = 1; k <= H; ++k) {
            Real ar = re[0], ai = im[0], br = 0, bi = 0;
#pragma GCC unroll 8
            for (std::size_t j = 1; j <= H; ++j) {
                ar += cosines[k][j] * sr[j], ai += cosines[k][j] * si[j];
                br += sines[k][j] * dr[j], bi += sines[k][j] * di[j];
            }
            re[k] = ar + bi, im[k] = ai - br, re[R - k] = ar - bi, im[R - k] = ai + br;
        }
        re[0] = r0, im[0] = i0;
    }
}

// One Stockham pass of radix R: for sub-transforms of length R m at stride s, with
// a_j = x[q + s(p + j m)] and w = exp(-2 pi i / (R m)),  y[q + s(R p + k)] = w^(pk) DFT_R(a)_k.
// The twiddles w^(pk), k = 1 .. R-1, are stored k-major: w[(k - 1) m + p].
template <std::size_t R, class Real>
struct stockham_pass {
    std::size_t s, m;
    const Real* __restrict wr;
    const Real* __restrict wi;
    const Real* __restrict xr;
    const Real* __restrict xi;
    Real* __restrict yr;
    Real* __restrict yi;

    inline void butterfly(std::size_t p, std::size_t q, std::size_t stride) const noexcept {
        Real ar[R], ai[R];
#pragma GCC unroll 8
        for (std::size_t j = 0; j < R; ++j)
            ar[j] = xr[q + stride * (p + j * m)], ai[j] = xi[q + stride * (p + j * m)];
        small_dft<R>(ar, ai);
        yr[q + stride * R * p] = ar[0], yi[q + stride * R * p] = ai[0];
#pragma GCC unroll 8
        for (std::size_t k = 1; k < R; ++k) {
            const Real c = wr[(k - 1) * m + p], d = wi[(k - 1) * m + p];
            yr[q + stride * (R * p + k)] = ar[k] * c - ai[k] * d;
            yi[q + stride * (R * p + k)] = ar[k] * d + ai[k] * c;
        }
    }

    // At stride 1 the loop runs over p, vectorised with interleaving stores; else over q.
    [[gnu::noinline]] void run() const noexcept {
        if (s == 1) {
            QHYBRID_IVDEP
            for (std::size_t p = 0; p < m; ++p) butterfly(p, 0, 1);
            return;
        }
        for (std::size_t p = 0; p < m; ++p)
            QHYBRID_IVDEP
            for (std::size_t q = 0; q < s; ++q) butterfly(p, q, s);
    }
};

// The pass twiddles of an m-point transform with these radices: (r - 1) len / r values per pass
// of radix r on sub-transforms of length len, m - 1 in all.
template <class Real>
void fill_pass_twiddles(const radices& f, std::size_t m, split<Real> w) {
    for (std::size_t i = 0, len = m; i < f.count; len /= f.radix[i++])
        for (std::size_t k = 1; k < f.radix[i]; ++k)
            for (std::size_t p = 0; p < len / f.radix[i]; ++p) {
                const auto t = twiddle<Real>(p * k, len);
                *w.re++ = t.real(), *w.im++ = t.imag();
            }
}

// The m-point DFT of x by Stockham passes with y as the other buffer; returns the buffer that
// holds the result (x or y).
template <kinds K, class Real>
split<Real> stockham(const radices& f, std::size_t m, split<const Real> w, split<Real> x, split<Real> y) noexcept {
    for (std::size_t i = 0, s = 1; i < f.count; ++i) {
        const std::size_t r = f.radix[i], sub = m / s / r;
        const auto pass = [&]<std::size_t R>(std::integral_constant<std::size_t, R>) {
            if constexpr ((K >> R & 1) != 0)
                if (r == R) stockham_pass<R, Real>{s, sub, w.re, w.im, x.re, x.im, y.re, y.im}.run();
        };
        pass(std::integral_constant<std::size_t, 2>{}), pass(std::integral_constant<std::size_t, 3>{});
        pass(std::integral_constant<std::size_t, 4>{}), pass(std::integral_constant<std::size_t, 5>{});
        pass(std::integral_constant<std::size_t, 7>{}), pass(std::integral_constant<std::size_t, 8>{});
        w = w + (r - 1) * sub;
        std::swap(x, y);
        s *= r;
    }
    return x;
}

// Bluestein: with c_j = exp(-pi i j^2 / n) (the chirp table), X_k = c_k sum_j (x_j c_j) conj(c_{k-j}),
// a cyclic convolution of length m whose kernel's transform, over m, is tabulated. The inverse
// transform is a forward one between conjugations.
template <kinds K, class Real>
void bluestein(const complex_shape& c, split<const Real> tables, split<Real> x, split<Real> scratch) noexcept {
    const std::size_t n = c.n, m = c.inner;
    const split<const Real> chirp = tables + (m - 1), kernel = chirp + n;
    split<Real> a = scratch, b = scratch + m;
    for (std::size_t j = 0; j < n; ++j) {
        a.re[j] = x.re[j] * chirp.re[j] - x.im[j] * chirp.im[j];
        a.im[j] = x.re[j] * chirp.im[j] + x.im[j] * chirp.re[j];
    }
    for (std::size_t j = n; j < m; ++j) a.re[j] = 0, a.im[j] = 0;
    a = stockham<K>(c.passes, m, tables, a, b);
    b = a.re == scratch.re ? scratch + m : scratch;
    for (std::size_t k = 0; k < m; ++k) { // conj(a_k kernel_k)
        const Real r = a.re[k] * kernel.re[k] - a.im[k] * kernel.im[k];
        a.im[k] = -(a.re[k] * kernel.im[k] + a.im[k] * kernel.re[k]), a.re[k] = r;
    }
    a = stockham<K>(c.passes, m, tables, a, b);
    for (std::size_t k = 0; k < n; ++k) { // c_k conj(a_k)
        x.re[k] = a.re[k] * chirp.re[k] + a.im[k] * chirp.im[k];
        x.im[k] = a.re[k] * chirp.im[k] - a.im[k] * chirp.re[k];
    }
}

// The transform of x (n values) with `scratch` as work space (c.scratch() values per component);
// returns the buffer that holds the result, x or scratch.
template <kinds K, class Real>
split<Real> transform(const complex_shape& c, split<const Real> tables, split<Real> x, split<Real> scratch) noexcept {
    if constexpr ((K & 1) != 0)
        if (c.inner) {
            bluestein<K>(c, tables, x, scratch);
            return x;
        }
    return stockham<K>(c.passes, c.n, tables, x, scratch);
}

// Fills the tables of an n-point complex transform (c.tables() values per component); the
// Bluestein kernel's transform is computed in `scratch` (c.scratch() values per component).
template <kinds K, class Real>
void fill_complex_tables(const complex_shape& c, split<Real> tables, split<Real> scratch) {
    fill_pass_twiddles(c.passes, c.length(), tables);
    if constexpr ((K & 1) == 0) return;
    if (!c.inner) return;
    const std::size_t n = c.n, m = c.inner;
    const split<Real> chirp = tables + (m - 1), kernel = chirp + n;
    for (std::size_t j = 0, square = 0; j < n; ++j) { // square = j^2 mod 2n, advanced by 2j + 1
        const auto t = twiddle<Real>(square, 2 * n);
        chirp.re[j] = t.real(), chirp.im[j] = t.imag();
        square = (square + 2 * j + 1) % (2 * n);
    }
    // The kernel conj(c_j) at j and m - j, over m so that the inverse transform needs no scaling.
    const Real scale = Real(1) / Real(m);
    for (std::size_t j = 0; j < m; ++j) scratch.re[j] = 0, scratch.im[j] = 0;
    for (std::size_t j = 0; j < n; ++j) {
        scratch.re[j] = scratch.re[(m - j) % m] = chirp.re[j] * scale;
        scratch.im[j] = scratch.im[(m - j) % m] = -chirp.im[j] * scale;
    }
    const split<Real> result = stockham<K>(c.passes, m, split<const Real>{tables.re, tables.im}, scratch, scratch + m);
    for (std::size_t k = 0; k < m; ++k) kernel.re[k] = result.re[k], kernel.im[k] = result.im[k];
}

// In place: (re, im) <- DFT(re, im), X_k = sum_j x_j exp(-2 pi i j k / n), with the tables of
// complex_plan(n) and c.scratch() values of scratch per component.
template <class Real>
void complex_forward(const complex_shape& c, split<const Real> tables, split<Real> x, split<Real> scratch) noexcept {
    const split<Real> result = transform<all_kinds>(c, tables, x, scratch);
    if (result.re != x.re)
        for (std::size_t k = 0; k < c.n; ++k) x.re[k] = result.re[k], x.im[k] = result.im[k];
}

// Fills the tables of an n-point real transform (r.tables() values per component), with
// r.scratch() values of scratch.
template <kinds K, class Real>
void fill_real_tables(const real_shape& r, split<Real> tables, Real* scratch) {
    fill_complex_tables<K>(r.complex, tables, {scratch, scratch + r.complex.scratch()});
    if (!r.even()) return;
    const split<Real> untangle = tables + r.complex.tables();
    for (std::size_t k = 0; k < r.bins(); ++k) {
        const auto w = twiddle<Real>(k, r.n);
        untangle.re[k] = w.real(), untangle.im[k] = w.imag();
    }
}

// The spectrum X (bins 0 .. h) of 2h real samples from Z = FFT(even + i odd), h points: with
// E_k = (Z_k + conj Z_{h-k}) / 2 and O_k = (Z_k - conj Z_{h-k}) / 2i the spectra of the even and
// odd samples, X_k = E_k + w_k O_k, w_k = exp(-2 pi i k / 2h). At k = 0 and h, Z_0 holds E_0 and
// O_0 as its real and imaginary parts; the loop leaves them out so that it vectorises.
template <class Real>
void untangle(std::size_t h, const Real* __restrict zr, const Real* __restrict zi, const Real* __restrict wr,
              const Real* __restrict wi, Real* __restrict xr, Real* __restrict xi) noexcept {
    for (std::size_t k = 1; k < h; ++k) {
        const Real ar = zr[k], ai = zi[k], br = zr[h - k], bi = -zi[h - k];
        const Real er = (ar + br) / 2, ei = (ai + bi) / 2;
        const Real or_ = (ai - bi) / 2, oi = -(ar - br) / 2;
        xr[k] = er + wr[k] * or_ - wi[k] * oi;
        xi[k] = ei + wr[k] * oi + wi[k] * or_;
    }
    xr[0] = zr[0] + zi[0], xi[0] = 0, xr[h] = zr[0] - zi[0], xi[h] = 0;
}

// X_k = sum_j x_j exp(-2 pi i j k / n) for k = 0 .. n/2 into out, with the tables of
// real_plan(n) and r.scratch() values of scratch.
template <kinds K, class Real>
void real_forward(const real_shape& r, split<const Real> tables, const Real* x, Real* scratch,
                  split<Real> out) noexcept {
    const complex_shape& c = r.complex;
    const std::size_t h = c.n;
    const split<Real> z{scratch, scratch + h}, work{scratch + 2 * h, scratch + 2 * h + c.scratch()};
    if (!r.even()) {
        for (std::size_t j = 0; j < h; ++j) z.re[j] = x[j], z.im[j] = 0;
        const split<Real> result = transform<K>(c, tables, z, work);
        for (std::size_t k = 0; k < r.bins(); ++k) out.re[k] = result.re[k], out.im[k] = result.im[k];
        return;
    }
    for (std::size_t j = 0; j < h; ++j) z.re[j] = x[2 * j], z.im[j] = x[2 * j + 1];
    const split<Real> result = transform<K>(c, tables, z, work);
    const split<const Real> w = tables + c.tables();
    untangle(h, result.re, result.im, w.re, w.im, out.re, out.im);
}

} // namespace qhybrid::audio::fft_passes
