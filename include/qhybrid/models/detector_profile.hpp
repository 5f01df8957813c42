// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a saved voice-deepfake detector knows beyond its weights, so that it can refuse what it
// cannot judge: the sample rate and feature recipe its inputs assume, the split it was trained on
// (so that evaluation never measures on training rows), the temperature that calibrates its
// probabilities (fitted on the validation split), a summary of its training features (for an
// out-of-domain test, fitted on the training split only) and its validation scores. It travels
// in the weights file's metadata as JSON (nn/serialize.hpp); every field is checked when read.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/json.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/deep_voice.hpp"
#include "qhybrid/data/domain.hpp"
#include "qhybrid/nn/calibration.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/nn/metrics.hpp"
#include "qhybrid/nn/train.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::models {

// DEEP-VOICE's features (audio/deep_voice.hpp): 26 means over 1-second windows, librosa defaults.
inline constexpr const char* deep_voice_recipe = "deep-voice-26 (chroma_stft, rms, spectral centroid, bandwidth, "
                                                 "rolloff, zero-crossing rate, 20 MFCCs; librosa 0.10 defaults; 1 s windows)";

struct split_record {
    std::string kind = "stratified random";
    std::uint64_t seed = 1;
    double validation = 0.1, test = 0.2; // fractions of every class
    std::size_t rows = 0;                // of the data set it was drawn from
    std::uint64_t data_hash = 0;         // FNV-1a 64 of that data set's values and labels
};

struct detector_scores {
    std::size_t rows = 0;
    double auc = 0, eer = 0, ece_uncalibrated = 0, ece = 0;
    double out_of_domain = 0; // the fraction of the rows the domain test rejects
};

struct detector_profile {
    std::string recipe = deep_voice_recipe;
    unsigned sample_rate = 44100; // DEEP-VOICE's rolloff reaches 21,130 Hz: computed at >= 42.3 kHz
    double min_window_seconds = 0.5;
    double silence_dbfs = -60;       // windows whose RMS lies below are silent
    // The band a window must carry: the training windows' spectral rolloff (85% of the energy)
    // reaches up to here (its domain.high quantile); a window with less than band_floor_db of its
    // energy above it is band-limited (recorded at a low rate, or upsampled from one).
    double band_hz = 0;
    double band_floor_db = -60;
    double min_validation_auc = 0.7; // below it the model is refused: it barely tells the classes apart
    split_record split;
    double temperature = 1;
    data::domain_summary domain;
    detector_scores validation;
};

// DEEP-VOICE's spectral rolloff column.
inline constexpr std::size_t rolloff_column = 4;
static_assert(data::deep_voice_columns[rolloff_column] == "rolloff");

