// SPDX-License-Identifier: Apache-2.0
#pragma once
// librosa's frame-wise spectral and temporal features: spectral_centroid, spectral_bandwidth,
// spectral_rolloff (from a magnitude spectrogram), zero_crossing_rate and rms (from the signal).
// One value per frame. librosa normalises a frame by its L1 norm only when the norm is at least
// the smallest normal number; silent frames therefore give 0, not NaN.
//
// Their backward passes (vector-Jacobian products: dL/dinput from dL/dvalue of each frame), for
// attacks in the waveform domain (robust/): exact for the centroid, the bandwidth (p = 2) and rms.
// The rolloff and the zero-crossing rate are piecewise constant (their gradient is 0 wherever it
// exists), so theirs are BPDA surrogates (Athalye et al. 2018): the gradient of a smooth relaxation
// whose hard limit is the feature itself, the indicator 1[C_k < threshold] of the rolloff's
// cumulative sums and the sign test of a crossing each replaced by a logistic of temperature tau.
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
inline void require_frame_gradient(std::size_t got, std::size_t frames, const char* who) {
    require(got == frames, [&] { return std::string(who) + ": a gradient of " + std::to_string(got) + " values for " + std::to_string(frames) + " frames"; });
}

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

// dL/dmagnitude from dL/dcentroid (one value per frame): with n = |S|_1 (1 for a silent frame,
// whose centroid is then sum_k f_k S_k), dc/dS_k = (f_k - c) / n.
template <class Real>
frame_matrix<Real> spectral_centroid_vjp(const frame_matrix<Real>& magnitude, double rate, std::span<const Real> dcentroid) {
    const std::vector<Real> centroid = spectral_centroid(magnitude, rate);
    detail::require_frame_gradient(dcentroid.size(), magnitude.frames, "spectral_centroid_vjp");
    frame_matrix<Real> out(magnitude.frames, magnitude.width);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        const auto s = magnitude.frame(t);
        const double norm = detail::l1_norm(s), c = norm == 1.0 ? 0.0 : double(centroid[t]);
        for (std::size_t k = 0; k < s.size(); ++k)
            out(t, k) = Real(double(dcentroid[t]) * (detail::bin_frequency(k, s.size(), rate) - c) / norm);
    }
    return out;
}

// dL/dmagnitude from dL/dbandwidth (p = 2): b = sqrt(V), V = sum_k (S_k / n)(f_k - c)^2, so
// dV/dS_k = ((f_k - c)^2 - V') / n - 2 dc/dS_k sum_j (S_j / n)(f_j - c), with V' = V when the frame
// is normalised (the last sum is then 0) and 0 for a silent one; frames of bandwidth 0 take none.
template <class Real>
frame_matrix<Real> spectral_bandwidth_vjp(const frame_matrix<Real>& magnitude, double rate, std::span<const Real> dbandwidth) {
    const std::vector<Real> centroid = spectral_centroid(magnitude, rate), bandwidth = spectral_bandwidth(magnitude, rate);
    detail::require_frame_gradient(dbandwidth.size(), magnitude.frames, "spectral_bandwidth_vjp");
    frame_matrix<Real> out(magnitude.frames, magnitude.width);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        if (bandwidth[t] <= 0) continue;
        const auto s = magnitude.frame(t);
        const double norm = detail::l1_norm(s), c = centroid[t], v = double(bandwidth[t]) * double(bandwidth[t]);
        const bool normalised = norm != 1.0;
        double first_moment = 0;
        for (std::size_t k = 0; k < s.size(); ++k) first_moment += (s[k] / norm) * (detail::bin_frequency(k, s.size(), rate) - c);
        for (std::size_t k = 0; k < s.size(); ++k) {
            const double f = detail::bin_frequency(k, s.size(), rate), deviation = f - c;
            const double dc = (f - (normalised ? c : 0.0)) / norm;
            const double dv = (deviation * deviation - (normalised ? v : 0.0)) / norm - 2 * dc * first_moment;
            out(t, k) = Real(double(dbandwidth[t]) * dv / (2 * std::sqrt(v)));
        }
    }
    return out;
}

