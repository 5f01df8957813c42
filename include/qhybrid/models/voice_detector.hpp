// SPDX-License-Identifier: Apache-2.0
#pragma once
// A voice-deepfake detector that says when it cannot judge. A trained two-class network (REAL,
// FAKE) and its profile (models/detector_profile.hpp) judge a WAV file window by window:
//   - the file is read block by block (audio/wav_stream.hpp) and resampled to the rate the
//     model's features assume (audio/resample.hpp), so an hour of audio needs a few MB;
//   - every 1-second window (the last may be shorter, as in DEEP-VOICE) is too short, silent (RMS
//     below the profile's level), band-limited (almost no energy above the band the training
//     windows reach: a recording at 8, 16 or 22.05 kHz, or one upsampled from such a rate), out of
//     the training domain (data/domain.hpp, with the feature that is furthest off), or judged: its
//     calibrated P(FAKE) = softmax(z / T)[FAKE];
//   - the file's verdict is the mean calibrated P(FAKE) of the judged windows; with none it is
//     CANNOT JUDGE with the reason. A model whose validation AUC lies below the profile's floor
//     judges nothing.
// Why band-limited windows are left out: the model learned from full-band audio, and on real
// speech recorded at 8 kHz (FSDD) it answered FAKE for most recordings (docs/results.md).
#include "qhybrid/audio/deep_voice.hpp"
#include "qhybrid/audio/resample.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/audio/wav_stream.hpp"
#include "qhybrid/core/error.hpp"
#include "qhybrid/models/detector_profile.hpp"
#include "qhybrid/nn/layer.hpp"

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::models {

enum class window_status { judged, too_short, silent, narrow_band, out_of_domain };

inline const char* to_string(window_status s) {
    switch (s) {
    case window_status::judged: return "judged";
    case window_status::too_short: return "too short";
    case window_status::silent: return "silent";
    case window_status::narrow_band: return "narrow band";
    case window_status::out_of_domain: return "out of domain";
    }
    return "?";
}

struct window_judgement {
    std::size_t index = 0;
    double start = 0, seconds = 0; // in the input, in seconds
    window_status status = window_status::judged;
    double level_dbfs = 0;                                     // RMS level
    double upper_band_db = std::numeric_limits<double>::quiet_NaN(); // energy above the profile's band, relative
    double fake = std::numeric_limits<double>::quiet_NaN();     // calibrated P(FAKE), judged windows only
    double distance2 = std::numeric_limits<double>::quiet_NaN(); // robust distance^2 to the training domain
    std::string reason;                                         // why it was not judged
};

struct file_judgement {
    std::string source;
    unsigned input_rate = 0, model_rate = 0;
    double seconds = 0;
    std::vector<std::string> notes; // resampling, a narrower band than the model's
    std::vector<window_judgement> windows;
    std::size_t judged = 0, too_short = 0, silent = 0, narrow_band = 0, out_of_domain = 0;
    double fake = std::numeric_limits<double>::quiet_NaN(); // mean calibrated P(FAKE) of the judged windows
    std::string cannot_judge;                               // the reason, when no window could be judged

    bool decided() const noexcept { return cannot_judge.empty(); }
    const char* verdict() const noexcept { return !decided() ? "CANNOT JUDGE" : fake >= 0.5 ? "FAKE" : "REAL"; }
    double confidence() const noexcept { return fake >= 0.5 ? fake : 1 - fake; } // P(verdict)
};

class voice_detector {
public:
    // `net` maps [rows, 26] raw DEEP-VOICE features to [rows, 2] logits; it must outlive the detector.
    voice_detector(nn::layer<double>& net, detector_profile profile)
        : net_(net), profile_(std::move(profile)), features_(double(profile_.sample_rate)) {}

    const detector_profile& profile() const noexcept { return profile_; }

    // Why this model judges nothing ("" when it may judge).
    std::string refusal() const {
        const auto& v = profile_.validation;
        if (v.auc >= profile_.min_validation_auc) return "";
        return "the model barely tells REAL from FAKE: validation AUC " + significant(v.auc) + " (below " +
               significant(profile_.min_validation_auc) + "), a verdict from it would mean nothing";
    }

    // One window of samples at the model's rate; `start` and `index` only label it.
    window_judgement judge_window(std::span<const double> samples, std::size_t index = 0, double start = 0) {
        window_judgement w;
        w.index = index, w.start = start, w.seconds = double(samples.size()) / profile_.sample_rate;
        double energy = 0;
        for (double v : samples) energy += v * v;
        w.level_dbfs = samples.empty() || energy == 0 ? -std::numeric_limits<double>::infinity()
                                                      : 10 * std::log10(energy / double(samples.size()));
        if (w.seconds < profile_.min_window_seconds) {
            w.status = window_status::too_short;
            w.reason = significant(w.seconds) + " s of audio, a window needs " + significant(profile_.min_window_seconds) + " s";
        } else if (w.level_dbfs < profile_.silence_dbfs) {
            w.status = window_status::silent;
            w.reason = "level " + significant(w.level_dbfs) + " dBFS, below " + significant(profile_.silence_dbfs) + " dBFS";
        } else if (w.upper_band_db = upper_band_db(samples); w.upper_band_db < profile_.band_floor_db) {
            w.status = window_status::narrow_band;
            w.reason = significant(w.upper_band_db, 3) + " dB of its energy above " + significant(profile_.band_hz, 5) +
                       " Hz, a band the training windows reach";
        } else {
            const auto row = features_.window(samples);
            const auto domain = profile_.domain.judge(row);
            w.distance2 = domain.distance2;
            if (!domain.inside) {
                w.status = window_status::out_of_domain;
                w.reason = profile_.domain.explain(row, domain);
            } else {
                nn::tensor<double> x({1, row.size()});
                std::copy(row.begin(), row.end(), x.data());
                w.fake = fake_probabilities(net_.forward(x, nn::mode::eval), profile_.temperature)[0];
            }
        }
        return w;
    }

    // Judges a WAV file, reading it `block` frames at a time.
    file_judgement judge(const std::filesystem::path& wav, std::size_t block = 1 << 16) {
        require(block > 0, [] { return std::string("voice_detector::judge: a block of 0 frames"); });
        audio::wav_stream in(wav);
        file_judgement f;
        f.source = wav.string();
        f.input_rate = in.header().sample_rate, f.model_rate = profile_.sample_rate;
        f.seconds = double(in.frames()) / f.input_rate;
        if (f.input_rate != f.model_rate)
            f.notes.push_back("resampled from " + std::to_string(f.input_rate) + " Hz to the model's " +
                              std::to_string(f.model_rate) + " Hz");
        if (f.input_rate / 2.0 < profile_.band_hz)
            f.notes.push_back("a " + std::to_string(f.input_rate) + " Hz recording carries nothing above " +
                              significant(f.input_rate / 2.0, 6) + " Hz; the model learned from audio at " +
                              std::to_string(f.model_rate) + " Hz whose windows reach " + significant(profile_.band_hz, 5) + " Hz");
        if (const auto why = refusal(); !why.empty()) {
            f.cannot_judge = why;
            return f;
        }

        std::optional<audio::resampler<double>> resample;
        try {
            if (f.input_rate != f.model_rate) resample.emplace(f.input_rate, f.model_rate);
        } catch (const error& e) { // a ratio such as 44099 -> 44100 needs a filter too large to build
            fail(f.source + ": " + e.what());
        }
        std::vector<double> raw(block), converted, window;
        window.reserve(profile_.sample_rate);
        auto take = [&](std::span<const double> samples) { // fills windows, judging each full one
            while (!samples.empty()) {
                const std::size_t n = std::min(samples.size(), profile_.sample_rate - window.size());
                window.insert(window.end(), samples.begin(), samples.begin() + std::ptrdiff_t(n));
                samples = samples.subspan(n);
                if (window.size() == profile_.sample_rate) add(f, window), window.clear();
            }
        };
        while (const std::size_t n = in.read(raw)) {
            const std::span<const double> got(raw.data(), n);
            if (!resample) {
                take(got);
                continue;
            }
            converted.clear();
            resample->process(got, converted);
            take(converted);
        }
        if (resample) {
            converted.clear();
            resample->finish(converted);
            take(converted);
        }
        if (!window.empty()) add(f, window);
        conclude(f);
        return f;
    }

private:
    void add(file_judgement& f, std::span<const double> window) {
        const std::size_t index = f.windows.size();
        f.windows.push_back(judge_window(window, index, double(index))); // windows start every second
        switch (f.windows.back().status) {
        case window_status::judged: ++f.judged; break;
        case window_status::too_short: ++f.too_short; break;
        case window_status::silent: ++f.silent; break;
        case window_status::narrow_band: ++f.narrow_band; break;
        case window_status::out_of_domain: ++f.out_of_domain; break;
        }
    }

    void conclude(file_judgement& f) const {
        if (f.judged) {
            double sum = 0;
            for (const auto& w : f.windows)
                if (w.status == window_status::judged) sum += w.fake;
            f.fake = sum / double(f.judged);
            return;
        }
        if (f.windows.empty()) {
            f.cannot_judge = "the file holds no audio";
            return;
        }
        // Name every kind of window that failed, with the first window's reason.
        std::string why = "no window can be judged:";
        const char* sep = " ";
        for (auto s : {window_status::too_short, window_status::silent, window_status::narrow_band, window_status::out_of_domain}) {
            for (const auto& w : f.windows)
                if (w.status == s) {
                    why += sep + std::string(to_string(s)) + " (" + w.reason + ")";
                    sep = "; ";
                    break;
                }
        }
        f.cannot_judge = why;
    }

    // The energy of the window's power spectrogram above the profile's band, relative to all of
    // it, in dB (-inf for none). Frames lie inside the window (no centring): the zero padding of a
    // centred frame cuts the signal off and spreads energy over every band.
    double upper_band_db(std::span<const double> samples) {
        const auto power = band_stft_.spectrogram(samples);
        const double bin_hz = double(profile_.sample_rate) / double(band_stft_.options().n_fft);
        const auto first = std::size_t(std::ceil(profile_.band_hz / bin_hz));
        double upper = 0, total = 0;
        for (std::size_t t = 0; t < power.frames; ++t)
            for (std::size_t k = 0; k < power.width; ++k) (k >= first ? upper : total) += power(t, k);
        total += upper;
        return total > 0 ? 10 * std::log10(upper / total) : -std::numeric_limits<double>::infinity();
    }


    nn::layer<double>& net_;
    detector_profile profile_;
    audio::deep_voice_extractor<double> features_;
    audio::stft_plan<double> band_stft_{{.center = false}};
};

} // namespace qhybrid::models
