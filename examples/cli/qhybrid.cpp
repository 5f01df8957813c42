// qhybrid: the command line for the deepfake-voice detectors (QT-CNN and its classical CNN on
// DEEP-VOICE) and QC-CNN on FSDD.
//
//   qhybrid train  --model cnn|qt-cnn|qc-cnn|qc-baseline [--blocks B] [--data DIR] [--seed S] [--epochs N] --out FILE
//   qhybrid eval   MODEL [--data DIR] [--seed S]
//   qhybrid export MODEL HEADER [--name NAME] [--double]
//   qhybrid detect MODEL FILE.wav
//
// DEEP-VOICE models train on a stratified 80/20 split drawn from the seed (eval with the same
// seed measures the held-out rows); QC-CNN models on FSDD's 10 digits, official split. A model
// file says what it is (its saved architecture), so eval, export and detect need no --model.
// Any error (a wrong path, a model file of another kind, a file that is not WAV) is one line on
// stderr and exit code 2.
#include "../fsdd_spectrograms.hpp"

#include <qhybrid/embedded/export.hpp>
#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

namespace a = qhybrid::audio;
namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t width = d::deep_voice_width;
const std::vector<std::size_t> block_counts = {12, 24, 48, 96};
const m::qt_options qt_defaults{.transform = {.enabled = true}};

enum class data_set { deep_voice, fsdd };

struct model {
    std::unique_ptr<nn::layer<double>> net;
    data_set data;
    std::function<nn::sequential<double>()> classical; // the exportable network
};

template <std::size_t Blocks>
model make_qt(std::span<const double> scale, std::span<const double> offset, qhybrid::rng& gen) {
    auto qt = std::make_unique<m::qt_cnn<12, Blocks, m::deep_voice_cnn>>(gen, qt_defaults, scale, offset);
    auto* p = qt.get();
    return {std::move(qt), data_set::deep_voice, [p] { return p->generated(); }};
}

// A fresh model of the given kind; DEEP-VOICE models standardise with `scale` and `offset`.
model make(const std::string& kind, std::size_t blocks, std::span<const double> scale, std::span<const double> offset,
           std::uint64_t seed) {
    qhybrid::rng gen(seed);
    if (kind == "cnn") {
        auto net = std::make_unique<nn::sequential<double>>(m::deep_voice_cnn::build<double>(gen, scale, offset));
        auto* p = net.get();
        return {std::move(net), data_set::deep_voice, [p] { return *p; }};
    }
    if (kind == "qt-cnn") switch (blocks) {
        case 12: return make_qt<12>(scale, offset, gen);
        case 24: return make_qt<24>(scale, offset, gen);
        case 48: return make_qt<48>(scale, offset, gen);
        case 96: return make_qt<96>(scale, offset, gen);
        default: throw qhybrid::error("--blocks must be 12, 24, 48 or 96, not " + std::to_string(blocks));
        }
    const auto head = kind == "qc-cnn" ? m::qc_head::quantum : m::qc_head::classical;
    auto net = std::make_unique<nn::sequential<double>>(m::qc_cnn<double>(
        {.frames = fsdd_spectrograms::frames, .mels = fsdd_spectrograms::mels, .classes = 10}, head, gen, seed + 1));
    return {std::move(net), data_set::fsdd, {}};
}

// The model a weights file holds, found by its saved architecture.
model load(const std::string& path) {
    const std::string saved = nn::saved_architecture(path);
    const std::vector<double> ones(width, 1.0), zeros(width, 0.0);
    std::vector<std::pair<std::string, std::size_t>> kinds = {{"cnn", 0}, {"qc-cnn", 0}, {"qc-baseline", 0}};
    for (auto b : block_counts) kinds.emplace_back("qt-cnn", b);
    for (const auto& [kind, blocks] : kinds) {
        model candidate = make(kind, blocks, ones, zeros, 1);
        if (candidate.net->describe() != saved) continue;
        nn::load_weights(*candidate.net, path);
        return candidate;
    }
    throw qhybrid::error(path + ": a model of another kind (" + saved.substr(0, 60) + "...), not one qhybrid's CLI builds");
}

m::deep_voice_split split_deep_voice(const std::string& data, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    return m::split_deep_voice(m::read_deep_voice_set(d::require_data(d::data_root(data), "deep-voice/DATASET-balanced.csv")), 0.2, gen);
}

struct fsdd_split {
    nn::labelled<double> train, test;
};

fsdd_split split_fsdd(const std::string& data) {
    const d::fsdd set(d::require_data(d::data_root(data), "fsdd/recordings").parent_path());
    const auto s = fsdd_spectrograms::features(set);
    const auto [mean, sd] = s.moments(set.train());
    return {s.images(set.train(), s.digit, mean, sd), s.images(set.test(), s.digit, mean, sd)};
}

