// SPDX-License-Identifier: Apache-2.0
#pragma once
// librosa's frame-wise spectral and temporal features: spectral_centroid, spectral_bandwidth,
// spectral_rolloff (from a magnitude spectrogram), zero_crossing_rate and rms (from the signal).
// One value per frame. librosa normalises a frame by its L1 norm only when the norm is at least
// the smallest normal number; silent frames therefore give 0, not NaN.
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/core/error.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

namespace detail {

// librosa.fft_frequencies for the spectrogram's n_fft = 2 (bins - 1).
inline double bin_frequency(std::size_t k, std::size_t bins, double rate) {
    return rate * double(k) / double(2 * (bins - 1));
}

template <class Real>
void require_spectrum(const frame_matrix<Real>& s, double rate, const char* who) {
    require(s.width >= 2 && s.frames > 0 && rate > 0, [&] {
        return std::string(who) + ": need a spectrogram of at least one frame of 2 bins and a positive rate";
    });
    for (std::size_t i = 0; i < s.values.size(); ++i)
        require(s.values[i] >= 0 && std::isfinite(s.values[i]), [&] {
            return std::string(who) + ": frame " + std::to_string(i / s.width) + ", bin " + std::to_string(i % s.width) +
                   " is not a finite non-negative magnitude";
        });
}

// The L1 norm librosa divides a frame by (1 when the norm is below the smallest normal number).
template <class Real>
double l1_norm(std::span<const Real> frame) {
    double sum = 0;
    for (Real v : frame) sum += v;
    return sum < std::numeric_limits<Real>::min() ? 1.0 : sum;
}

} // namespace detail

// Frequency-weighted mean of each frame's magnitude spectrum.
template <class Real>
std::vector<Real> spectral_centroid(const frame_matrix<Real>& magnitude, double rate) {
    detail::require_spectrum(magnitude, rate, "spectral_centroid");
    std::vector<Real> out(magnitude.frames);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        const auto s = magnitude.frame(t);
        const double norm = detail::l1_norm(s);
        double sum = 0;
        for (std::size_t k = 0; k < s.size(); ++k) sum += detail::bin_frequency(k, s.size(), rate) * (s[k] / norm);
        out[t] = Real(sum);
    }
    return out;
}

// (sum_k S_k / |S|_1 * |f_k - centroid|^p)^(1/p), librosa's default p = 2.
template <class Real>
std::vector<Real> spectral_bandwidth(const frame_matrix<Real>& magnitude, double rate, double p = 2.0) {
    require(p > 0, [&] { return "spectral_bandwidth: p " + number(p) + " is not positive"; });
    const std::vector<Real> centroid = spectral_centroid(magnitude, rate);
    std::vector<Real> out(magnitude.frames);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        const auto s = magnitude.frame(t);
        const double norm = detail::l1_norm(s);
        double sum = 0;
        for (std::size_t k = 0; k < s.size(); ++k) {
            const double deviation = std::abs(detail::bin_frequency(k, s.size(), rate) - centroid[t]);
            sum += (s[k] / norm) * (p == 2.0 ? deviation * deviation : std::pow(deviation, p)); // numpy squares for p = 2
        }
        out[t] = Real(p == 2.0 ? std::sqrt(sum) : std::pow(sum, 1.0 / p));
    }
    return out;
}

// The lowest bin frequency below which roll_percent of the frame's magnitude lies.
template <class Real>
std::vector<Real> spectral_rolloff(const frame_matrix<Real>& magnitude, double rate, double roll_percent = 0.85) {
    require(roll_percent > 0 && roll_percent < 1,
            [&] { return "spectral_rolloff: roll_percent " + number(roll_percent) + " is not in (0, 1)"; });
    detail::require_spectrum(magnitude, rate, "spectral_rolloff");
    std::vector<Real> out(magnitude.frames);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        const auto s = magnitude.frame(t);
        Real total = 0; // accumulated in Real, like numpy's cumsum
        for (Real v : s) total += v;
        const Real threshold = Real(roll_percent) * total;
        Real cumulative = 0;
        std::size_t k = 0;
        for (; k < s.size(); ++k)
            if ((cumulative += s[k]) >= threshold) break;
        out[t] = Real(detail::bin_frequency(k, s.size(), rate));
    }
    return out;
}

struct frame_options {
    std::size_t frame_length = 2048;
    std::size_t hop_length = 512;
    bool center = true;
};

namespace detail {

// value(frame) for every frame of the padded signal.
template <class Real, class Value>
std::vector<Real> per_frame(std::span<const Real> signal, const frame_options& options, pad_mode pad, const char* who,
                            Value&& value) {
    const framer<Real> frames(signal, options.frame_length, options.hop_length, options.center, pad, who);
    std::vector<Real> frame(options.frame_length), out(frames.frames());
    for (std::size_t t = 0; t < out.size(); ++t) {
        frames.read(t, frame);
        out[t] = value(std::span<const Real>(frame));
    }
    return out;
}

} // namespace detail

// Fraction of sign changes inside each frame: samples with |x| <= 1e-10 count as +0, the frame
// is edge-padded when centred, and the count is divided by frame_length (librosa's
// zero_crossing_rate with its defaults).
template <class Real>
std::vector<Real> zero_crossing_rate(std::span<const Real> signal, const frame_options& options = {}) {
    return detail::per_frame(signal, options, pad_mode::edge, "zero_crossing_rate", [](std::span<const Real> frame) {
        auto negative = [](Real v) { return std::abs(v) > Real(1e-10) && std::signbit(v); };
        std::size_t crossings = 0;
        for (std::size_t j = 1; j < frame.size(); ++j) crossings += negative(frame[j]) != negative(frame[j - 1]);
        return Real(crossings) / Real(frame.size());
    });
}

// Root mean square of each zero-padded frame.
template <class Real>
std::vector<Real> rms(std::span<const Real> signal, const frame_options& options = {}) {
    return detail::per_frame(signal, options, pad_mode::constant, "rms", [](std::span<const Real> frame) {
        Real sum = 0;
        for (Real v : frame) sum += v * v;
        return std::sqrt(sum / Real(frame.size()));
    });
}

} // namespace qhybrid::audio
