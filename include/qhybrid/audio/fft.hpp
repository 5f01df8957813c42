// SPDX-License-Identifier: Apache-2.0
#pragma once
// Forward FFTs of power-of-two sizes, owned by qhybrid (docs/audio.md says why: Eigen's FFT is
// MPL-2.0 and allocates, FFTW is GPL; librosa's sizes are powers of two). The arithmetic is
// audio/fft_passes.hpp's; these plans own its tables and scratch buffers (allocated once, in the
// constructor) and check sizes. The transforms themselves never allocate; audio/fixed_fft.hpp
// holds the same plan in fixed-size arrays, for builds without a heap. A plan is not
// thread-safe: give each thread its own.
#include "qhybrid/audio/fft_passes.hpp"
#include "qhybrid/core/error.hpp"

#include <bit>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

namespace detail {

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
    explicit complex_fft(std::size_t n) : n_(checked(n)), scratch_re_(n), scratch_im_(n) {
        twiddle_re_.resize(fft_passes::pass_twiddles(n));
        twiddle_im_.resize(fft_passes::pass_twiddles(n));
        fft_passes::fill_pass_twiddles(n, twiddle_re_.data(), twiddle_im_.data());
    }

    std::size_t size() const noexcept { return n_; }

    // In place: (re, im) <- DFT(re, im), X_k = sum_j x_j exp(-2 pi i j k / n).
    void forward(std::span<Real> re, std::span<Real> im) {
        require(re.size() == n_ && im.size() == n_, [&] {
            return "complex_fft::forward: expected two arrays of " + std::to_string(n_) + " values, got " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        fft_passes::complex_forward(n_, twiddle_re_.data(), twiddle_im_.data(), re.data(), im.data(),
                                    scratch_re_.data(), scratch_im_.data());
    }

private:
    static std::size_t checked(std::size_t n) {
        detail::require_power_of_two(n, 1, "complex_fft");
        return n;
    }

    std::size_t n_;
    std::vector<Real> twiddle_re_, twiddle_im_, scratch_re_, scratch_im_;
};

template <class Real>
class real_fft {
public:
    explicit real_fft(std::size_t n)
        : n_(checked(n)), pass_re_(fft_passes::pass_twiddles(n / 2)), pass_im_(pass_re_.size()),
          untangle_re_(fft_passes::untangle_twiddles(n)), untangle_im_(untangle_re_.size()), scratch_(2 * n) {
        fft_passes::fill_pass_twiddles(n / 2, pass_re_.data(), pass_im_.data());
        fft_passes::fill_untangle_twiddles(n, untangle_re_.data(), untangle_im_.data());
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t bins() const noexcept { return n_ / 2 + 1; }

    // X_k = sum_j x_j exp(-2 pi i j k / n) for k = 0 .. n/2 into (re, im).
    void forward(std::span<const Real> x, std::span<Real> re, std::span<Real> im) {
        require(x.size() == n_ && re.size() == bins() && im.size() == bins(), [&] {
            return "real_fft::forward: expected " + std::to_string(n_) + " samples and two arrays of " +
                   std::to_string(bins()) + " bins, got " + std::to_string(x.size()) + ", " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        Real* z = scratch_.data();
        const std::size_t h = n_ / 2;
        fft_passes::real_forward(n_, x.data(), pass_re_.data(), pass_im_.data(), untangle_re_.data(),
                                 untangle_im_.data(), z, z + h, z + 2 * h, z + 3 * h, re.data(), im.data());
    }

private:
    static std::size_t checked(std::size_t n) {
        detail::require_power_of_two(n, 2, "real_fft");
        return n;
    }

    std::size_t n_;
    std::vector<Real> pass_re_, pass_im_, untangle_re_, untangle_im_, scratch_; // scratch: 4 arrays of n/2
};

} // namespace qhybrid::audio
