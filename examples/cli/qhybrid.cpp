// qhybrid: the command line for the deepfake-voice detectors (QT-CNN and its classical CNN on
// DEEP-VOICE) and QC-CNN on FSDD.
//
//   qhybrid train   --model cnn|qt-cnn|qshield|qshield-differentiable|qc-cnn|qc-baseline|speaker-cnn [--blocks B]
//                   [--data DIR] [--seed S] [--epochs MAX] [--patience P] [--shards S] --out FILE
//   qhybrid eval   MODEL... [--data DIR] [--seed S] [--curves DIR] [--json] [--table PREFIX]
//   qhybrid export MODEL HEADER [--name NAME] [--double]
//   qhybrid detect MODEL FILE.wav [--windows] [--json]
//   qhybrid attack MODEL... [--data DIR] [--eps E...] [--sweep E...] [--rows N] [--steps K] [--queries Q]
//                  [--table PREFIX]
//   qhybrid unlearn MODEL --forget-speaker NAME [--method M] [--against-retrain] [--shadows K] [--epochs E]
//                   [--data DIR] [--out FILE]
//
// Every model trains until its validation loss has not improved for --patience epochs (or
// --epochs) and keeps its best epoch. DEEP-VOICE detectors train on a stratified 70/10/20
// train/validation/test split drawn from the seed, and save with their profile
// (models/detector_profile.hpp): the split, the temperature fitted on the validation rows, a
// summary of the training features, the validation scores. eval measures the test rows of that
// same split and refuses another seed or another data file; detect resamples, judges every
// 1-second window and says CANNOT JUDGE (exit code 3) when no window lies within what the model
// learned. eval --table summarises several detectors over their seeds (stats::seed_table: mean and
// 95% t interval per kind of model, failed runs, paired comparisons) and writes PREFIX_runs.csv
// and PREFIX_summary.csv. QC-CNN models train on FSDD's 10 digits, official split, validated on 15% of the
// official training recordings (stratified, drawn from the seed); the speaker CNN (models::fsdd_cnn)
// the same way on FSDD's 6 speakers, and unlearn (cli/unlearn.cpp) makes it forget one. attack runs AutoAttack's
// standard suite (robust::study) on detectors' test rows with budgets in training standard
// deviations of each feature. A model file says what it
// is (its saved architecture), so eval, export and detect need no --model. Any error (a wrong
// path, a model file of another kind, a file that is not WAV) is one line on stderr and exit
// code 2.
//
// Under mpirun (built with QHYBRID_MPI): `train --shards S` cuts every minibatch into S shards
// that the processes share (dist::fit; the same model on any number of processes, written by
// rank 0). The other subcommands run on rank 0 alone.
#include "fsdd_split.hpp"
#include "models.hpp"
#include "unlearn.hpp"

#include <qhybrid/embedded/export.hpp>
#include <qhybrid/models/voice_detector.hpp>
#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>

namespace a = qhybrid::audio;
namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace rb = qhybrid::robust;
namespace fs = std::filesystem;
using cli::data_set, cli::load, cli::make, cli::model;

