// SPDX-License-Identifier: Apache-2.0
#pragma once
// AudioMNIST (Becker et al. 2018; github.com/soerenab/AudioMNIST), the data set QPAudioEraser's
// tables use, for users who have it: 60 speakers' folders 01 .. 60 of recordings named as FSDD
// names them, {digit}_{speaker}_{take}.wav (48 kHz mono), and audioMNIST_meta.txt, a JSON object
// keyed by speaker ("01") whose entries carry at least "accent" and "gender" (the file's own
// spellings vary, "german" and "German": both are kept trimmed and lower-cased; "age" is a number
// or a string of digits, -1 when neither). `root` is the repository's data/ folder or the folder
// above it.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/json.hpp"
#include "qhybrid/data/fsdd.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace qhybrid::data {

struct audiomnist_speaker {
    std::string id, accent, gender;
    int age = -1;
};

// The speakers of audioMNIST_meta.txt's text, sorted by id; `source` names it in messages.
inline std::vector<audiomnist_speaker> parse_audiomnist_meta(std::string_view text, const std::string& source) {
    const json::value meta = json::parse(text, source);
    require(meta.is_object() && !meta.empty(), [&] { return source + ": expected an object of speakers keyed \"01\", \"02\", ..."; });
    const auto tidy = [](std::string s) {
        const auto first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
        s = first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return s;
    };
    std::vector<audiomnist_speaker> out;
    for (const auto& [id, entry] : meta.items()) {
        const std::string where = "speaker \"" + id + "\"";
        require(!id.empty() && id.size() <= 8 && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); }),
                [&] { return source + ": " + where + " is not a speaker number"; });
        audiomnist_speaker s{id, tidy(json::string_of(json::field(entry, "accent", source + ": " + where), source, where + ".accent")),
                             tidy(json::string_of(json::field(entry, "gender", source + ": " + where), source, where + ".gender"))};
        if (entry.contains("age")) {
            const auto& age = entry["age"];
            if (age.is_number_integer() && age.get<long long>() >= 0 && age.get<long long>() < 200) s.age = int(age.get<long long>());
            else if (age.is_string()) {
                const std::string a = age.get<std::string>();
                int v = -1;
                const auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
                if (ec == std::errc() && end == a.data() + a.size() && v >= 0 && v < 200) s.age = v;
            }
        }
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id.size() != b.id.size() ? a.id.size() < b.id.size() : a.id < b.id; });
    return out;
}

class audiomnist {
public:
    explicit audiomnist(const std::filesystem::path& root) {
        const auto folder = std::filesystem::exists(root / "audioMNIST_meta.txt") ? root : root / "data";
        const auto meta_path = folder / "audioMNIST_meta.txt";
        require(std::filesystem::exists(meta_path), [&] {
            return root.string() + ": no audioMNIST_meta.txt here or in data/ (AudioMNIST's repository: github.com/soerenab/AudioMNIST)";
        });
        const auto bytes = read_file(meta_path);
        speakers_ = parse_audiomnist_meta({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, meta_path.string());
        for (std::size_t s = 0; s < speakers_.size(); ++s) {
            const auto dir = folder / speakers_[s].id;
            if (!std::filesystem::is_directory(dir)) continue; // a partial copy: the speakers present
            for (const auto& entry : std::filesystem::directory_iterator(dir)) {
                if (entry.path().extension() != ".wav") continue;
                auto r = parse_fsdd_name(entry.path());
                require(r.speaker == speakers_[s].id, [&] {
                    return entry.path().string() + ": speaker " + r.speaker + " in the folder of speaker " + speakers_[s].id;
                });
                recordings_.push_back({entry.path(), r.digit, s, r.index});
            }
        }
        require(!recordings_.empty(), [&] { return folder.string() + ": no speaker folder with .wav recordings"; });
        std::sort(recordings_.begin(), recordings_.end(), [](const auto& a, const auto& b) {
            return std::tie(a.speaker, a.digit, a.take) < std::tie(b.speaker, b.digit, b.take);
        });
    }

    struct recording {
        std::filesystem::path path;
        int digit = 0;
        std::size_t speaker = 0; // index into speakers()
        int take = 0;
    };

    const std::vector<recording>& recordings() const noexcept { return recordings_; }
    const std::vector<audiomnist_speaker>& speakers() const noexcept { return speakers_; }

private:
    std::vector<audiomnist_speaker> speakers_;
    std::vector<recording> recordings_;
};

} // namespace qhybrid::data
