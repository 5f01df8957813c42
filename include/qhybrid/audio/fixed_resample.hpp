// SPDX-License-Identifier: Apache-2.0
#pragma once
// fixed_resampler<Real, Up, Down>: the resampler of audio/resample.hpp for one ratio known at
// compile time, its filter table and input history in arrays inside the object: no heap, no
// exception, so that a microcontroller build (-fno-exceptions -fno-rtti, no allocator) converts
// sample rates with the library's code (audio/resample_passes.hpp) and filter. Errors come back
// as a status. The object holds (Up + 2) branches of about 100 max(Up, Down) / Up taps each
// (16,000 -> 8,000 Hz: 211 taps, 672 floats): give it static storage on a small stack.
//
//   static qhybrid::audio::fixed_resampler<float, 1, 2> down_to_8k;   // 16 kHz -> 8 kHz
//   auto [status, written] = down_to_8k.process(block, out);          // out: max_output(block.size())
//   ... down_to_8k.finish(out) at the end of the signal
#include "qhybrid/audio/kaiser_lowpass.hpp"
#include "qhybrid/audio/resample_passes.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <numeric>
#include <span>

namespace qhybrid::audio {

struct resample_result {
    resample_status status;
    std::size_t written; // outputs written (0 unless ok)
};

// Up / Down is reduced by its gcd; equal factors pass samples through.
template <class Real, std::size_t Up, std::size_t Down>
class fixed_resampler {
    static_assert(Up > 0 && Down > 0, "fixed_resampler: Up and Down must be positive");
    static constexpr std::size_t up_ = Up / std::gcd(Up, Down), down_ = Down / std::gcd(Up, Down);
    static constexpr bool identity = up_ == 1 && down_ == 1;
    static constexpr kaiser::lowpass filter =
        identity ? kaiser::lowpass{1, 1, 0} : kaiser::resampling_lowpass(std::max(up_, down_));
    static constexpr resample_passes::shape shape = resample_passes::make_shape(up_, down_, filter.taps);

public:
    static constexpr std::size_t up = up_, down = down_, taps = filter.taps;

    fixed_resampler() noexcept {
        if constexpr (identity)
            resample_passes::fill_table(shape, [](std::size_t) { return 1.0; }, table_.data());
        else {
            const long double sum = kaiser::raw_sum(filter);
            resample_passes::fill_table(shape, [&](std::size_t k) { return kaiser::tap(filter, sum, k); },
                                        table_.data());
        }
        resample_passes::start(shape, state_, history_.data());
    }

    // The most outputs process() writes for n samples: ceil(n Up / Down).
    static constexpr std::size_t max_output(std::size_t n) noexcept { return resample_passes::max_output(shape, n); }
    // The outputs finish() writes now.
    std::size_t tail() const noexcept { return resample_passes::tail(shape, state_); }

    // Writes the outputs that `input` completes; consumes nothing unless the status is ok.
    resample_result process(std::span<const Real> input, std::span<Real> output) noexcept {
        if (output.size() < max_output(input.size())) return {resample_status::output_too_small, 0};
        if (resample_passes::first_non_finite(input.data(), input.size()) != input.size())
            return {resample_status::non_finite_input, 0};
        return {resample_status::ok, resample_passes::process(shape, table_.data(), state_, history_.data(),
                                                               input.data(), input.size(), output.data())};
    }

    // Writes the tail() outputs after the last sample; the plan then starts a new signal.
    resample_result finish(std::span<Real> output) noexcept {
        if (output.size() < tail()) return {resample_status::output_too_small, 0};
        return {resample_status::ok,
                resample_passes::finish(shape, table_.data(), state_, history_.data(), output.data())};
    }

private:
    alignas(resample_passes::table_alignment) std::array<Real, resample_passes::table_size(shape)> table_{};
    alignas(resample_passes::table_alignment) std::array<Real, resample_passes::history_size(shape)> history_{};
    resample_passes::state state_{};
};

} // namespace qhybrid::audio
