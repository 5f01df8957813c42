// SPDX-License-Identifier: Apache-2.0
#pragma once
// Sample-rate conversion by any rational ratio: a polyphase windowed-sinc resampler with the
// output of scipy.signal.resample_poly(x, up, down, window=h, padtype='constant'), streamed.
//
//   qhybrid::audio::resampler<double> r(48000, 44100);   // designs the filter, allocates once
//   for (each block of a long file) r.process(block, out);   // appends what the block completes
//   r.finish(out);                                            // the tail; r is ready for a new signal
//   auto y = qhybrid::audio::resample<double>(x, 8000, 44100);   // the same, in one call
//
// The rates are reduced to up / down = L / M. The designed filter (audio/kaiser_lowpass.hpp) is
// flat within 0.05 dB up to 0.9 of the lower Nyquist frequency min(fs_in, fs_out) / 2 and
// attenuates at least 80 dB from it up; the caller may pass a filter of their own instead, which
// is applied at the rate L fs_in and scaled by L, as resample_poly does with its `window`.
// Feeding a signal in blocks of any sizes gives exactly the one-shot output; memory is bounded by
// the filter. The arithmetic is audio/resample_passes.hpp's; audio/fixed_resample.hpp holds the
// same plan without a heap. A plan is not thread-safe: give each thread its own.
#include "qhybrid/audio/kaiser_lowpass.hpp"
#include "qhybrid/audio/resample_passes.hpp"
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace qhybrid::audio {

static_assert(simd_alignment == resample_passes::table_alignment);

// The largest polyphase table (L branches of padded taps) and down factor a plan accepts: a
// ratio such as 44100 -> 44099 would need a filter of millions of taps.
inline constexpr std::size_t max_resample_table = std::size_t(1) << 20;

template <class Real>
class resampler {
public:
    // The library's filter.
    resampler(std::size_t from_rate, std::size_t to_rate) : resampler(designed(reduced(from_rate, to_rate))) {}

    // The caller's filter h (scipy's `window`): applied at the rate L fs_in, scaled by L, its output
    // centred on tap (size - 1) / 2.
    resampler(std::size_t from_rate, std::size_t to_rate, std::span<const double> taps)
        : resampler(checked(reduced(from_rate, to_rate), taps)) {}

    std::size_t up() const noexcept { return shape_.up; }
    std::size_t down() const noexcept { return shape_.down; }
    // The filter with unit gain at DC, before the scaling by L: {1} when the rates are equal.
    std::span<const double> taps() const noexcept { return taps_; }

    // The most outputs process() writes for n samples: ceil(n L / M).
    std::size_t max_output(std::size_t n) const noexcept { return resample_passes::max_output(shape_, n); }
    // The outputs finish() writes now.
    std::size_t tail() const noexcept { return resample_passes::tail(shape_, state_); }

    // Writes the outputs that `input` completes into `output` (room for max_output(input.size()))
    // and returns their count. Never allocates.
    std::size_t process(std::span<const Real> input, std::span<Real> output) {
        require(output.size() >= max_output(input.size()), [&] {
            return "resampler: " + std::to_string(input.size()) + " samples need room for " +
                   std::to_string(max_output(input.size())) + " outputs, got " + std::to_string(output.size());
        });
        const std::size_t bad = resample_passes::first_non_finite(input.data(), input.size());
        require(bad == input.size(), [&] {
            return "resampler: input sample " + std::to_string(state_.received + bad) + " is not finite (" +
                   number(double(input[bad])) + ")";
        });
        return resample_passes::process(shape_, table_.data(), state_, history_.data(), input.data(), input.size(),
                                        output.data());
    }

    // Appends the outputs that `input` completes (allocates only when `output` lacks capacity).
    void process(std::span<const Real> input, std::vector<Real>& output) {
        const std::size_t old = output.size();
        output.resize(old + max_output(input.size()));
        output.resize(old + process(input, std::span(output).subspan(old)));
    }

    // Writes the tail() outputs after the last sample into `output` and returns their count; the
    // plan then starts a new signal. Never allocates.
    std::size_t finish(std::span<Real> output) {
        require(output.size() >= tail(), [&] {
            return "resampler: finish needs room for " + std::to_string(tail()) + " outputs, got " +
                   std::to_string(output.size());
        });
        return resample_passes::finish(shape_, table_.data(), state_, history_.data(), output.data());
    }

    // Appends the tail() outputs; the plan then starts a new signal.
    void finish(std::vector<Real>& output) {
        const std::size_t old = output.size();
        output.resize(old + tail());
        finish(std::span(output).subspan(old));
    }

private:
    struct rates {
        std::size_t from, to, up, down;
        std::string text() const {
            return std::to_string(from) + " Hz -> " + std::to_string(to) + " Hz (up " + std::to_string(up) +
                   ", down " + std::to_string(down) + ")";
        }
    };

    static rates reduced(std::size_t from, std::size_t to) {
        require(from > 0 && to > 0, [&] {
            return "resampler: sample rates must be positive, got " + std::to_string(from) + " Hz -> " +
                   std::to_string(to) + " Hz";
        });
        const std::size_t g = std::gcd(from, to);
        return {from, to, to / g, from / g};
    }

    // The filter must fit the bound before it is designed or its table allocated; `taps` is a
    // real number because a designed length can be astronomically large.
    static void check_size(const rates& r, double taps) {
        const double branch = std::ceil(std::ceil(taps / double(r.up)) / resample_passes::lanes) *
                              resample_passes::lanes;
        const double table = double(r.up) * branch;
        require(table <= double(max_resample_table) && r.down <= max_resample_table, [&] {
            const std::string bound = " (at most " + std::to_string(max_resample_table) + ")";
            return "resampler: " + r.text() + " needs a polyphase table of " + number(table) + " taps" + bound +
                   " and a down factor of " + std::to_string(r.down) + bound;
        });
    }

    struct filter {
        rates r;
        std::vector<double> taps;
    };

    static filter designed(const rates& r) {
        if (r.up == 1 && r.down == 1) return {r, {1.0}};
        const std::size_t larger = std::max(r.up, r.down);
        check_size(r, std::ceil(kaiser::resampling_length(larger)));
        const kaiser::lowpass f = kaiser::resampling_lowpass(larger);
        const long double sum = kaiser::raw_sum(f);
        std::vector<double> h(f.taps);
        for (std::size_t k = 0; k < h.size(); ++k) h[k] = kaiser::tap(f, sum, k);
        return {r, std::move(h)};
    }

    static filter checked(const rates& r, std::span<const double> taps) {
        require(!taps.empty(), [&] { return "resampler: " + r.text() + ": the filter has no taps"; });
        require(r.up != 1 || r.down != 1, [&] {
            return "resampler: " + r.text() + " needs no filter, and resample_poly would ignore one: pass no taps";
        });
        const std::size_t bad = resample_passes::first_non_finite(taps.data(), taps.size());
        require(bad == taps.size(), [&] {
            return "resampler: " + r.text() + ": tap " + std::to_string(bad) + " is not finite (" +
                   number(taps[bad]) + ")";
        });
        check_size(r, double(taps.size()));
        return {r, {taps.begin(), taps.end()}};
    }

    explicit resampler(filter f)
        : taps_(std::move(f.taps)), shape_(resample_passes::make_shape(f.r.up, f.r.down, taps_.size())),
          table_(resample_passes::table_size(shape_)), history_(resample_passes::history_size(shape_)) {
        resample_passes::fill_table(shape_, [&](std::size_t k) { return taps_[k]; }, table_.data());
        resample_passes::start(shape_, state_, history_.data());
    }

    std::vector<double> taps_;
    resample_passes::shape shape_;
    aligned_vector<Real> table_, history_; // aligned to simd_alignment = resample_passes::table_alignment
    resample_passes::state state_{};
};

// resample_poly(x, to, from, window=h, padtype='constant') with the library's filter h: ceil(n to / from)
// samples, the first at the instant of x's first.
template <class Real>
std::vector<Real> resample(std::span<const Real> signal, std::size_t from_rate, std::size_t to_rate) {
    resampler<Real> plan(from_rate, to_rate);
    std::vector<Real> out;
    out.reserve(plan.max_output(signal.size()));
    plan.process(signal, out);
    plan.finish(out);
    return out;
}

} // namespace qhybrid::audio