namespace {

constexpr int cannot_judge_exit = 3;
constexpr double test_fraction = 0.2, validation_fraction = 0.1; // of every class; the rest trains

constexpr std::size_t width = d::deep_voice_width;

// Before any long work: `out` can be written (its folder exists, it is not a folder) and is none
// of the inputs, so that a run never ends in a failed write or overwrites what it read.
void check_output(const fs::path& out, const std::vector<fs::path>& inputs) {
    std::error_code ec;
    const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
    qhybrid::require(fs::is_directory(folder, ec), [&] { return out.string() + ": the folder " + folder.string() + " does not exist"; });
    qhybrid::require(!fs::is_directory(out, ec), [&] { return out.string() + ": a directory, not a file to write"; });
    for (const auto& in : inputs)
        qhybrid::require(!fs::exists(in, ec) || !fs::exists(out, ec) || !fs::equivalent(in, out, ec),
                         [&] { return out.string() + " is also an input of this command: it would be overwritten"; });
    fs::path probe = out;
    probe += ".partial";
    qhybrid::require(bool(std::ofstream(probe, std::ios::app)), [&] { return out.string() + ": cannot write in " + folder.string(); });
    fs::remove(probe, ec);
}

// --seed as a whole number in [0, 2^64 - 1]: CLI11 would wrap -1 and 2^64 silently.
std::uint64_t parse_seed(const std::string& text) {
    std::uint64_t seed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
    qhybrid::require(ec == std::errc() && end == text.data() + text.size(),
                     [&] { return "--seed " + text + " is not a whole number from 0 to 18446744073709551615"; });
    return seed;
}

struct deep_voice_data {
    nn::labelled<double> all;
    m::deep_voice_split split;
};

// DEEP-VOICE and its train/validation/test split for `seed` (the eval of a model: the fractions
// it was trained with).
deep_voice_data split_deep_voice(const std::string& data, std::uint64_t seed, double test = test_fraction,
                                 double validation = validation_fraction) {
    qhybrid::rng gen(seed);
    deep_voice_data set{m::read_deep_voice_set(d::require_data(d::data_root(data), "deep-voice/DATASET-balanced.csv")), {}};
    set.split = m::split_deep_voice(set.all, test, gen, validation);
    return set;
}

// "41 epochs, the best at 26", and whether the run stopped at the limit rather than by itself.
std::string epochs_run(const std::vector<nn::epoch_record>& history, std::size_t limit) {
    std::size_t best = 0;
    for (std::size_t e = 1; e < history.size(); ++e)
        if (history[e].val_loss < history[best].val_loss) best = e;
    return std::to_string(history.size()) + " epochs, the best at " + std::to_string(best + 1) +
           (history.size() == limit ? " (stopped by the --epochs limit)" : "");
}

// Trains on world's processes: minibatches cut into `shards` (1: nn::fit on every process).
int train(const qhybrid::dist::world& world, const std::string& kind, std::size_t blocks, const std::string& data, std::uint64_t seed,
          std::size_t epochs, std::size_t patience, std::size_t shards, const std::string& out) {
    const bool deep_voice = kind == "cnn" || kind == "qt-cnn" || kind.starts_with("qshield");
    const fs::path root = d::data_root(data);
    check_output(out, {root / "deep-voice/DATASET-balanced.csv"});
    const std::string name = kind == "qt-cnn" ? kind + " (" + std::to_string(blocks) + " blocks)" : kind;
    if (!deep_voice) {
        model mdl = make(kind, blocks, {}, {}, seed);
        const auto s = cli::split_fsdd(data, seed, mdl.data == data_set::fsdd_speakers ? cli::fsdd_task::speakers : cli::fsdd_task::digits);
        nn::adam<double> opt(mdl.net->parameters(), {.lr = 1e-3});
        const auto history = qhybrid::dist::fit(world, *mdl.net, opt, s.train, &s.validation,
                                                {.epochs = epochs, .batch_size = 32, .seed = seed, .patience = patience}, {.shards = shards});
        if (!world.root()) return 0;
        const auto te = nn::evaluate(*mdl.net, s.test, 256);
        nn::save_weights(*mdl.net, out, qhybrid::json::value{{"seed", seed}}.dump()); // unlearn finds the training recordings by it
        std::printf("%s: %s; test accuracy %.4f, test cross-entropy %.4f; saved %s\n", name.c_str(), epochs_run(history, epochs).c_str(),
                    te.accuracy, te.loss, out.c_str());
        return 0;
    }
    const auto set = split_deep_voice(data, seed);
    const auto& s = set.split;
    model mdl = make(kind, blocks, s.scaler.scale(), s.scaler.offset(), seed);
    nn::adam<double> opt(mdl.net->parameters(), {.lr = 3e-3});
    const auto history = qhybrid::dist::fit(world, *mdl.net, opt, s.train, &s.validation,
                                            {.epochs = epochs, .batch_size = 64, .seed = seed, .patience = patience}, {.shards = shards});
    if (!world.root()) return 0;
    const m::split_record split{.seed = seed, .validation = validation_fraction, .test = test_fraction, .rows = set.all.size(),
                                .data_hash = m::data_hash(set.all)};
    qhybrid::rng gen(seed);
    const m::detector_profile profile = m::fit_profile(*mdl.net, s.train, s.validation, split, gen);
    nn::save_weights(*mdl.net, out, m::to_json(profile));
    const auto& v = profile.validation;
    std::printf("%s: %s; validation (%zu rows): AUC %.4f, EER %.4f, ECE %.4f uncalibrated, %.4f at temperature %.3f; "
                "%.1f%% outside the training domain\nsaved %s; `qhybrid eval %s` measures the test split\n",
                name.c_str(), epochs_run(history, epochs).c_str(), v.rows, v.auc, v.eer, v.ece_uncalibrated, v.ece, profile.temperature, 100 * v.out_of_domain,
                out.c_str(), out.c_str());
    return 0;
}

// A detector's figures on its test split: a row of eval --table.
struct detector_scores {
    std::uint64_t seed;
    double accuracy, auc, eer, ece, ece_uncalibrated, temperature, out_of_domain;
    bool refused; // detect would refuse the model: its validation AUC is below the profile's minimum
};

// The split a detector was trained on, remade: refused for another seed or another data file,
// whose test rows would include its training rows.
deep_voice_data split_of(const m::detector_profile& profile, const std::string& path, const std::string& data,
                         std::optional<std::uint64_t> seed, const char* command) {
    const auto& split = profile.split;
    qhybrid::require(!seed || *seed == split.seed, [&] {
        return path + " was trained on the split of seed " + std::to_string(split.seed) + "; the test rows of seed " +
               std::to_string(*seed) + " include its training rows, so " + command + " refuses (leave --seed out)";
    });
    auto set = split_deep_voice(data, split.seed, split.test, split.validation);
    qhybrid::require(set.all.size() == split.rows && m::data_hash(set.all) == split.data_hash, [&] {
        return path + " was trained on another DEEP-VOICE file (" + std::to_string(split.rows) + " rows, hash " +
               std::to_string(split.data_hash) + "); this one has " + std::to_string(set.all.size()) +
               " rows: its split would not keep the training rows out";
    });
    return set;
}

// The detector's figures on its test split, and with --curves the CSV files the demo plots.
detector_scores eval_detector(const model& mdl, const std::string& path, const std::string& data, std::optional<std::uint64_t> seed,
                  const std::string& curves, bool as_json) {
    const m::detector_profile profile = m::read_profile(mdl.metadata, path);
    const auto& split = profile.split;
    const auto set = split_of(profile, path, data, seed, "eval");
    const auto& test = set.split.test;
    const auto logits = m::logits_of(*mdl.net, test.x);
    const auto raw = nn::evaluate_detection(m::fake_probabilities(logits, 1.0), test.y);
    const auto r = nn::evaluate_detection(m::fake_probabilities(logits, profile.temperature), test.y);
    std::size_t outside = 0;
    for (std::size_t i = 0; i < test.size(); ++i) outside += !profile.domain.judge(test.x.row(i)).inside;
    const auto& c = r.confusion;
    const double out_of_domain = double(outside) / double(test.size());
    if (as_json) {
        const auto& v = profile.validation;
        const qhybrid::json::value j = {
            {"model", path}, {"architecture", mdl.net->describe()}, {"seed", split.seed}, {"test_rows", test.size()},
            {"accuracy", r.accuracy}, {"auc", r.auc}, {"eer", r.eer.rate}, {"eer_threshold", r.eer.at.threshold},
            {"ece", r.calibration.ece}, {"ece_uncalibrated", raw.calibration.ece}, {"temperature", profile.temperature},
            {"confusion", {{c(0, 0), c(0, 1)}, {c(1, 0), c(1, 1)}}}, {"out_of_domain", out_of_domain},
            {"validation", {{"rows", v.rows}, {"auc", v.auc}, {"eer", v.eer}, {"ece", v.ece}, {"ece_uncalibrated", v.ece_uncalibrated},
                            {"out_of_domain", v.out_of_domain}}}};
        std::printf("%s\n", j.dump().c_str());
    } else
        std::printf("%s: %zu test rows (split seed %llu: validation %g, test %g of every class)\n"
                "  accuracy %.4f  ROC AUC %.4f  EER %.4f (threshold %.3f)\n"
                "  ECE %.4f calibrated (temperature %.3f), %.4f uncalibrated; 15 bins\n"
                "  confusion (rows true, columns predicted): REAL %zu %zu | FAKE %zu %zu\n"
                "  %.1f%% of the test rows lie outside the training domain\n",
                path.c_str(), test.size(), static_cast<unsigned long long>(split.seed), split.validation, split.test, r.accuracy, r.auc, r.eer.rate,
                r.eer.at.threshold, r.calibration.ece, profile.temperature, raw.calibration.ece, c(0, 0), c(0, 1), c(1, 0),
                c(1, 1), 100 * out_of_domain);
    const detector_scores scores{split.seed, r.accuracy, r.auc, r.eer.rate, r.calibration.ece, raw.calibration.ece,
                                 profile.temperature, out_of_domain, profile.validation.auc < profile.min_validation_auc};
    if (curves.empty()) return scores;
    fs::create_directories(curves);
    const std::string stem = fs::path(path).stem().string();
    auto write = [&](const std::string& file, const std::string& header, auto&& rows) {
        const auto out_path = fs::path(curves) / (stem + "_" + file);
        std::ofstream out(out_path);
        qhybrid::require(bool(out), [&] { return "cannot write " + out_path.string(); });
        out << header << '\n';
        rows(out);
        qhybrid::require(bool(out), [&] { return "writing " + out_path.string() + " failed"; });
    };
    write("roc.csv", "threshold,fpr,tpr,eer,eer_fpr,eer_tpr,auc", [&](std::ofstream& out) {
        for (const auto& p : r.roc)
            out << p.threshold << ',' << p.fpr << ',' << p.tpr << ',' << r.eer.rate << ',' << r.eer.at.fpr << ','
                << r.eer.at.tpr << ',' << r.auc << '\n';
    });
    write("reliability.csv", "lo,hi,count,confidence,accuracy,ece,calibrated", [&](std::ofstream& out) {
        for (const auto* report : {&raw, &r})
            for (const auto& b : report->calibration.bins)
                out << b.lo << ',' << b.hi << ',' << b.count << ',' << b.confidence << ',' << b.accuracy << ','
                    << report->calibration.ece << ',' << (report == &r) << '\n';
    });
    write("confusion.csv", "true,predicted,count", [&](std::ofstream& out) {
        for (std::size_t t = 0; t < 2; ++t)
            for (std::size_t p = 0; p < 2; ++p)
                out << d::deep_voice_classes[t] << ',' << d::deep_voice_classes[p] << ',' << c(t, p) << '\n';
    });
    if (!as_json) std::printf("  wrote %s/%s_{roc,reliability,confusion}.csv\n", curves.c_str(), stem.c_str());
    return scores;
}

// Detectors summarised over their seeds, one row per kind of model: PREFIX.md (the table, the
// paired comparisons between kinds, and temperature scaling's effect on each kind's ECE),
// PREFIX_runs.csv and PREFIX_summary.csv.
class detector_table {
public:
    void add(const std::string& kind, const detector_scores& s) {
        if (!seeds_.contains(kind)) kinds_.push_back(kind);
        seeds_[kind].insert(s.seed);
        table_.add(kind, s.seed, {s.accuracy, s.auc, s.eer, s.ece, s.ece_uncalibrated, s.temperature, s.out_of_domain}, s.refused);
        ece_.add(kind + " temperature-scaled", s.seed, {s.ece});
        ece_.add(kind + " raw", s.seed, {s.ece_uncalibrated});
    }