// BPDA for spectral_rolloff: it equals df * #{k : C_k < 0.85 C_last} (C the cumulative sums, df
// the bin spacing); the surrogate's gradient replaces each indicator by a logistic of
// (threshold - C_k) / (tau C_last).
template <class Real>
frame_matrix<Real> spectral_rolloff_surrogate_vjp(const frame_matrix<Real>& magnitude, double rate, std::span<const Real> drolloff,
                                                  double roll_percent = 0.85, double tau = 0.01) {
    detail::require_spectrum(magnitude, rate, "spectral_rolloff_surrogate_vjp");
    detail::require_frame_gradient(drolloff.size(), magnitude.frames, "spectral_rolloff_surrogate_vjp");
    require(roll_percent > 0 && roll_percent < 1 && tau > 0,
            [&] { return "spectral_rolloff_surrogate_vjp: roll_percent " + number(roll_percent) + ", tau " + number(tau); });
    frame_matrix<Real> out(magnitude.frames, magnitude.width);
    const double spacing = detail::bin_frequency(1, magnitude.width, rate);
    std::vector<double> weight(magnitude.width);
    for (std::size_t t = 0; t < magnitude.frames; ++t) {
        const auto s = magnitude.frame(t);
        double total = 0;
        for (Real v : s) total += v;
        if (!(total > 0)) continue;
        const double threshold = roll_percent * total, scale = tau * total;
        // u_k = (threshold - C_k) / scale: du_k/dS_j = (roll_percent - [j <= k]) / scale - u_k / total.
        double cumulative = 0, sum_weight = 0, scale_term = 0;
        for (std::size_t k = 0; k < s.size(); ++k) {
            cumulative += s[k];
            const double u = (threshold - cumulative) / scale, sigma = 1 / (1 + std::exp(-u));
            weight[k] = sigma * (1 - sigma) / scale, sum_weight += weight[k];
            scale_term += sigma * (1 - sigma) * u / total;
        }
        double later = sum_weight; // sum over k >= j of the weights
        for (std::size_t j = 0; j < s.size(); ++j) {
            out(t, j) = Real(double(drolloff[t]) * spacing * (roll_percent * sum_weight - later - scale_term));
            later -= weight[j];
        }
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

namespace detail {

// dL/dsignal from d(frame t's value)/d(its entry j) = partial(t, frame t, j) times dvalue[t]; each
// entry goes back to the sample it read (zeros of the padding take nothing, edge copies their share).
template <class Real, class Partial>
std::vector<Real> per_frame_vjp(std::span<const Real> signal, const frame_options& options, pad_mode pad, const char* who,
                                std::span<const Real> dvalue, Partial&& partial) {
    const framer<Real> frames(signal, options.frame_length, options.hop_length, options.center, pad, who);
    require_frame_gradient(dvalue.size(), frames.frames(), who);
    std::vector<Real> frame(options.frame_length), out(signal.size(), Real(0));
    for (std::size_t t = 0; t < frames.frames(); ++t) {
        frames.read(t, frame);
        for (std::size_t j = 0; j < frame.size(); ++j)
            if (const std::ptrdiff_t i = frames.source(t, j); i >= 0) out[std::size_t(i)] += dvalue[t] * partial(t, std::span<const Real>(frame), j);
    }
    return out;
}

} // namespace detail

// dL/dsignal from dL/drms: d rms_t / d x_j = x_j / (L rms_t) (frames of rms 0 take none).
template <class Real>
std::vector<Real> rms_vjp(std::span<const Real> signal, std::span<const Real> drms, const frame_options& options = {}) {
    const std::vector<Real> values = rms(signal, options);
    return detail::per_frame_vjp(signal, options, pad_mode::constant, "rms_vjp", drms, [&](std::size_t t, std::span<const Real> frame, std::size_t j) {
        return values[t] > 0 ? frame[j] / (Real(frame.size()) * values[t]) : Real(0);
    });
}

// BPDA for zero_crossing_rate: a crossing between entries j - 1 and j, with n = logistic(-x / tau)
// for "negative", counts n_j (1 - n_(j-1)) + n_(j-1) (1 - n_j), which is the hard count when n is 0
// or 1; the surrogate's gradient is this count's.
template <class Real>
std::vector<Real> zero_crossing_rate_surrogate_vjp(std::span<const Real> signal, std::span<const Real> dzcr, const frame_options& options = {},
                                                   double tau = 1e-3) {
    require(tau > 0, [&] { return "zero_crossing_rate_surrogate_vjp: tau " + number(tau) + " is not positive"; });
    auto negative = [&](Real v) { return 1 / (1 + std::exp(double(v) / tau)); };
    return detail::per_frame_vjp(signal, options, pad_mode::edge, "zero_crossing_rate_surrogate_vjp", dzcr, [&](std::size_t, std::span<const Real> frame, std::size_t j) {
        const double n = negative(frame[j]);
        double d = 0; // d(count)/dn_j, over the pairs (j - 1, j) and (j, j + 1)
        if (j > 0) d += 1 - 2 * negative(frame[j - 1]);
        if (j + 1 < frame.size()) d += 1 - 2 * negative(frame[j + 1]);
        return Real(d * (-n * (1 - n) / tau) / double(frame.size()));
    });
}

} // namespace qhybrid::audio
