// SPDX-License-Identifier: Apache-2.0
#pragma once
// librosa's mel scale and mel filterbank (librosa.filters.mel), the mel spectrogram and
// power_to_db. The Slaney scale is linear below 1 kHz (200/3 Hz per mel) and logarithmic above
// (27 mels per factor 6.4); HTK's is 2595 log10(1 + f / 700). Slaney normalisation divides each
// triangle by its width in Hz / 2, so every filter has unit area.
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

enum class mel_scale { slaney, htk };
enum class mel_norm { none, slaney };

inline double hz_to_mel(double hz, mel_scale scale = mel_scale::slaney) {
    if (scale == mel_scale::htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
    constexpr double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = std::log(6.4) / 27.0;
    return hz >= min_log_hz ? min_log_mel + std::log(hz / min_log_hz) / logstep : hz / f_sp;
}

inline double mel_to_hz(double mel, mel_scale scale = mel_scale::slaney) {
    if (scale == mel_scale::htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    constexpr double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = std::log(6.4) / 27.0;
    return mel >= min_log_mel ? min_log_hz * std::exp(logstep * (mel - min_log_mel)) : f_sp * mel;
}

struct mel_options {
    std::size_t n_mels = 128;
    double fmin = 0.0;
    std::optional<double> fmax = std::nullopt; // default: rate / 2
    mel_scale scale = mel_scale::slaney;
    mel_norm norm = mel_norm::slaney;
};

// The (n_mels x (n_fft / 2 + 1)) filterbank, stored sparsely: each triangle is non-zero on a
// contiguous run of bins, so applying it costs the triangles' widths, not n_mels * bins.
template <class Real>
class mel_filterbank {
public:
    mel_filterbank(double rate, std::size_t n_fft, const mel_options& options = {}) : bins_(n_fft / 2 + 1) {
        const double fmax = options.fmax.value_or(rate / 2);
        require(rate > 0 && n_fft >= 2 && options.n_mels > 0 && options.fmin >= 0 && options.fmin < fmax &&
                    fmax <= rate / 2,
                [&] {
                    return "mel_filterbank: need rate > 0, n_fft >= 2, n_mels > 0 and 0 <= fmin < fmax <= rate / 2; got rate " +
                           number(rate) + ", n_fft " + std::to_string(n_fft) + ", n_mels " +
                           std::to_string(options.n_mels) + ", fmin " + number(options.fmin) + ", fmax " +
                           number(fmax);
                });
        // n_mels + 2 points equally spaced in mel from fmin to fmax: filter i rises from point i to
        // point i + 1 and falls to point i + 2 (librosa.mel_frequencies).
        const std::size_t points = options.n_mels + 2;
        const double lo = hz_to_mel(options.fmin, options.scale), hi = hz_to_mel(fmax, options.scale);
        std::vector<double> hz(points);
        for (std::size_t i = 0; i < points; ++i)
            hz[i] = mel_to_hz(lo + (hi - lo) * double(i) / double(points - 1), options.scale);
        for (std::size_t m = 0; m < options.n_mels; ++m) {
            const double scale = options.norm == mel_norm::slaney ? 2.0 / (hz[m + 2] - hz[m]) : 1.0;
            // The triangle lies within [hz[m], hz[m + 2]]; scan that range of bins (plus one
            // on each side against rounding) rather than all of them.
            const auto bin_of = [&](double f) { return f * double(n_fft) / rate; };
            const auto lo_bin = std::size_t(std::max(0.0, std::floor(bin_of(hz[m])) - 1));
            const auto hi_bin = std::min(bins_ - 1, std::size_t(std::ceil(bin_of(hz[m + 2]))) + 1);
            filter f;
            for (std::size_t k = lo_bin; k <= hi_bin; ++k) {
                const double freq = rate * double(k) / double(n_fft); // librosa.fft_frequencies
                const double rising = (freq - hz[m]) / (hz[m + 1] - hz[m]);
                const double falling = (hz[m + 2] - freq) / (hz[m + 2] - hz[m + 1]);
                const double w = std::max(0.0, std::min(rising, falling));
                if (w > 0) {
                    if (f.weights.empty()) f.first = k;
                    f.weights.resize(k - f.first + 1, Real(0));
                    f.weights.back() = Real(w * scale);
                }
            }
            filters_.push_back(std::move(f));
        }
    }

    std::size_t mels() const noexcept { return filters_.size(); }
    std::size_t bins() const noexcept { return bins_; }

    // Weight of bin k in filter m (zero outside the triangle).
    Real weight(std::size_t m, std::size_t k) const noexcept {
        const filter& f = filters_[m];
        return k >= f.first && k < f.first + f.weights.size() ? f.weights[k - f.first] : Real(0);
    }

    // Number of filters with no weight at all (librosa warns about them: too many mels for n_fft).
    std::size_t empty_filters() const noexcept {
        return std::size_t(std::count_if(filters_.begin(), filters_.end(), [](const filter& f) { return f.weights.empty(); }));
    }

    // mel(t, m) = sum_k weight(m, k) spectrum(t, k).
    frame_matrix<Real> apply(const frame_matrix<Real>& spectrum) const {
        require(spectrum.width == bins_, [&] {
            return "mel_filterbank::apply: spectrum frames have " + std::to_string(spectrum.width) +
                   " bins, the filterbank expects " + std::to_string(bins_);
        });
        frame_matrix<Real> out(spectrum.frames, mels());
        for (std::size_t t = 0; t < spectrum.frames; ++t) {
            const Real* s = spectrum.frame(t).data();
            for (std::size_t m = 0; m < mels(); ++m) {
                const filter& f = filters_[m];
                Real sum = 0;
                for (std::size_t j = 0; j < f.weights.size(); ++j) sum += f.weights[j] * s[f.first + j];
                out(t, m) = sum;
            }
        }
        return out;
    }

    // The vector-Jacobian product of apply: dL/dspectrum(t, k) = sum_m dL/dmel(t, m) weight(m, k).
    frame_matrix<Real> vjp(const frame_matrix<Real>& dmel) const {
        require(dmel.width == mels(), [&] {
            return "mel_filterbank::vjp: a gradient of " + std::to_string(dmel.width) + " mels for " + std::to_string(mels()) + " filters";
        });
        frame_matrix<Real> out(dmel.frames, bins_);
        for (std::size_t t = 0; t < dmel.frames; ++t)
            for (std::size_t m = 0; m < mels(); ++m) {
                const filter& f = filters_[m];
                for (std::size_t j = 0; j < f.weights.size(); ++j) out(t, f.first + j) += f.weights[j] * dmel(t, m);
            }
        return out;
    }

private:
    struct filter {
        std::size_t first = 0;
        std::vector<Real> weights;
    };
    std::size_t bins_;
    std::vector<filter> filters_;
};

// librosa.feature.melspectrogram: the filterbank applied to |stft|^power.
template <class Real>
frame_matrix<Real> melspectrogram(std::span<const Real> signal, double rate, const stft_options& stft = {},
                                  const mel_options& mel = {}, double power = 2.0) {
    return mel_filterbank<Real>(rate, stft.n_fft, mel).apply(spectrogram(signal, stft, power));
}

struct db_options {
    double ref = 1.0;
    bool ref_is_max = false; // librosa's ref=np.max: decibels relative to the loudest value
    double amin = 1e-10;
    std::optional<double> top_db = 80.0;
};

// librosa.power_to_db: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then clipped from
// below at (maximum - top_db) over the whole matrix.
template <class Real>
frame_matrix<Real> power_to_db(frame_matrix<Real> power, const db_options& options = {}) {
    require(options.amin > 0 && (!options.top_db || *options.top_db >= 0), [&] {
        return std::string("power_to_db: amin must be positive and top_db non-negative");
    });
    double ref = options.ref;
    if (options.ref_is_max) {
        ref = 0;
        for (Real v : power.values) ref = std::max(ref, double(std::abs(v)));
    }
    const double offset = 10.0 * std::log10(std::max(options.amin, std::abs(ref)));
    double peak = -HUGE_VAL;
    for (Real& v : power.values) {
        v = Real(10.0 * std::log10(std::max(options.amin, double(v))) - offset);
        peak = std::max(peak, double(v));
    }
    if (options.top_db)
        for (Real& v : power.values) v = std::max(v, Real(peak - *options.top_db));
    return power;
}

// The vector-Jacobian product of power_to_db: dL/dpower from dL/ddb (same shape). Where power
// exceeds amin, d db / d power = 10 / (ln 10 power); below, zero. A value clipped to
// (peak - top_db) follows the peak, so its gradient goes to the peak's entry; with ref_is_max the
// offset follows the loudest entry, so every value's gradient, negated, goes there too.
template <class Real>
frame_matrix<Real> power_to_db_vjp(const frame_matrix<Real>& power, const frame_matrix<Real>& ddb, const db_options& options = {}) {
    require(ddb.frames == power.frames && ddb.width == power.width && options.amin > 0, [&] {
        return "power_to_db_vjp: a gradient of " + std::to_string(ddb.frames) + " x " + std::to_string(ddb.width) + " for " +
               std::to_string(power.frames) + " x " + std::to_string(power.width) + " values (amin must be positive)";
    });
    const double k = 10.0 / std::log(10.0);
    auto slope = [&](double v) { return v > options.amin ? k / v : 0.0; }; // d(10 log10 max(amin, v)) / dv
    const std::size_t n = power.values.size();
    std::size_t peak = 0, loudest = 0; // the entries of the largest decibel value and of the largest |power|
    for (std::size_t i = 1; i < n; ++i) {
        if (std::max(options.amin, double(power.values[i])) > std::max(options.amin, double(power.values[peak]))) peak = i;
        if (std::abs(power.values[i]) > std::abs(power.values[loudest])) loudest = i;
    }
    frame_matrix<Real> out(power.frames, power.width);
    if (n == 0) return out;
    const double peak_db = 10.0 * std::log10(std::max(options.amin, double(power.values[peak])));
    double offset_gradient = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double g = double(ddb.values[i]);
        const double own = 10.0 * std::log10(std::max(options.amin, double(power.values[i])));
        const bool clipped = options.top_db && own < peak_db - *options.top_db;
        out.values[clipped ? peak : i] += Real(g * slope(double(power.values[clipped ? peak : i])));
        offset_gradient += g;
    }
    if (options.ref_is_max && std::abs(double(power.values[loudest])) > options.amin) {
        const double v = double(power.values[loudest]);
        out.values[loudest] -= Real(offset_gradient * k / std::abs(v) * (v < 0 ? -1.0 : 1.0));
    }
    return out;
}

} // namespace qhybrid::audio