    std::string markdown() const {
        std::string out = table_.markdown();
        out.append("\n(mean [95% t interval] over seeds, each seed its own split; failed: validation ROC AUC below the profile's "
                   "minimum, a model `qhybrid detect` refuses)\n\n");
        for (std::size_t a = 0; a < kinds_.size(); ++a)
            for (std::size_t b = a + 1; b < kinds_.size(); ++b)
                for (const char* metric : {"accuracy", "ROC AUC", "EER"})
                    if (paired_seeds(kinds_[a], kinds_[b])) out.append(table_.comparison(kinds_[a], kinds_[b], metric)).append("\n");
        for (const auto& kind : kinds_)
            if (table_.runs(kind) >= 2)
                out.append(ece_.comparison(kind + " temperature-scaled", kind + " raw", "ECE")).append("\n");
        return out;
    }

    void write(const std::string& prefix) const {
        table_.write_csv(prefix + "_runs.csv", prefix + "_summary.csv");
        qhybrid::write_file_atomically(prefix + ".md", markdown(), "eval --table");
    }

private:
    // Paired comparisons need two seeds that both kinds ran.
    bool paired_seeds(const std::string& a, const std::string& b) const {
        const auto &sa = seeds_.at(a), &sb = seeds_.at(b);
        return std::count_if(sa.begin(), sa.end(), [&](std::uint64_t seed) { return sb.contains(seed); }) >= 2;
    }

