#pragma once
// The FSDD front end the spectrogram examples share: each recording cut or zero-padded to 1 s
// (8,000 samples), librosa's melspectrogram with n_fft 512, hop 128, 40 Slaney mels, then
// power_to_db (ref 1, top_db 80): 63 frames x 40 mels per recording, standardised with the
// training recordings' mean and deviation.
#include <qhybrid/qhybrid.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

namespace fsdd_spectrograms {

constexpr std::size_t samples = 8000, frames = 63, mels = 40;

struct spectrograms {
    std::vector<double> values; // recordings x frames x mels
    std::vector<std::size_t> digit, speaker;
    double seconds = 0, audio_seconds = 0;

    // Mean and standard deviation over every value of the given recordings.
    std::pair<double, double> moments(const std::vector<std::size_t>& rows) const {
        double mean = 0, sq = 0, n = 0;
        for (auto r : rows)
            for (std::size_t k = 0; k < frames * mels; ++k) {
                const double v = values[r * frames * mels + k];
                mean += v, sq += v * v, n += 1;
            }
        mean /= n;
        return {mean, std::sqrt(sq / n - mean * mean)};
    }

    // The given recordings as standardised [rows, 1, frames, mels] images with their labels.
    template <class T = double>
    qhybrid::nn::labelled<T> images(const std::vector<std::size_t>& rows, const std::vector<std::size_t>& labels,
                                    double mean, double sd) const {
        constexpr std::size_t size = frames * mels;
        qhybrid::nn::labelled<T> out{qhybrid::nn::tensor<T>({rows.size(), 1, frames, mels}), {}};
        for (std::size_t i = 0; i < rows.size(); ++i) {
            for (std::size_t k = 0; k < size; ++k) out.x[i * size + k] = T((values[rows[i] * size + k] - mean) / sd);
            out.y.push_back(labels[rows[i]]);
        }
        return out;
    }
};

inline spectrograms features(const qhybrid::data::fsdd& set) {
    namespace a = qhybrid::audio;
    const auto start = std::chrono::steady_clock::now();
    const a::stft_options stft{.n_fft = 512, .hop_length = 128};
    a::stft_plan<double> plan(stft);
    const a::mel_filterbank<double> mel(8000, stft.n_fft, {.n_mels = mels});
    spectrograms out;
    for (const auto& r : set.recordings()) {
        const a::wav w = a::read_wav(r.path);
        qhybrid::require(w.sample_rate == 8000, [&] { return r.path.string() + ": expected 8 kHz audio"; });
        const auto mono = w.mono();
        out.audio_seconds += w.seconds();
        const auto y = qhybrid::data::fix_length<double>(mono, samples);
        const auto db = a::power_to_db(mel.apply(plan.spectrogram(y)));
        out.values.insert(out.values.end(), db.values.begin(), db.values.end());
        out.digit.push_back(std::size_t(r.digit));
        out.speaker.push_back(set.speaker_index(r.speaker));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

// The recordings `rows` split into train and validation: `fraction` of each class of `labels`
// validates, drawn from `seed`.
inline std::pair<std::vector<std::size_t>, std::vector<std::size_t>>
validation_split(const std::vector<std::size_t>& rows, const std::vector<std::size_t>& labels, double fraction, std::uint64_t seed) {
    std::vector<std::size_t> row_labels;
    for (auto r : rows) row_labels.push_back(labels[r]);
    qhybrid::rng gen(seed);
    const auto part = qhybrid::data::stratified_split(std::span<const std::size_t>(row_labels), fraction, gen);
    std::pair<std::vector<std::size_t>, std::vector<std::size_t>> out;
    for (auto i : part.train) out.first.push_back(rows[i]);
    for (auto i : part.test) out.second.push_back(rows[i]);
    return out;
}

// Positions in set.test() in an order whose every prefix is balanced: the digits dealt in turn,
// each digit's recordings by take, then speaker, started d places in for digit d so that the
// speakers turn too. The recordings are sorted by digit, speaker and take, so "the first 40" of
// set.test() would be thirty 0s and ten 1s.
inline std::vector<std::size_t> balanced_test_order(const qhybrid::data::fsdd& set) {
    const auto test = set.test();
    std::vector<std::vector<std::size_t>> by_digit;
    for (std::size_t i = 0; i < test.size(); ++i) {
        const auto& r = set.recordings()[test[i]];
        if (by_digit.size() <= std::size_t(r.digit)) by_digit.resize(std::size_t(r.digit) + 1);
        by_digit[std::size_t(r.digit)].push_back(i);
    }
    for (std::size_t digit = 0; digit < by_digit.size(); ++digit) {
        auto& positions = by_digit[digit];
        std::sort(positions.begin(), positions.end(), [&](std::size_t a, std::size_t b) { // (take, speaker) is unique within a digit
            const auto &ra = set.recordings()[test[a]], &rb = set.recordings()[test[b]];
            return std::tie(ra.index, ra.speaker) < std::tie(rb.index, rb.speaker);
        });
        if (!positions.empty()) std::rotate(positions.begin(), positions.begin() + long(digit % positions.size()), positions.end());
    }
    std::vector<std::size_t> out;
    for (std::size_t k = 0; out.size() < test.size(); ++k)
        for (const auto& positions : by_digit)
            if (k < positions.size()) out.push_back(positions[k]);
    return out;
}

// A seed's data for a task of FSDD (labels per recording: digit or speaker): the official test
// recordings; 15% of each class of the official training recordings validating (drawn from the
// seed), the rest training; all standardised with the training part's mean and deviation.
template <class T>
struct seed_sets {
    qhybrid::nn::labelled<T> train, validation, test;
    double mean, sd;
};

template <class T>
seed_sets<T> sets_of_seed(const spectrograms& s, const qhybrid::data::fsdd& set, const std::vector<std::size_t>& labels, std::uint64_t seed) {
    const auto [train_rows, validation_rows] = validation_split(set.train(), labels, 0.15, seed);
    const auto [mean, sd] = s.moments(train_rows);
    return {s.images<T>(train_rows, labels, mean, sd), s.images<T>(validation_rows, labels, mean, sd), s.images<T>(set.test(), labels, mean, sd),
            mean, sd};
}

// The FSDD CNN (models::fsdd_cnn) of a seed trained as examples/fsdd_cnn.cpp trains it: Adam at
// `lr`, minibatch 32, early stopping on the validation loss, the best epoch restored.
template <class T>
struct trained_cnn {
    qhybrid::nn::sequential<T> net;
    std::vector<qhybrid::nn::epoch_record> history;
};

template <class T>
trained_cnn<T> train_cnn(const seed_sets<T>& data, std::size_t classes, double lr, std::uint64_t seed, std::size_t epochs, std::size_t patience) {
    qhybrid::rng gen(seed);
    trained_cnn<T> out{qhybrid::models::fsdd_cnn::build<T>(classes, gen, seed + 1), {}};
    qhybrid::nn::adam<T> opt(out.net.parameters(), {.lr = lr});
    out.history = qhybrid::nn::fit(out.net, opt, data.train, &data.validation,
                                   {.epochs = epochs, .batch_size = 32, .seed = seed, .patience = patience, .progress = false});
    return out;
}

} // namespace fsdd_spectrograms