int train(const std::string& kind, std::size_t blocks, const std::string& data, std::uint64_t seed, std::size_t epochs,
          const std::string& out) {
    const bool deep_voice = kind == "cnn" || kind == "qt-cnn";
    nn::labelled<double> train_set, test_set;
    std::vector<double> scale(width, 1.0), offset(width, 0.0);
    if (deep_voice) {
        auto s = split_deep_voice(data, seed);
        scale = s.scaler.scale(), offset = s.scaler.offset();
        train_set = std::move(s.train), test_set = std::move(s.test);
    } else {
        auto s = split_fsdd(data);
        train_set = std::move(s.train), test_set = std::move(s.test);
    }
    model mdl = make(kind, blocks, scale, offset, seed);
    nn::adam<double> opt(mdl.net->parameters(), {.lr = deep_voice ? 3e-3 : 1e-3});
    nn::fit(*mdl.net, opt, train_set, nullptr, {.epochs = epochs, .batch_size = deep_voice ? 64u : 32u, .seed = seed});
    const auto te = nn::evaluate(*mdl.net, test_set, 256);
    nn::save_weights(*mdl.net, out);
    const std::string name = kind == "qt-cnn" ? kind + " (" + std::to_string(blocks) + " blocks)" : kind;
    std::printf("%s: test accuracy %.4f, test cross-entropy %.4f; saved %s\n", name.c_str(), te.accuracy, te.loss, out.c_str());
    return 0;
}

int eval(const std::string& path, const std::string& data, std::uint64_t seed) {
    model mdl = load(path);
    const auto test = mdl.data == data_set::deep_voice ? split_deep_voice(data, seed).test : split_fsdd(data).test;
    const auto e = nn::evaluate(*mdl.net, test, 256);
    std::printf("%s: %zu test samples, accuracy %.4f, cross-entropy %.4f\n", path.c_str(), test.size(), e.accuracy, e.loss);
    return 0;
}

int export_model(const std::string& path, const std::string& header, const std::string& name, bool as_double) {
    model mdl = load(path);
    qhybrid::require(mdl.data == data_set::deep_voice,
                     [&] { return path + ": QC-CNN models hold a quantum layer; only the DEEP-VOICE CNNs export"; });
    auto net = mdl.classical();
    qhybrid::embedded::export_header(net, {width}, header,
                                     {.name = name, .type = as_double ? qhybrid::embedded::element::float64
                                                                      : qhybrid::embedded::element::float32});
    std::printf("wrote %s (namespace %s, %s)\n", header.c_str(), name.c_str(), as_double ? "double" : "float");
    return 0;
}

int detect(const std::string& path, const std::string& wav_path) {
    model mdl = load(path);
    qhybrid::require(mdl.data == data_set::deep_voice,
                     [&] { return path + ": detect needs a DEEP-VOICE model (cnn or qt-cnn), this one classifies digits"; });
    const a::wav w = a::read_wav(wav_path);
    const auto mono = w.mono();
    const auto rows = a::deep_voice_features(std::span<const double>(mono), double(w.sample_rate));
    nn::tensor<double> x({rows.size(), width});
    for (std::size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), x.row(r).begin());
    const auto logits = mdl.net->forward(x, nn::mode::eval);
    double fake = 0; // mean over the 1-second windows of P(FAKE)
    for (std::size_t r = 0; r < rows.size(); ++r) fake += 1 / (1 + std::exp(logits[r * 2] - logits[r * 2 + 1]));
    fake /= double(rows.size());
    std::printf("%s %.4f  (%s: %zu one-second windows)\n", fake >= 0.5 ? "FAKE" : "REAL", fake >= 0.5 ? fake : 1 - fake,
                wav_path.c_str(), rows.size());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app("qhybrid: deepfake-voice detection with QT-CNN and spoken-digit QC-CNN");
    app.set_version_flag("--version", "qhybrid " QHYBRID_VERSION);
    app.require_subcommand(1);
    std::string data, model_kind = "qt-cnn", out, path, header, name = "deepfake_detector", wav_path;
    std::size_t blocks = 12, epochs = 30;
    std::uint64_t seed = 1;
    bool as_double = false;
    auto* t = app.add_subcommand("train", "train a model and save its weights");
    t->add_option("--model", model_kind, "cnn, qt-cnn, qc-cnn or qc-baseline")
        ->check(CLI::IsMember({"cnn", "qt-cnn", "qc-cnn", "qc-baseline"}));
    t->add_option("--blocks", blocks, "QT-CNN blocks: 12, 24, 48 or 96");
    t->add_option("--data", data, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    t->add_option("--seed", seed, "seed of the split, initialisation and minibatch order");
    t->add_option("--epochs", epochs, "training epochs")->check(CLI::PositiveNumber);
    t->add_option("--out", out, "weights file to write")->required();
    auto* e = app.add_subcommand("eval", "accuracy of a saved model on its test split");
    e->add_option("model", path, "weights file")->required();
    e->add_option("--data", data, "data folder");
    e->add_option("--seed", seed, "seed of the DEEP-VOICE split (as in train)");
    auto* x = app.add_subcommand("export", "write a DEEP-VOICE model as an embedded C++ header");
    x->add_option("model", path, "weights file")->required();
    x->add_option("header", header, "header to write")->required();
    x->add_option("--name", name, "namespace in the header");
    x->add_flag("--double", as_double, "double weights (default float, for Cortex-M4F)");
    auto* det = app.add_subcommand("detect", "REAL or FAKE for a WAV file, with its probability");
    det->add_option("model", path, "weights file")->required();
    det->add_option("wav", wav_path, "WAV file")->required();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& err) {
        return app.exit(err) == 0 ? 0 : 2;
    }
    try {
        if (t->parsed()) return train(model_kind, blocks, data, seed, epochs, out);
        if (e->parsed()) return eval(path, data, seed);
        if (x->parsed()) return export_model(path, header, name, as_double);
        return detect(path, wav_path);
    } catch (const std::exception& err) {
        std::string message = err.what();
        std::replace(message.begin(), message.end(), '\n', ' ');
        std::fprintf(stderr, "qhybrid: %s\n", message.c_str());
        return 2;
    }
}