    std::vector<std::string> kinds_; // in the order first seen
    std::map<std::string, std::set<std::uint64_t>> seeds_;
    qhybrid::stats::seed_table table_{{"accuracy", "ROC AUC", "EER", "ECE, temperature-scaled", "ECE, raw", "temperature",
                                       "test rows outside the domain"}};
    qhybrid::stats::seed_table ece_{{"ECE"}};
};

int eval(const std::vector<std::string>& paths, const std::string& data, std::optional<std::uint64_t> seed, const std::string& curves,
         bool as_json, const std::string& table_prefix) {
    if (!table_prefix.empty())
        for (const char* suffix : {".md", "_runs.csv", "_summary.csv"})
            check_output(table_prefix + suffix, {paths.begin(), paths.end()});
    detector_table table;
    for (const auto& path : paths) {
        model mdl = load(path);
        if (mdl.data == data_set::deep_voice) {
            table.add(mdl.name, eval_detector(mdl, path, data, seed, curves, as_json));
            continue;
        }
        qhybrid::require(table_prefix.empty(), [&] { return path + ": --table summarises DEEP-VOICE detectors; this model classifies FSDD recordings"; });
        const auto test = cli::split_fsdd(data, 1, mdl.data == data_set::fsdd_speakers ? cli::fsdd_task::speakers : cli::fsdd_task::digits)
                              .test; // the test images do not depend on the seed
        const auto e = nn::evaluate(*mdl.net, test, 256);
        std::printf("%s: %zu test samples, accuracy %.4f, cross-entropy %.4f\n", path.c_str(), test.size(), e.accuracy, e.loss);
    }
    if (table_prefix.empty()) return 0;
    table.write(table_prefix);
    if (!as_json) std::printf("\n%s\nwrote %s.md, %s_runs.csv and %s_summary.csv\n", table.markdown().c_str(), table_prefix.c_str(),
                              table_prefix.c_str(), table_prefix.c_str());
    return 0;
}

// A detector seen from its standardised features z, the units its attack budgets are in: the
// network (which standardises first) reads x = (z - offset) / scale, and dL/dz = dL/dx / scale.
struct standardised_detector {
    using value_type = double;
    rb::network<double> net;
    std::vector<double> scale, offset;

    nn::tensor<double> logits(const nn::tensor<double>& z, qhybrid::rng& gen) {
        nn::tensor<double> x = z;
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - offset[i % width]) / scale[i % width];
        return net.logits(x, gen);
    }
    nn::tensor<double> input_gradient(const nn::tensor<double>& dlogits) {
        nn::tensor<double> g = net.input_gradient(dlogits);
        for (std::size_t i = 0; i < g.size(); ++i) g[i] /= scale[i % width];
        return g;
    }
};

struct attack_settings {
    std::vector<double> eps, sweep; // empty: the domain's defaults
    std::vector<std::string> wavs;  // recordings to attack in the waveform domain (none: the test rows' features)
    std::size_t rows = 0, steps = 100, queries = 5000;
    std::size_t eot = 20; // draws against a random model (the faithful QShield)
    std::size_t block_rows = 0; // rows an item of the study under mpirun (0: the rows shared evenly by the processes)
};

// What one model's attack runs on: inputs, labels, the box, and the unit of the budgets.
struct attack_inputs {
    nn::tensor<double> x;
    std::vector<std::size_t> y;
    double lo = 0, hi = 1;
};

// The test rows in the standardised feature domain: every feature moves by at most epsilon
// training standard deviations and stays within the standardised range of the training and
// attacked rows (a test row may lie beyond the training range; the attack must start inside).
attack_inputs test_rows(const m::detector_profile& profile, const std::string& path, const std::string& data, std::size_t rows,
                        std::vector<double>& scale, std::vector<double>& offset) {
    const auto set = split_of(profile, path, data, std::nullopt, "attack");
    const auto& s = set.split;
    const std::size_t n = rows == 0 ? s.test.size() : std::min(rows, s.test.size());
    attack_inputs in{nn::tensor<double>({n, width}), std::vector<std::size_t>(s.test.y.begin(), s.test.y.begin() + long(n))};
    std::copy(s.test.x.values().begin(), s.test.x.values().begin() + long(n * width), in.x.values().begin());
    s.scaler.transform(in.x.values());
    nn::tensor<double> train_z = s.train.x;
    s.scaler.transform(train_z.values());
    const auto [train_lo, train_hi] = std::minmax_element(train_z.values().begin(), train_z.values().end());
    const auto [test_lo, test_hi] = std::minmax_element(in.x.values().begin(), in.x.values().end());
    in.lo = std::min(*train_lo, *test_lo), in.hi = std::max(*train_hi, *test_hi);
    scale = s.scaler.scale(), offset = s.scaler.offset();
    std::printf("%zu test rows attacked; features standardised by the training rows, box [%.2f, %.2f]\n", n, in.lo, in.hi);
    return in;
}

