#pragma once
// The CLI's models: a fresh one of a kind, or the one a weights file holds. Their own translation
// unit: the QT-CNN's four circuits, QShield and QC-CNN instantiated here made qhybrid.cpp take
// about 3 minutes to compile.
#include <qhybrid/nn/layer.hpp>
#include <qhybrid/nn/sequential.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace cli {

enum class data_set { deep_voice, fsdd_digits, fsdd_speakers };

struct model {
    std::string name; // "CNN", "QT-CNN 24 blocks": a row of eval --table
    std::unique_ptr<qhybrid::nn::layer<double>> net;
    data_set data;
    std::function<qhybrid::nn::sequential<double>()> classical; // the exportable network
    std::string metadata;                                        // a detector's profile, as saved
};

// The QT-CNN's block counts, --blocks.
inline const std::vector<std::size_t> block_counts = {12, 24, 48, 96};

// A fresh model of the given kind; DEEP-VOICE models standardise with `scale` and `offset`.
model make(const std::string& kind, std::size_t blocks, std::span<const double> scale, std::span<const double> offset,
           std::uint64_t seed);

// The model a weights file holds, found by its saved architecture.
model load(const std::string& path);

} // namespace cli
