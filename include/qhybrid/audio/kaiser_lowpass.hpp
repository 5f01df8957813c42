// SPDX-License-Identifier: Apache-2.0
#pragma once
// Kaiser-windowed sinc low-pass filters, designed as scipy.signal.firwin(numtaps, cutoff,
// window=('kaiser', beta), scale=True) designs them (cutoff relative to the Nyquist frequency,
// unit gain at DC), with length and beta from Kaiser's formulas (scipy's kaiserord and
// kaiser_beta). No allocation, no exception: the taps are computed one at a time, so that the
// heap-free resampler (audio/fixed_resample.hpp) can write them straight into its tables.
//
// The resampler's filter (resampling_lowpass): at the upsampled rate L fs_in = M fs_out, the
// lower Nyquist frequency min(fs_in, fs_out) / 2 is 1 / max(L, M) of the Nyquist frequency, so
// the design depends on R = max(L, M) only. The pass band ends at 0.9 of the lower Nyquist
// frequency and the stop band starts at it; Kaiser's formulas are asked for 83 dB, 3 dB more
// than the 80 dB promised, because they come out up to 0.35 dB short at these lengths and a
// stop-band tone near the edge leaves two aliases that add up in the output (docs/audio.md has
// the measured figures).
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>

namespace qhybrid::audio::kaiser {

inline constexpr double promised_attenuation_db = 80;
inline constexpr double design_margin_db = 3;
inline constexpr double passband_edge = 0.9; // of the lower Nyquist frequency

struct lowpass {
    std::size_t taps; // odd: a zero-phase filter centred on tap (taps - 1) / 2
    double cutoff;    // relative to the Nyquist frequency of the filter's rate
    double beta;      // of the Kaiser window
};

// scipy.signal.kaiser_beta
constexpr double beta_for(double attenuation_db) noexcept {
    if (attenuation_db > 50) return 0.1102 * (attenuation_db - 8.7);
    if (attenuation_db > 21) {
        const double a = attenuation_db - 21;
        return 0.5842 * std::pow(a, 0.4) + 0.07886 * a;
    }
    return 0;
}

// scipy.signal.kaiserord's length before rounding up; width relative to the Nyquist frequency.
constexpr double length_for(double attenuation_db, double width) noexcept {
    return (attenuation_db - 7.95) / 2.285 / (std::numbers::pi * width) + 1;
}

// The resampler's filter length for R = max(L, M) before rounding: the resampler compares it
// with its bound before anything is allocated.
constexpr double resampling_length(std::size_t larger_factor) noexcept {
    return length_for(promised_attenuation_db + design_margin_db, (1.0 - passband_edge) / double(larger_factor));
}

// The resampler's filter for R = max(L, M) >= 2, whose resampling_length is below 2^52.
constexpr lowpass resampling_lowpass(std::size_t larger_factor) noexcept {
    const double length = resampling_length(larger_factor);
    std::size_t taps = std::size_t(length);
    taps += double(taps) < length;           // ceil
    taps += taps % 2 == 0;                   // odd, so the output samples fall on the input's instants
    return {taps, (1.0 + passband_edge) / 2 / double(larger_factor),
            beta_for(promised_attenuation_db + design_margin_db)};
}

// The modified Bessel function I0 by its power series sum_k ((x/2)^k / k!)^2, which converges
// quickly for the window's arguments (|x| <= beta, about 8).
inline long double bessel_i0(long double x) noexcept {
    const long double q = x * x / 4;
    long double term = 1, sum = 1;
    for (long double k = 1; term > sum * std::numeric_limits<long double>::epsilon(); ++k) {
        term *= q / (k * k);
        sum += term;
    }
    return sum;
}

// Tap k (of f.taps >= 3) before the unit-DC-gain scaling: the ideal low pass sin(pi c m) / (pi m) at m = k - centre,
// times the Kaiser window without its constant 1 / I0(beta), which the scaling removes.
inline long double raw_tap(const lowpass& f, std::size_t k) noexcept {
    constexpr long double pi = std::numbers::pi_v<long double>;
    const long double half = (long double)(f.taps - 1) / 2, m = (long double)k - half;
    const long double ideal = m == 0 ? (long double)f.cutoff : std::sin(pi * f.cutoff * m) / (pi * m);
    const long double r = m / half;
    return ideal * bessel_i0(f.beta * std::sqrt(1 - r * r));
}

// The sum of all raw taps, which firwin(scale=True) divides by.
inline long double raw_sum(const lowpass& f) noexcept {
    long double sum = 0;
    for (std::size_t k = 0; k < f.taps; ++k) sum += raw_tap(f, k);
    return sum;
}

// Tap k of the filter with unit gain at DC, given raw_sum(f).
inline double tap(const lowpass& f, long double sum, std::size_t k) noexcept { return double(raw_tap(f, k) / sum); }

} // namespace qhybrid::audio::kaiser