// The windows of the recordings that the detector judges (whole seconds at its rate, as it cuts
// them), each labelled with its clean verdict: an attack succeeds when it flips the verdict. The
// box is the sample range [-1, 1].
attack_inputs judged_windows(m::voice_detector& detector, const std::vector<std::string>& wavs) {
    const unsigned rate = detector.profile().sample_rate;
    std::vector<double> samples;
    std::vector<std::size_t> verdicts;
    for (const auto& path : wavs) {
        const auto file = a::read_wav(path);
        const std::vector<double> mono = file.mono();
        const auto signal = file.sample_rate == rate ? mono : a::resample(std::span<const double>(mono), file.sample_rate, rate);
        for (std::size_t first = 0, index = 0; first + rate <= signal.size(); first += rate, ++index) {
            const std::span<const double> window(signal.data() + first, rate);
            const auto w = detector.judge_window(window, index, double(index));
            std::printf("  %s, window %zu: %s (%s), level %.1f dBFS\n", path.c_str(), index, m::to_string(w.status),
                        w.status == m::window_status::judged ? (w.fake >= 0.5 ? "FAKE" : "REAL") : w.reason.c_str(), w.level_dbfs);
            if (w.status != m::window_status::judged) continue;
            samples.insert(samples.end(), window.begin(), window.end());
            verdicts.push_back(w.fake >= 0.5 ? 1 : 0);
        }
    }
    qhybrid::require(!verdicts.empty(), [] { return std::string("attack --wav: the detector judges no whole second of these recordings"); });
    return {nn::tensor<double>({verdicts.size(), rate}, std::move(samples)), std::move(verdicts), -1.0, 1.0};
}

// A window as a 16-bit PCM file stores it.
std::vector<double> as_pcm16(std::span<const double> window) {
    std::vector<double> pcm(window.begin(), window.end());
    for (double& v : pcm) v = std::clamp(std::round(v * 32768), -32768.0, 32767.0) / 32768;
    return pcm;
}

// The detector itself (silence, band and domain gates, then its verdict) on the windows `x`, as
// computed and as 16-bit PCM: how many verdicts differ from the labels, and how many are no
// longer judged.
void judge_again(m::voice_detector& detector, const nn::tensor<double>& x, std::span<const std::size_t> labels, const std::string& what) {
    std::size_t flipped = 0, flipped_pcm = 0, gated = 0;
    for (std::size_t b = 0; b < labels.size(); ++b) {
        const auto w = detector.judge_window(x.row(b)), wp = detector.judge_window(as_pcm16(x.row(b)));
        gated += w.status != m::window_status::judged;
        flipped += w.status == m::window_status::judged && (w.fake >= 0.5) != (labels[b] == 1);
        flipped_pcm += wp.status == m::window_status::judged && (wp.fake >= 0.5) != (labels[b] == 1);
    }
    std::printf("the detector on %s: verdict flipped on %zu of %zu (%zu as 16-bit PCM), %zu no longer judged\n", what.c_str(), flipped,
                labels.size(), flipped_pcm, gated);
}

