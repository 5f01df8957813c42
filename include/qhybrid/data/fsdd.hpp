// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Free Spoken Digit Dataset: recordings named {digit}_{speaker}_{index}.wav (8 kHz mono
// PCM16), speakers.csv with gender and accent, and the data set's official split (indices 0-4
// test, 5-49 train).
#include "qhybrid/core/error.hpp"
#include "qhybrid/data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace qhybrid::data {

struct fsdd_recording {
    std::filesystem::path path;
    int digit = 0;
    std::string speaker;
    int index = 0;

    bool is_test() const noexcept { return index < 5; } // FSDD's official split
};

struct fsdd_speaker {
    std::string name, gender, accent;
};

// Parses "{digit}_{speaker}_{index}.wav".
inline fsdd_recording parse_fsdd_name(const std::filesystem::path& path) {
    const std::string file = path.filename().string();
    auto bad = [&](const char* why) { fail(path.string() + ": not an FSDD recording name ({digit}_{speaker}_{index}.wav): " + why); };
    if (path.extension() != ".wav") bad("no .wav extension");
    const std::string stem = path.stem().string();
    const auto first = stem.find('_'), last = stem.rfind('_');
    if (first == std::string::npos || first == last) bad("expected two underscores");
    auto number = [&](std::string_view text) {
        int v = -1;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || v < 0) bad("digit and index must be non-negative integers");
        return v;
    };
    fsdd_recording r{path, number(std::string_view(stem).substr(0, first)), stem.substr(first + 1, last - first - 1),
                     number(std::string_view(stem).substr(last + 1))};
    if (r.digit > 9) bad("digit above 9");
    if (r.speaker.empty()) bad("empty speaker");
    return r;
}

class fsdd {
public:
    // `root` is the folder holding recordings/ and speakers.csv.
    explicit fsdd(const std::filesystem::path& root) {
        const auto dir = root / "recordings";
        require(std::filesystem::is_directory(dir), [&] { return dir.string() + ": no such folder"; });
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".wav") recordings_.push_back(parse_fsdd_name(entry.path()));
        require(!recordings_.empty(), [&] { return dir.string() + ": no .wav recordings"; });
        std::sort(recordings_.begin(), recordings_.end(), [](const fsdd_recording& a, const fsdd_recording& b) {
            return std::tie(a.digit, a.speaker, a.index) < std::tie(b.digit, b.speaker, b.index);
        });
        const csv_table table = read_csv(root / "speakers.csv");
        const auto names = table.texts("speaker"), genders = table.texts("gender"), accents = table.texts("accent");
        for (std::size_t i = 0; i < names.size(); ++i) speakers_.push_back({names[i], genders[i], accents[i]});
        for (const auto& r : recordings_) speaker(r.speaker); // every recording's speaker is listed
    }

    const std::vector<fsdd_recording>& recordings() const noexcept { return recordings_; }
    const std::vector<fsdd_speaker>& speakers() const noexcept { return speakers_; }

    const fsdd_speaker& speaker(std::string_view name) const {
        for (const auto& s : speakers_)
            if (s.name == name) return s;
        fail("FSDD: speaker \"" + std::string(name) + "\" is not in speakers.csv");
    }

    // Position of a speaker in speakers.csv (a class label for speaker identification).
    std::size_t speaker_index(std::string_view name) const { return std::size_t(&speaker(name) - speakers_.data()); }

    // Indices into recordings() of the official split.
    std::vector<std::size_t> train() const { return where(false); }
    std::vector<std::size_t> test() const { return where(true); }

private:
    std::vector<std::size_t> where(bool test) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < recordings_.size(); ++i)
            if (recordings_[i].is_test() == test) out.push_back(i);
        return out;
    }

    std::vector<fsdd_recording> recordings_;
    std::vector<fsdd_speaker> speakers_;
};

// librosa.util.fix_length: zeros appended, or the end cut off, to exactly `length` samples, so
// that every recording gives a spectrogram with the same number of frames.
template <class Real>
std::vector<Real> fix_length(std::span<const Real> signal, std::size_t length) {
    std::vector<Real> out(length, Real(0));
    std::copy_n(signal.begin(), std::min(length, signal.size()), out.begin());
    return out;
}

} // namespace qhybrid::data
