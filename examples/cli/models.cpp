// The CLI's models (models.hpp): every kind built from its seed, and a weights file's found by
// its saved architecture.
#include "models.hpp"

#include "../fsdd_spectrograms.hpp"

#include <qhybrid/qhybrid.hpp>

namespace cli {
namespace {

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;

const m::qt_options qt_defaults{.transform = {.enabled = true}};

template <std::size_t Blocks>
model make_qt(std::span<const double> scale, std::span<const double> offset, qhybrid::rng& gen) {
    auto qt = std::make_unique<m::qt_cnn<12, Blocks, m::deep_voice_cnn>>(gen, qt_defaults, scale, offset);
    auto* p = qt.get();
    return {"QT-CNN " + std::to_string(Blocks) + " blocks", std::move(qt), data_set::deep_voice, [p] { return p->generated(); }, {}};
}

// QShield on the DEEP-VOICE CNN: its two logits on the authors' 2 qubits, the full pattern.
model make_qshield(m::qshield_variant variant, std::span<const double> scale, std::span<const double> offset, std::uint64_t seed,
                   qhybrid::rng& gen) {
    constexpr std::size_t classes = 2;
    auto backbone = std::make_unique<nn::sequential<double>>(m::deep_voice_cnn::build<double>(gen, scale, offset));
    const bool faithful = variant == m::qshield_variant::faithful;
    const m::qshield_options o{.variant = variant, .projection = faithful ? m::projection_draw::per_call : m::projection_draw::per_model, .seed = seed};
    return {faithful ? "QShield (faithful)" : "QShield (differentiable)",
            std::make_unique<m::qshield<m::qshield_qubits(classes)>>(std::move(backbone), classes, o, gen), data_set::deep_voice, {}, {}};
}

} // namespace

model make(const std::string& kind, std::size_t blocks, std::span<const double> scale, std::span<const double> offset,
           std::uint64_t seed) {
    qhybrid::rng gen(seed);
    if (kind == "cnn") {
        auto net = std::make_unique<nn::sequential<double>>(m::deep_voice_cnn::build<double>(gen, scale, offset));
        auto* p = net.get();
        return {"CNN", std::move(net), data_set::deep_voice, [p] { return *p; }, {}};
    }
    if (kind == "qshield" || kind == "qshield-differentiable")
        return make_qshield(kind == "qshield" ? m::qshield_variant::faithful : m::qshield_variant::differentiable, scale, offset, seed, gen);
    if (kind == "qt-cnn") switch (blocks) {
        case 12: return make_qt<12>(scale, offset, gen);
        case 24: return make_qt<24>(scale, offset, gen);
        case 48: return make_qt<48>(scale, offset, gen);
        case 96: return make_qt<96>(scale, offset, gen);
        default: throw qhybrid::error("--blocks must be 12, 24, 48 or 96, not " + std::to_string(blocks));
        }
    if (kind == "speaker-cnn")
        return {"speaker CNN", std::make_unique<nn::sequential<double>>(m::fsdd_cnn::build<double>(6, gen, seed + 1)), data_set::fsdd_speakers, {}, {}};
    const auto head = kind == "qc-cnn" ? m::qc_head::quantum : m::qc_head::classical;
    auto net = std::make_unique<nn::sequential<double>>(m::qc_cnn<double>(
        {.frames = fsdd_spectrograms::frames, .mels = fsdd_spectrograms::mels, .classes = 10}, head, gen, seed + 1));
    return {head == m::qc_head::quantum ? "QC-CNN" : "QC baseline", std::move(net), data_set::fsdd_digits, {}, {}};
}

model load(const std::string& path) {
    const std::string saved = nn::saved_architecture(path);
    const std::vector<double> ones(d::deep_voice_width, 1.0), zeros(d::deep_voice_width, 0.0);
    std::vector<std::pair<std::string, std::size_t>> kinds = {{"cnn", 0}, {"qc-cnn", 0}, {"qc-baseline", 0}, {"qshield", 0}, {"qshield-differentiable", 0}, {"speaker-cnn", 0}};
    for (auto b : block_counts) kinds.emplace_back("qt-cnn", b);
    for (const auto& [kind, blocks] : kinds) {
        model candidate = make(kind, blocks, ones, zeros, 1);
        if (candidate.net->describe() != saved) continue;
        nn::load_weights(*candidate.net, path);
        candidate.metadata = nn::saved_metadata(path);
        return candidate;
    }
    throw qhybrid::error(path + ": a model of another kind (" + saved.substr(0, 60) + "...), not one qhybrid's CLI builds");
}

} // namespace cli