// Detectors under AutoAttack's standard suite (two classes: APGD-CE, APGD with the margin loss
// and Square), on their test rows' standardised features or on the windows of recordings. Under
// mpirun each study's parts and blocks of rows are shared by the processes (dist::study): the same
// figures for any number of processes; rank 0 prints and writes.
int attack(const qhybrid::dist::world& world, const std::vector<std::string>& paths, const std::string& data, attack_settings o,
           const std::string& table_prefix) {
    const bool root = world.root();
    if (!table_prefix.empty())
        for (const char* suffix : {".md", "_runs.csv", "_summary.csv"}) check_output(table_prefix + suffix, {paths.begin(), paths.end()});
    const bool waveform = !o.wavs.empty();
    if (o.eps.empty()) o.eps = waveform ? std::vector<double>{1e-5, 3e-5, 1e-4} : std::vector<double>{0.05, 0.1, 0.25};
    if (o.sweep.empty())
        o.sweep = waveform ? std::vector<double>{1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3}
                           : std::vector<double>{0.02, 0.05, 0.1, 0.25, 0.5, 1, 2};
    const char* unit = waveform ? "" : " sd";
    std::vector<std::string> metrics = {"clean accuracy"};
    for (double e : o.eps)
        for (const char* what : {"APGD-CE", "APGD (margin)", "Square", "worst case"})
            metrics.push_back(qhybrid::significant(e, 3) + unit + ", " + what);
    qhybrid::stats::seed_table table(metrics);
    std::vector<std::string> kinds;
    std::map<std::string, std::set<std::uint64_t>> seeds_of;
    std::size_t failed_checks = 0;
    for (const auto& path : paths) {
        model mdl = load(path);
        qhybrid::require(mdl.data == data_set::deep_voice, [&] { return path + ": attack takes DEEP-VOICE detectors (cnn, qt-cnn or qshield)"; });
        const m::detector_profile profile = m::read_profile(mdl.metadata, path);
        const std::uint64_t seed = profile.split.seed;
        if (root) std::printf("%s (%s, seed %llu)\n", path.c_str(), mdl.name.c_str(), static_cast<unsigned long long>(seed));
        std::size_t eot = 1;
        if (auto* shield = dynamic_cast<m::qshield<m::qshield_qubits(2)>*>(mdl.net.get());
            shield && shield->variant() == m::qshield_variant::faithful) { // detached and random: BPDA and EOT
            shield->set_variant(m::qshield_variant::differentiable);
            eot = o.eot;
            if (root)
                std::printf("its quantum branch is detached and its projection redrawn per call: attacked through the module "
                            "(BPDA with the module's exact gradient), every step and verdict over %zu draws (EOT), each projection "
                            "drawn from the attack's stream\n", eot);
        }
        const rb::study_options so{.epsilons = o.eps, .sweep = o.sweep, .classes = 2, .seed = seed, .steps = o.steps, .queries = o.queries,
                                   .eot = eot};
        // The projection from the attack's generator (robust::reseeding), so that a block of rows
        // sees the draws it would see in the whole batch; blocks of rows for every process.
        auto run_study = [&](auto& attacked, const nn::tensor<double>& x, std::span<const std::size_t> y, rb::study_options opts) {
            rb::reseeding model(attacked, *mdl.net);
            const std::size_t rows = o.block_rows ? o.block_rows : (y.size() + world.size() - 1) / world.size();
            auto st = qhybrid::dist::study(world, model, x, y, opts, {.block_rows = rows});
            for (std::size_t k = 0; k < st.reports.size() && root; ++k)
                std::printf("\nepsilon %s%s:\n%s", qhybrid::significant(o.eps[k], 3).c_str(), unit, st.reports[k].markdown().c_str());
            return st;
        };
        rb::study_result st;
        if (waveform) {
            m::voice_detector detector(*mdl.net, profile);
            const auto in = judged_windows(detector, o.wavs);
            if (root)
                std::printf("%zu window%s of 1 s at %u Hz attacked in sample amplitude (box [-1, 1]); labels: their clean verdicts\n",
                            in.y.size(), in.y.size() == 1 ? "" : "s", profile.sample_rate);
            rb::deep_voice_waveform_model<double> net(*mdl.net, {.rate = profile.sample_rate, .temperature = profile.temperature,
                                                                 .min_window_seconds = profile.min_window_seconds});
            auto opts = so;
            opts.lo = in.lo, opts.hi = in.hi;
            st = run_study(net, in.x, in.y, opts);
            if (root) judge_again(detector, in.x, in.y, "the clean windows"); // 16-bit rounding alone, for comparison
            for (double eps : root ? o.eps : std::vector<double>{}) {
                const auto res = rb::apgd(net, in.x, in.y, {.t = {.epsilon = eps, .lo = in.lo, .hi = in.hi}, .steps = o.steps, .eot = eot, .seed = seed});
                judge_again(detector, res.adversarial, in.y, "APGD-CE's windows at " + qhybrid::significant(eps, 3));
            }
        } else {
            std::vector<double> scale, offset;
            const auto in = test_rows(profile, path, data, o.rows, scale, offset);
            standardised_detector net{rb::network<double>(*mdl.net), scale, offset};
            auto opts = so;
            opts.lo = in.lo, opts.hi = in.hi;
            st = run_study(net, in.x, in.y, opts);
        }
        std::vector<double> values{st.reports[0].clean_accuracy};
        for (const auto& rep : st.reports) {
            for (const auto& r : rep.rows) values.push_back(r.robust_accuracy); // APGD-CE, APGD (margin), Square
            values.push_back(rep.worst_case_accuracy);
        }
        table.add(mdl.name, seed, values);
        if (!seeds_of.contains(mdl.name)) kinds.push_back(mdl.name);
        seeds_of[mdl.name].insert(seed);
        failed_checks += st.failed_checks();
        if (!root) continue;
        std::printf("APGD-CE, success on correct rows by budget:");
        for (const auto& [eps, rate] : st.sweep) std::printf(" %s%s %.4f;", qhybrid::significant(eps, 3).c_str(), unit, rate);
        std::printf("\nAPGD-CE at %s%s, fooled by steps:", qhybrid::significant(o.eps[o.eps.size() / 2], 3).c_str(), unit);
        for (std::size_t k = 0; k < st.steps.size(); ++k) std::printf(" %zu %.4f;", st.steps[k], st.fooled_by_steps[k]);
        std::printf("\n");
        for (const auto& w : st.warnings) std::printf("WARNING: %s\n", w.c_str());
        std::printf("\n");
    }
    if (!root) return 0;
    // Paired comparisons of the worst case between kinds, over the seeds both ran (two or more).
    std::string summary = table.markdown() + (waveform ? "(share of the windows whose verdict survives: mean [95% t-interval] over seeds)\n\n"
                                                       : "(robust accuracy on the attacked test rows: mean [95% t-interval] over seeds)\n\n");
    for (std::size_t i = 0; i < kinds.size(); ++i)
        for (std::size_t j = i + 1; j < kinds.size(); ++j) {
            std::size_t shared = 0;
            for (auto seed : seeds_of[kinds[i]]) shared += seeds_of[kinds[j]].contains(seed);
            if (shared < 2) continue;
            for (const auto& metric : metrics)
                if (metric == "clean accuracy" || metric.ends_with("worst case"))
                    summary.append(table.comparison(kinds[i], kinds[j], metric)).append("\n");
        }
    std::printf("%smasking checks that failed: %zu\n", summary.c_str(), failed_checks);
    if (!table_prefix.empty()) {
        table.write_csv(table_prefix + "_runs.csv", table_prefix + "_summary.csv");
        qhybrid::write_file_atomically(table_prefix + ".md", summary, "qhybrid attack");
    }
    return 0;
}

int export_model(const std::string& path, const std::string& header, const std::string& name, bool as_double) {
    check_output(header, {path});
    model mdl = load(path);
    qhybrid::require(mdl.data == data_set::deep_voice && mdl.classical,
                     [&] { return path + ": " + mdl.name + " holds a quantum layer or module; only the CNN and QT-CNN (its generated CNN) export"; });
    auto net = mdl.classical();
    qhybrid::embedded::export_header(net, {width}, header,
                                     {.name = name, .type = as_double ? qhybrid::embedded::element::float64
                                                                      : qhybrid::embedded::element::float32});
    std::printf("wrote %s (namespace %s, %s)\n", header.c_str(), name.c_str(), as_double ? "double" : "float");
    return 0;
}

