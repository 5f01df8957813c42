// SPDX-License-Identifier: Apache-2.0
#pragma once
// The 26 features of the DEEP-VOICE data set (Bird & Lotfi 2023), column for column as in its CSV:
// over each 1-second window of the signal, the means over frames of librosa's chroma_stft (also
// averaged over the 12 pitch classes), rms, spectral_centroid, spectral_bandwidth,
// spectral_rolloff, zero_crossing_rate and the 20 MFCCs, every one with librosa's defaults
// (n_fft 2048, hop 512, centred, zero padding, 128 Slaney mels). Windows start every `rate`
// samples; the last one may be shorter, as in the data set's `range(0, len(y), sr)` loop.
//
// One power spectrogram per window serves every spectral feature (librosa computes the same
// STFT once per feature). Computed in double throughout; librosa stores its mel and chroma
// filterbanks in float32, so values recomputed by librosa agree to about 1e-6 relative.
#include "qhybrid/audio/chroma.hpp"
#include "qhybrid/audio/mel.hpp"
#include "qhybrid/audio/mfcc.hpp"
#include "qhybrid/audio/spectral.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/core/error.hpp"
#include "qhybrid/data/deep_voice.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::audio {

// The column names and order are the CSV reader's (data/deep_voice.hpp).
using data::deep_voice_columns;
using data::deep_voice_width;

// Computes DEEP-VOICE rows for any number of signals of one sample rate, building the STFT plan,
// the mel filterbank and the DCT once, and a chroma filterbank once per distinct tuning estimate
// (they fall on a grid of 1/100 semitone). Not thread-safe: one extractor per thread.
template <class Real>
class deep_voice_extractor {
public:
    explicit deep_voice_extractor(double rate) : rate_(checked_rate(rate)), mfcc_(rate) {}

    // The 26 features of one window.
    std::array<Real, deep_voice_width> window(std::span<const Real> samples) {
        auto mean = [](const std::vector<Real>& v) {
            Real sum = 0;
            for (Real x : v) sum += x;
            return sum / Real(v.size());
        };
        const frame_matrix<Real> power = stft_.spectrogram(samples);
        frame_matrix<Real> magnitude = power;
        for (Real& v : magnitude.values) v = std::sqrt(v);

        std::array<Real, deep_voice_width> out{};
        out[0] = mean(fold_chroma(power, chroma_of(power), 12).values);
        out[1] = mean(rms(samples));
        out[2] = mean(spectral_centroid(magnitude, rate_));
        out[3] = mean(spectral_bandwidth(magnitude, rate_));
        out[4] = mean(spectral_rolloff(magnitude, rate_));
        out[5] = mean(zero_crossing_rate(samples));
        const std::vector<Real> mfcc_means = mfcc_.from_power(power).column_means();
        std::copy(mfcc_means.begin(), mfcc_means.end(), out.begin() + 6);
        return out;
    }

    // dL/dsamples of one window from dL/d its 26 features: exact through chroma (its tuning
    // estimate, piecewise constant, held fixed), rms, the centroid, the bandwidth and the MFCCs;
    // BPDA surrogates for the rolloff and the zero-crossing rate (spectral.hpp). Every spectral
    // feature's gradient meets in dL/dpower, so the STFT runs backward once.
    std::vector<Real> window_vjp(std::span<const Real> samples, std::span<const Real> dfeatures) {
        require(dfeatures.size() == deep_voice_width, [&] {
            return "deep_voice window_vjp: a gradient of " + std::to_string(dfeatures.size()) + " values for " +
                   std::to_string(deep_voice_width) + " features";
        });
        const frame_matrix<Real> power = stft_.spectrogram(samples);
        frame_matrix<Real> magnitude = power;
        for (Real& v : magnitude.values) v = std::sqrt(v);
        const std::size_t frames = power.frames;
        auto spread = [](Real g, std::size_t n) { return std::vector<Real>(n, g / Real(n)); }; // the gradient of a mean

        frame_matrix<Real> dchroma(frames, 12);
        std::fill(dchroma.values.begin(), dchroma.values.end(), dfeatures[0] / Real(frames * 12));
        frame_matrix<Real> dpower = fold_chroma_vjp(power, chroma_of(power), 12, dchroma);
        const auto dcentroid = spectral_centroid_vjp(magnitude, rate_, std::span<const Real>(spread(dfeatures[2], frames)));
        const auto dbandwidth = spectral_bandwidth_vjp(magnitude, rate_, std::span<const Real>(spread(dfeatures[3], frames)));
        const auto drolloff = spectral_rolloff_surrogate_vjp(magnitude, rate_, std::span<const Real>(spread(dfeatures[4], frames)));
        for (std::size_t i = 0; i < power.values.size(); ++i) // dM / dP = 1 / (2 M); bins of M = 0 take none
            if (magnitude.values[i] > 0)
                dpower.values[i] += (dcentroid.values[i] + dbandwidth.values[i] + drolloff.values[i]) / (2 * magnitude.values[i]);
        frame_matrix<Real> dmfcc(frames, deep_voice_width - 6);
        for (std::size_t t = 0; t < frames; ++t)
            for (std::size_t k = 0; k < dmfcc.width; ++k) dmfcc(t, k) = dfeatures[6 + k] / Real(frames);
        const auto dmel = mfcc_.power_vjp(power, dmfcc);
        for (std::size_t i = 0; i < dpower.values.size(); ++i) dpower.values[i] += dmel.values[i];

        std::vector<Real> out = stft_.spectrogram_vjp(samples, dpower);
        const std::size_t temporal_frames = rms(samples).size();
        const auto drms = rms_vjp(samples, std::span<const Real>(spread(dfeatures[1], temporal_frames)));
        const auto dzcr = zero_crossing_rate_surrogate_vjp(samples, std::span<const Real>(spread(dfeatures[5], temporal_frames)));
        for (std::size_t i = 0; i < out.size(); ++i) out[i] += drms[i] + dzcr[i];
        return out;
    }

    // One row per 1-second window.
    std::vector<std::array<Real, deep_voice_width>> operator()(std::span<const Real> signal) {
        require(!signal.empty(), [] { return std::string("deep_voice_features: empty signal"); });
        const auto step = static_cast<std::size_t>(rate_);
        std::vector<std::array<Real, deep_voice_width>> rows;
        for (std::size_t first = 0; first < signal.size(); first += step)
            rows.push_back(window(signal.subspan(first, std::min(step, signal.size() - first))));
        return rows;
    }

private:
    // The chroma filterbank at the tuning librosa estimates from this power spectrogram.
    const std::vector<double>& chroma_of(const frame_matrix<Real>& power) {
        const double tuning = estimate_tuning(power, rate_);
        auto fb = chroma_filterbanks_.find(tuning);
        if (fb == chroma_filterbanks_.end())
            fb = chroma_filterbanks_.emplace(tuning, chroma_filterbank(rate_, stft_.options().n_fft, tuning)).first;
        return fb->second;
    }

    static double checked_rate(double rate) {
        require(rate >= 1 && std::floor(rate) == rate,
                [&] { return "deep_voice_features: sample rate " + number(rate) + " is not a positive integer"; });
        return rate;
    }

    double rate_;
    stft_plan<Real> stft_{};
    mfcc_plan<Real> mfcc_;
    std::map<double, std::vector<double>> chroma_filterbanks_;
};

template <class Real>
std::vector<std::array<Real, deep_voice_width>> deep_voice_features(std::span<const Real> signal, double rate) {
    return deep_voice_extractor<Real>(rate)(signal);
}

} // namespace qhybrid::audio
