#pragma once
// Forward FFTs of power-of-two sizes, owned by qhybrid (docs/audio.md says why: Eigen's FFT is
// MPL-2.0 and allocates, FFTW is GPL; librosa's sizes are powers of two).
//
// complex_fft runs the Stockham autosort algorithm on split real/imaginary arrays: every radix-2
// pass reads two halves and writes interleaved pairs between two buffers, so there is no
// bit-reversal pass, and each pass is a plain loop that the compiler vectorises (the passes with
// strides 1, 2 and 4 get their stride as a constant for that reason). Twiddles are tabulated per
// pass, contiguously. real_fft transforms n real samples as an n/2-point complex FFT of the even
// and odd samples, then untangles the two spectra in one pass.
//
// The plans own their tables and scratch buffers (allocated once, in the constructor); the
// transforms themselves never allocate. A plan is not thread-safe: give each thread its own.
#include "qhybrid/core/error.hpp"

#include <bit>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

namespace detail {

// exp(-2 pi i k / n), computed in long double so that the tables are correctly rounded.
template <class Real>
std::complex<Real> twiddle(std::size_t k, std::size_t n) {
    const long double angle = -2.0L * std::numbers::pi_v<long double> * (long double)k / (long double)n;
    return {Real(std::cos(angle)), Real(std::sin(angle))};
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

inline void require_power_of_two(std::size_t n, std::size_t minimum, const char* who) {
    require(n >= minimum && std::has_single_bit(n), [&] {
        return std::string(who) + ": size " + std::to_string(n) + " is not a power of two >= " +
               std::to_string(minimum);
    });
}

} // namespace detail

template <class Real>
class complex_fft {
public:
    explicit complex_fft(std::size_t n) : n_(n), scratch_re_(n), scratch_im_(n) {
        detail::require_power_of_two(n, 1, "complex_fft");
        // Pass k works on sub-transforms of length n / 2^k at stride 2^k; its twiddles are
        // exp(-2 pi i p / (n / 2^k)) for p < n / 2^(k+1), stored one pass after the other.
        for (std::size_t len = n; len > 1; len /= 2)
            for (std::size_t p = 0; p < len / 2; ++p) {
                const auto w = detail::twiddle<Real>(p, len);
                twiddle_re_.push_back(w.real());
                twiddle_im_.push_back(w.imag());
            }
    }

    std::size_t size() const noexcept { return n_; }

    // In place: (re, im) <- DFT(re, im), X_k = sum_j x_j exp(-2 pi i j k / n).
    void forward(std::span<Real> re, std::span<Real> im) {
        require(re.size() == n_ && im.size() == n_, [&] {
            return "complex_fft::forward: expected two arrays of " + std::to_string(n_) + " values, got " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        Real *xr = re.data(), *xi = im.data(), *yr = scratch_re_.data(), *yi = scratch_im_.data();
        const Real *wr = twiddle_re_.data(), *wi = twiddle_im_.data();
        for (std::size_t stride = 1, half = n_ / 2; half >= 1; stride *= 2, half /= 2) {
            switch (stride) {
            case 1: detail::stockham_pass<1>(stride, half, wr, wi, xr, xi, yr, yi); break;
            case 2: detail::stockham_pass<2>(stride, half, wr, wi, xr, xi, yr, yi); break;
            case 4: detail::stockham_pass<4>(stride, half, wr, wi, xr, xi, yr, yi); break;
            default: detail::stockham_pass<0>(stride, half, wr, wi, xr, xi, yr, yi);
            }
            wr += half, wi += half;
            std::swap(xr, yr), std::swap(xi, yi);
        }
        if (xr != re.data()) // an odd number of passes left the result in the scratch buffers
            for (std::size_t k = 0; k < n_; ++k) re[k] = xr[k], im[k] = xi[k];
    }

private:
    std::size_t n_;
    std::vector<Real> twiddle_re_, twiddle_im_, scratch_re_, scratch_im_;
};

template <class Real>
class real_fft {
public:
    explicit real_fft(std::size_t n) : n_(n), half_(checked_half(n)), z_re_(half_), z_im_(half_) {
        for (std::size_t k = 0; k <= half_; ++k) {
            const auto w = detail::twiddle<Real>(k, n);
            untangle_re_.push_back(w.real());
            untangle_im_.push_back(w.imag());
        }
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t bins() const noexcept { return half_ + 1; }

    // X_k = sum_j x_j exp(-2 pi i j k / n) for k = 0 .. n/2 into (re, im).
    void forward(std::span<const Real> x, std::span<Real> re, std::span<Real> im) {
        require(x.size() == n_ && re.size() == bins() && im.size() == bins(), [&] {
            return "real_fft::forward: expected " + std::to_string(n_) + " samples and two arrays of " +
                   std::to_string(bins()) + " bins, got " + std::to_string(x.size()) + ", " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        for (std::size_t j = 0; j < half_; ++j) z_re_[j] = x[2 * j], z_im_[j] = x[2 * j + 1];
        fft_.forward(z_re_, z_im_);
        // With Z = FFT(even + i odd): E_k = (Z_k + conj Z_{m-k}) / 2 and O_k = (Z_k - conj Z_{m-k}) / 2i
        // are the spectra of the even and odd samples, and X_k = E_k + exp(-2 pi i k / n) O_k.
        for (std::size_t k = 0; k <= half_; ++k) {
            const std::size_t a = k == half_ ? 0 : k, b = k == 0 ? 0 : half_ - k;
            const Real zr = z_re_[a], zi = z_im_[a], cr = z_re_[b], ci = -z_im_[b];
            const Real er = (zr + cr) / 2, ei = (zi + ci) / 2;
            const Real or_ = (zi - ci) / 2, oi = -(zr - cr) / 2;
            const Real wr = untangle_re_[k], wi = untangle_im_[k];
            re[k] = er + wr * or_ - wi * oi;
            im[k] = ei + wr * oi + wi * or_;
        }
    }

private:
    static std::size_t checked_half(std::size_t n) {
        detail::require_power_of_two(n, 2, "real_fft");
        return n / 2;
    }

    std::size_t n_, half_;
    complex_fft<Real> fft_{half_};
    std::vector<Real> z_re_, z_im_, untangle_re_, untangle_im_;
};

} // namespace qhybrid::audio