qhybrid::json::value to_json(const m::file_judgement& f, bool windows) {
    auto number_or_null = [](double v) { return std::isfinite(v) ? qhybrid::json::value(v) : qhybrid::json::value(); };
    qhybrid::json::value j = {{"file", f.source}, {"verdict", f.verdict()}, {"input_rate", f.input_rate},
                              {"model_rate", f.model_rate}, {"seconds", f.seconds}, {"notes", f.notes},
                              {"windows_judged", f.judged}, {"windows_too_short", f.too_short}, {"windows_silent", f.silent},
                              {"windows_narrow_band", f.narrow_band}, {"windows_out_of_domain", f.out_of_domain},
                              {"p_fake", number_or_null(f.fake)}};
    if (!f.decided()) j["reason"] = f.cannot_judge;
    if (windows) {
        j["windows"] = qhybrid::json::value::array();
        for (const auto& w : f.windows) {
            qhybrid::json::value jw = {{"index", w.index}, {"start", w.start}, {"seconds", w.seconds}, {"status", m::to_string(w.status)},
                                       {"level_dbfs", number_or_null(w.level_dbfs)}, {"upper_band_db", number_or_null(w.upper_band_db)},
                                       {"p_fake", number_or_null(w.fake)},
                                       {"distance2", number_or_null(w.distance2)}};
            if (!w.reason.empty()) jw["reason"] = w.reason;
            j["windows"].push_back(jw);
        }
    }
    return j;
}

int detect(const std::string& path, const std::string& wav_path, bool windows, bool as_json) {
    model mdl = load(path);
    qhybrid::require(mdl.data == data_set::deep_voice,
                     [&] { return path + ": detect needs a DEEP-VOICE model (cnn, qt-cnn or qshield), this one classifies digits"; });
    m::voice_detector detector(*mdl.net, m::read_profile(mdl.metadata, path));
    const m::file_judgement f = detector.judge(wav_path);
    if (as_json) {
        std::printf("%s\n", to_json(f, windows).dump(2).c_str());
        return f.decided() ? 0 : cannot_judge_exit;
    }
    if (f.decided())
        std::printf("%s %.4f  (%s: %zu of %zu windows judged)\n", f.verdict(), f.confidence(), wav_path.c_str(), f.judged,
                    f.windows.size());
    else
        std::printf("CANNOT JUDGE: %s  (%s)\n", f.cannot_judge.c_str(), wav_path.c_str());
    for (const auto& note : f.notes) std::printf("  note: %s\n", note.c_str());
    if (f.decided() && f.judged < f.windows.size())
        std::printf("  left out: %zu too short, %zu silent, %zu narrow band, %zu out of the training domain\n", f.too_short,
                    f.silent, f.narrow_band, f.out_of_domain);
    if (windows)
        for (const auto& w : f.windows) {
            std::printf("  window %zu  %6.1f s  %-13s", w.index, w.start, m::to_string(w.status));
            if (w.status == m::window_status::judged) std::printf("  P(FAKE) %.4f\n", w.fake);
            else std::printf("  %s\n", w.reason.c_str());
        }
    return f.decided() ? 0 : cannot_judge_exit;
}

} // namespace

