// SPDX-License-Identifier: Apache-2.0
#pragma once
// fixed_real_fft<Real, N>: the real FFT of audio/fft.hpp for one size known at compile time, its
// tables and scratch in arrays inside the object: no heap, no exception, so that a
// microcontroller build (-fno-exceptions -fno-rtti, no allocator) computes spectra with the
// library's code (audio/fft_passes.hpp). The object holds about 4 N values: give it static
// storage on a small stack.
//
//   static qhybrid::audio::fixed_real_fft<float, 512> fft;   // tables filled once
//   fft.forward(samples, re, im);                            // std::array or fixed-extent spans
#include "qhybrid/audio/fft_passes.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <span>

namespace qhybrid::audio {

template <class Real, std::size_t N>
class fixed_real_fft {
    static_assert(N >= 2 && std::has_single_bit(N), "fixed_real_fft: N must be a power of two >= 2");
    static constexpr std::size_t half = N / 2;

public:
    static constexpr std::size_t size = N, bins = half + 1;

    fixed_real_fft() noexcept {
        fft_passes::fill_pass_twiddles(half, pass_re_.data(), pass_im_.data());
        fft_passes::fill_untangle_twiddles(N, untangle_re_.data(), untangle_im_.data());
    }

    // X_k = sum_j x_j exp(-2 pi i j k / N) for k = 0 .. N/2 into (re, im).
    void forward(std::span<const Real, N> x, std::span<Real, bins> re, std::span<Real, bins> im) noexcept {
        Real* z = scratch_.data();
        fft_passes::real_forward(N, x.data(), pass_re_.data(), pass_im_.data(), untangle_re_.data(),
                                 untangle_im_.data(), z, z + half, z + 2 * half, z + 3 * half, re.data(), im.data());
    }

private:
    // One spare entry keeps the arrays non-empty at N = 2.
    std::array<Real, fft_passes::pass_twiddles(half) + 1> pass_re_{}, pass_im_{};
    std::array<Real, fft_passes::untangle_twiddles(N)> untangle_re_{}, untangle_im_{};
    std::array<Real, 4 * half> scratch_{};
};

} // namespace qhybrid::audio