// FNV-1a 64 over a data set's feature values and labels, to recognise it again.
inline std::uint64_t data_hash(const nn::labelled<double>& d) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](std::uint64_t word) {
        for (int b = 0; b < 8; ++b) h = (h ^ ((word >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    };
    for (double v : d.x.values()) mix(std::bit_cast<std::uint64_t>(v));
    for (auto y : d.y) mix(y);
    return h;
}

// A network's logits for every row of x, in evaluation mode, 512 rows at a time.
inline nn::tensor<double> logits_of(nn::layer<double>& net, const nn::tensor<double>& x) { return nn::predict(net, x, 512); }

// Column 1 (FAKE) of softmax(logits / temperature).
inline std::vector<double> fake_probabilities(const nn::tensor<double>& logits, double temperature) {
    require(logits.rank() == 2 && logits.dim(1) == 2,
            [&] { return "fake_probabilities: logits of shape " + nn::to_string(logits.shape()) + ", expected [rows, 2]"; });
    const auto p = nn::calibrated_probabilities(logits, temperature);
    std::vector<double> out(logits.dim(0));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = p.data()[2 * i + 1];
    return out;
}

// The profile of a trained two-class network: the temperature and the validation scores from
// `validation`, the domain summary from `train` (raw features, as the network reads them).
inline detector_profile fit_profile(nn::layer<double>& net, const nn::labelled<double>& train, const nn::labelled<double>& validation,
                                    const split_record& split, rng& gen) {
    detector_profile p;
    p.split = split;
    const auto logits = logits_of(net, validation.x);
    p.temperature = nn::fit_temperature(logits, validation.y).temperature;
    const auto raw = nn::evaluate_detection(fake_probabilities(logits, 1.0), validation.y);
    const auto calibrated = nn::evaluate_detection(fake_probabilities(logits, p.temperature), validation.y);
    std::vector<std::string> names(data::deep_voice_columns.begin(), data::deep_voice_columns.end());
    require(train.x.rank() == 2 && train.x.dim(1) == names.size(),
            [&] { return "fit_profile: training rows of shape " + nn::to_string(train.x.shape()) + ", expected [rows, 26]"; });
    p.domain = data::fit_domain(train.x.values(), std::move(names), gen);
    p.band_hz = p.domain.high[rolloff_column];
    std::size_t outside = 0;
    for (std::size_t r = 0; r < validation.size(); ++r) outside += !p.domain.judge(validation.x.row(r)).inside;
    p.validation = {validation.size(), calibrated.auc, calibrated.eer.rate, raw.calibration.ece, calibrated.calibration.ece,
                    double(outside) / double(validation.size())};
    return p;
}

inline std::string to_json(const detector_profile& p) {
    const auto& d = p.domain;
    json::value j = {
        {"format", "qhybrid voice detector"}, {"version", 1}, {"recipe", p.recipe}, {"sample_rate", p.sample_rate},
        {"min_window_seconds", p.min_window_seconds}, {"silence_dbfs", p.silence_dbfs}, {"band_hz", p.band_hz},
        {"band_floor_db", p.band_floor_db},
        {"min_validation_auc", p.min_validation_auc}, {"temperature", p.temperature},
        {"split", {{"kind", p.split.kind}, {"seed", p.split.seed}, {"validation", p.split.validation}, {"test", p.split.test},
                   {"rows", p.split.rows}, {"data_hash", p.split.data_hash}}},
        {"validation", {{"rows", p.validation.rows}, {"auc", p.validation.auc}, {"eer", p.validation.eer},
                        {"ece_uncalibrated", p.validation.ece_uncalibrated}, {"ece", p.validation.ece},
                        {"out_of_domain", p.validation.out_of_domain}}},
        {"domain", {{"features", d.features}, {"low", d.low}, {"median", d.median}, {"high", d.high}, {"coverage", d.coverage},
                    {"threshold", d.threshold}, {"location", d.shape.location()}, {"cholesky", d.shape.cholesky()}}}};
    return j.dump();
}

// Reads a profile written by to_json; `source` names the file in messages.
inline detector_profile read_profile(const std::string& text, const std::string& source) {
    require(!text.empty(), [&] {
        return source + ": the model carries no detector profile (sample rate, calibration, training domain); "
                        "train it with `qhybrid train` to use it as a detector";
    });
    const json::value j = json::parse(text, source + " (detector profile)");
    const std::string where = source + ": detector profile";
    auto number = [&](const json::value& obj, const char* name, const std::string& at, double lo, double hi) {
        const double v = json::number_of(json::field(obj, name, at), source, "detector profile field " + std::string(name));
        require(v >= lo && v <= hi, [&] { return at + ": field \"" + name + "\" is " + qhybrid::number(v) + ", not in [" +
                                                 qhybrid::number(lo) + ", " + qhybrid::number(hi) + "]"; });
        return v;
    };
    auto whole = [&](const json::value& obj, const char* name, const std::string& at, double hi) {
        const double v = number(obj, name, at, 0, hi);
        require(v == std::floor(v), [&] { return at + ": field \"" + name + "\" is " + qhybrid::number(v) + ", not a whole number"; });
        return v;
    };
    auto numbers = [&](const json::value& obj, const char* name, const std::string& at, std::size_t count) {
        const auto& list = json::array_of(json::field(obj, name, at), source, "detector profile list " + std::string(name));
        require(list.size() == count, [&] {
            return at + ": list \"" + name + "\" has " + std::to_string(list.size()) + " values, expected " + std::to_string(count);
        });
        std::vector<double> out;
        for (std::size_t i = 0; i < count; ++i)
            out.push_back(json::number_of(list[i], source, "detector profile " + std::string(name) + "[" + std::to_string(i) + "]"));
        return out;
    };
    const std::string format = json::string_of(json::field(j, "format", where), source, "detector profile format");
    require(format == "qhybrid voice detector", [&] { return where + ": format \"" + format + "\", not a qhybrid voice detector"; });
    const double version = whole(j, "version", where, 1e9);
    require(version == 1, [&] { return where + ": version " + qhybrid::number(version) + "; this build reads version 1"; });
    detector_profile p;
    p.recipe = json::string_of(json::field(j, "recipe", where), source, "detector profile recipe");
    require(p.recipe == deep_voice_recipe,
            [&] { return where + ": feature recipe \"" + p.recipe + "\", this build computes \"" + deep_voice_recipe + "\""; });
    p.sample_rate = unsigned(whole(j, "sample_rate", where, 768000));
    require(p.sample_rate >= 8000, [&] { return where + ": sample rate " + std::to_string(p.sample_rate) + " below 8000 Hz"; });
    p.min_window_seconds = number(j, "min_window_seconds", where, 2048.0 / p.sample_rate, 1); // a whole 2048-sample frame
    p.silence_dbfs = number(j, "silence_dbfs", where, -200, 0);
    p.band_hz = number(j, "band_hz", where, 0, p.sample_rate / 2.0);
    p.band_floor_db = number(j, "band_floor_db", where, -200, 0);
    p.min_validation_auc = number(j, "min_validation_auc", where, 0, 1);
    p.temperature = number(j, "temperature", where, 1e-3, 1e3);

    const auto& s = json::field(j, "split", where);
    const std::string sw = where + ".split";
    p.split.kind = json::string_of(json::field(s, "kind", sw), source, "split kind");
    require(s.contains("seed") && s["seed"].is_number_unsigned(), [&] { return sw + ": field \"seed\" is not an unsigned integer"; });
    p.split.seed = s["seed"].get<std::uint64_t>();
    p.split.validation = number(s, "validation", sw, 0, 1);
    p.split.test = number(s, "test", sw, 0, 1);
    p.split.rows = std::size_t(whole(s, "rows", sw, 1e12));
    require(s.contains("data_hash") && s["data_hash"].is_number_unsigned(), [&] { return sw + ": field \"data_hash\" is not an unsigned integer"; });
    p.split.data_hash = s["data_hash"].get<std::uint64_t>();

    const auto& v = json::field(j, "validation", where);
    const std::string vw = where + ".validation";
    p.validation = {std::size_t(whole(v, "rows", vw, 1e12)), number(v, "auc", vw, 0, 1), number(v, "eer", vw, 0, 1),
                    number(v, "ece_uncalibrated", vw, 0, 1), number(v, "ece", vw, 0, 1), number(v, "out_of_domain", vw, 0, 1)};

    const auto& d = json::field(j, "domain", where);
    const std::string dw = where + ".domain";
    const std::size_t width = data::deep_voice_width;
    const auto& names = json::array_of(json::field(d, "features", dw), source, "domain features");
    require(names.size() == width, [&] { return dw + ": " + std::to_string(names.size()) + " feature names, expected 26"; });
    for (std::size_t k = 0; k < width; ++k) {
        p.domain.features.push_back(json::string_of(names[k], source, "domain feature " + std::to_string(k)));
        require(p.domain.features.back() == data::deep_voice_columns[k], [&] {
            return dw + ": feature " + std::to_string(k) + " is \"" + p.domain.features.back() + "\", the recipe's is \"" +
                   std::string(data::deep_voice_columns[k]) + "\"";
        });
    }
    p.domain.low = numbers(d, "low", dw, width);
    p.domain.median = numbers(d, "median", dw, width);
    p.domain.high = numbers(d, "high", dw, width);
    for (std::size_t k = 0; k < width; ++k)
        require(p.domain.low[k] <= p.domain.median[k] && p.domain.median[k] <= p.domain.high[k], [&] {
            return dw + ": feature " + p.domain.features[k] + " has low " + qhybrid::number(p.domain.low[k]) + ", median " +
                   qhybrid::number(p.domain.median[k]) + ", high " + qhybrid::number(p.domain.high[k]) + " out of order";
        });
    p.domain.coverage = number(d, "coverage", dw, 0.5, 1);
    p.domain.threshold = number(d, "threshold", dw, 0, 1e12);
    try {
        p.domain.shape = data::robust_covariance(numbers(d, "location", dw, width), numbers(d, "cholesky", dw, width * width));
    } catch (const error& e) {
        fail(dw + ": " + e.what());
    }
    return p;
}

} // namespace qhybrid::models
