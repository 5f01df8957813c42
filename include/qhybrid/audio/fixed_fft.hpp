// SPDX-License-Identifier: Apache-2.0
#pragma once
// fixed_real_fft<Real, N>: the real FFT of audio/fft.hpp for one size known at compile time, its
// tables and scratch in arrays inside the object: no heap, no exception, so that a
// microcontroller build (-fno-exceptions -fno-rtti, no allocator) computes spectra with the
// library's code (audio/fft_passes.hpp). The plan's shape, Bluestein's inner size included, is
// computed at compile time. The object holds about 4 N values for a 7-smooth even N (2 ... 8
// times that for Bluestein's sizes): give it static storage on a small stack.
//
//   static qhybrid::audio::fixed_real_fft<float, 400> fft;   // tables filled once
//   fft.forward(samples, re, im);                            // std::array or fixed-extent spans
#include "qhybrid/audio/fft_passes.hpp"

#include <array>
#include <cstddef>
#include <span>

namespace qhybrid::audio {

template <class Real, std::size_t N>
class fixed_real_fft {
    static_assert(N >= 1 && N <= fft_passes::max_size, "fixed_real_fft: N must be in [1, 2^24]");
    static constexpr fft_passes::real_shape shape = fft_passes::real_plan(N);
    static constexpr fft_passes::kinds kinds = fft_passes::kinds_of(shape.complex);

public:
    static constexpr std::size_t size = N, bins = shape.bins();

    fixed_real_fft() noexcept {
        fft_passes::fill_real_tables<kinds>(shape, {tables_re_.data(), tables_im_.data()}, scratch_.data());
    }

    // X_k = sum_j x_j exp(-2 pi i j k / N) for k = 0 .. N/2 into (re, im).
    void forward(std::span<const Real, N> x, std::span<Real, bins> re, std::span<Real, bins> im) noexcept {
        fft_passes::real_forward<kinds>(shape, {tables_re_.data(), tables_im_.data()}, x.data(), scratch_.data(),
                                 {re.data(), im.data()});
    }

private:
    // One spare entry keeps the arrays non-empty at N = 1.
    std::array<Real, shape.tables() + 1> tables_re_{}, tables_im_{};
    std::array<Real, shape.scratch()> scratch_{};
};

} // namespace qhybrid::audio
