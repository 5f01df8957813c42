// SPDX-License-Identifier: Apache-2.0
#pragma once
// The DEEP-VOICE data set's CSV (Bird & Lotfi 2023, DATASET-balanced.csv): 26 feature columns,
// each row the means over one 1-second window, and a LABEL of REAL or FAKE. The windows come from
// a few recordings (8 real speakers and their voice conversions), but the file stores them in
// random order within each class (scripts/deepvoice_order.py: consecutive rows are as far apart
// as random pairs) and has no recording id. So every split of it, random, by position or k-fold,
// shares speakers and recordings between train and test: a 1-nearest-neighbour lookup scores
// 0.993 on a random split (examples/deepvoice_mlp.cpp). data/cluster_split.hpp holds out regions
// of feature space instead, a stress test standing in for unseen sources.
#include "qhybrid/core/error.hpp"
#include "qhybrid/data/csv.hpp"

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::data {

inline constexpr std::size_t deep_voice_width = 26;

inline constexpr std::array<std::string_view, deep_voice_width> deep_voice_columns = {
    "chroma_stft", "rms",    "spectral_centroid", "spectral_bandwidth", "rolloff", "zero_crossing_rate",
    "mfcc1",       "mfcc2",  "mfcc3",             "mfcc4",              "mfcc5",   "mfcc6",
    "mfcc7",       "mfcc8",  "mfcc9",             "mfcc10",             "mfcc11",  "mfcc12",
    "mfcc13",      "mfcc14", "mfcc15",            "mfcc16",             "mfcc17",  "mfcc18",
    "mfcc19",      "mfcc20"};

inline constexpr std::array<std::string_view, 2> deep_voice_classes = {"REAL", "FAKE"};

struct deep_voice_rows {
    std::vector<double> features;    // row-major, deep_voice_width per row, in deep_voice_columns order
    std::vector<std::size_t> labels; // 0 = REAL, 1 = FAKE

    std::size_t size() const noexcept { return labels.size(); }
};

// Reads the columns by name, so their order in the file does not matter.
inline deep_voice_rows read_deep_voice(const std::filesystem::path& csv) {
    const auto table = read_csv(csv);
    std::vector<std::vector<double>> columns;
    for (auto name : deep_voice_columns) columns.push_back(table.numbers(name));
    const std::size_t label = table.column("LABEL");
    deep_voice_rows out;
    out.features.reserve(table.rows() * deep_voice_width);
    for (std::size_t r = 0; r < table.rows(); ++r) {
        for (const auto& c : columns) out.features.push_back(c[r]);
        const std::string& l = table.text(r, label);
        require(l == deep_voice_classes[0] || l == deep_voice_classes[1],
                [&] { return table.where(r, label) + ": label \"" + l + "\" is neither REAL nor FAKE"; });
        out.labels.push_back(l == deep_voice_classes[1]);
    }
    return out;
}

} // namespace qhybrid::data