int main(int argc, char** argv) {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("qhybrid: deepfake-voice detection with QT-CNN and spoken-digit QC-CNN");
    app.set_version_flag("--version", "qhybrid " QHYBRID_VERSION);
    app.require_subcommand(1);
    std::string data, model_kind = "qt-cnn", out, path, header, name = "deepfake_detector", wav_path;
    std::size_t blocks = 12, epochs = 200, patience = 15, shards = 1;
    std::string seed_text = "1";
    bool as_double = false, windows = false, as_json = false;
    std::string curves, table_prefix;
    std::vector<std::string> paths;
    auto* t = app.add_subcommand("train", "train a model and save its weights");
    t->add_option("--model", model_kind,
                  "cnn, qt-cnn, qshield, qshield-differentiable (DEEP-VOICE detectors); qc-cnn or qc-baseline (FSDD digits); speaker-cnn (FSDD speakers)")
        ->check(CLI::IsMember({"cnn", "qt-cnn", "qshield", "qshield-differentiable", "qc-cnn", "qc-baseline", "speaker-cnn"}));
    auto* blocks_option = t->add_option("--blocks", blocks, "QT-CNN blocks: 12, 24, 48 or 96")->check(CLI::IsMember(cli::block_counts));
    t->add_option("--data", data, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    t->add_option("--seed", seed_text, "seed of the split, initialisation and minibatch order");
    t->add_option("--epochs", epochs, "most training epochs; early stopping usually ends sooner")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    t->add_option("--patience", patience, "epochs without a better validation loss before stopping")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    t->add_option("--shards", shards, "parts of every minibatch, shared by the processes under mpirun (1: one process's training)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
    t->add_option("--out", out, "weights file to write")->required();
    auto* e = app.add_subcommand("eval", "accuracy of saved models on their test splits");
    e->add_option("models", paths, "weights files")->required();
    e->add_option("--data", data, "data folder");
    auto* eval_seed = e->add_option("--seed", seed_text, "refused unless it is the seed the model was trained with");
    e->add_option("--curves", curves, "folder for ROC, reliability and confusion CSV files (DEEP-VOICE detectors)");
    e->add_flag("--json", as_json, "the figures as one line of JSON per model (DEEP-VOICE detectors)");
    e->add_option("--table", table_prefix, "summarise the detectors over their seeds in PREFIX.md, PREFIX_runs.csv, PREFIX_summary.csv");
    auto* x = app.add_subcommand("export", "write a DEEP-VOICE model as an embedded C++ header");
    x->add_option("model", path, "weights file")->required();
    x->add_option("header", header, "header to write")->required();
    x->add_option("--name", name, "namespace in the header");
    x->add_flag("--double", as_double, "double weights (default float, for Cortex-M4F)");
    auto* det = app.add_subcommand("detect", "REAL, FAKE or CANNOT JUDGE (exit code 3) for a WAV file, with its calibrated probability");
    det->add_option("model", path, "weights file")->required();
    det->add_option("wav", wav_path, "WAV file")->required();
    det->add_flag("--windows", windows, "the outcome of every 1-second window");
    det->add_flag("--json", as_json, "the judgement as JSON");
    attack_settings attack_options;
    auto* atk = app.add_subcommand("attack", "robust accuracy of DEEP-VOICE detectors under AutoAttack's standard suite, on the "
                                             "standardised features of their test rows or on the samples of recordings");
    atk->add_option("models", paths, "weights files")->required();
    atk->add_option("--data", data, "data folder");
    atk->add_option("--wav", attack_options.wavs, "attack the judged 1-second windows of these recordings, sample by sample")
        ->check(CLI::ExistingFile);
    atk->add_option("--eps", attack_options.eps,
                    "L-inf budgets: in training standard deviations of each feature (default 0.05 0.1 0.25), or in sample "
                    "amplitude with --wav (default 1e-5 3e-5 1e-4; 16-bit PCM's step is 3.05e-5)")
        ->check(CLI::PositiveNumber);
    atk->add_option("--sweep", attack_options.sweep, "budgets of the APGD-CE sweep, the last large enough to fool every correct row")
        ->check(CLI::PositiveNumber);
    auto* rows_option = atk->add_option("--rows", attack_options.rows, "test rows attacked, the first N of the split (0: all)");
    atk->add_option("--steps", attack_options.steps, "APGD steps")->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    atk->add_option("--queries", attack_options.queries, "Square queries")->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    atk->add_option("--eot", attack_options.eot, "draws per step and verdict against a random model (the faithful QShield)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
    atk->add_option("--block-rows", attack_options.block_rows,
                    "rows a work item under mpirun (0: the rows shared evenly by the processes; the figures do not depend on it)");
    atk->add_option("--table", table_prefix, "the table over seeds in PREFIX.md, PREFIX_runs.csv, PREFIX_summary.csv");
    cli::unlearn_settings forget;
    auto* ul = app.add_subcommand("unlearn", "make a speaker CNN forget a speaker, judged against the original and the retrained network");
    ul->add_option("model", forget.model, "weights file of a speaker CNN (qhybrid train --model speaker-cnn)")->required();
    ul->add_option("--forget-speaker", forget.speaker, "the speaker to forget (FSDD's speakers.csv name)")->required();
    ul->add_option("--method", forget.method, std::string("one of ") + cli::unlearn_method_names());
    ul->add_flag("--against-retrain", forget.against_retrain, "also retrain without the speaker from the model's seed and judge that");
    ul->add_option("--shadows", forget.shadows, "networks retrained without the speaker for offline LiRA (0: none; 2 or more)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
    ul->add_option("--epochs", forget.epochs, "epochs of the fine-tuning methods (the paper's 5)")->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
    ul->add_option("--max-epochs", forget.max_epochs, "most epochs of retraining (early stopping)")->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    ul->add_option("--relearn-steps", forget.relearn_steps, "most steps of relearning")->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
    ul->add_option("--data", forget.data, "data folder");
    ul->add_option("--out", forget.out, "weights file for the unlearned network");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& err) {
        if (!world.root()) return err.get_exit_code() == 0 ? 0 : 2;
        if (err.get_exit_code() == 0) return app.exit(err); // --help, --version
        std::fprintf(stderr, "qhybrid: %s (qhybrid --help lists the options)\n", err.what());
        return 2;
    }
    try {
        const std::uint64_t seed = parse_seed(seed_text);
        if (t->parsed()) {
            qhybrid::require(model_kind == "qt-cnn" || blocks_option->count() == 0,
                             [&] { return "--blocks is for qt-cnn; a " + model_kind + " model has no blocks"; });
            return train(world, model_kind, blocks, data, seed, epochs, patience, shards, out);
        }
        if (atk->parsed()) {
            qhybrid::require(attack_options.wavs.empty() || rows_option->count() == 0,
                             [] { return std::string("--rows picks test rows of the features; with --wav the recordings are attacked"); });
            return attack(world, paths, data, attack_options, table_prefix);
        }
        if (!world.root()) return 0;
        if (e->parsed()) return eval(paths, data, eval_seed->count() ? std::optional(seed) : std::nullopt, curves, as_json, table_prefix);
        if (x->parsed()) return export_model(path, header, name, as_double);
        if (ul->parsed()) {
            qhybrid::require(forget.shadows != 1, [] { return std::string("--shadows 1: LiRA needs 2 or more networks (or 0 for none)"); });
            if (!forget.out.empty()) check_output(forget.out, {forget.model});
            return cli::unlearn(forget);
        }
        return detect(path, wav_path, windows, as_json);
    } catch (const std::exception& err) {
        std::string message = err.what();
        std::replace(message.begin(), message.end(), '\n', ' ');
        if (world.root()) std::fprintf(stderr, "qhybrid: %s\n", message.c_str());
        return 2;
    }
}
