// The FSDD digit CNN under attack, in the log-mel feature domain: the models of
// examples/fsdd_cnn.cpp's table (models::fsdd_cnn, Adam at its chosen lr 1e-3, seeds 1..S, the
// same splits and early stopping), each attacked on the 300 official test recordings (--samples N:
// N of them with the digits in turn, fsdd_spectrograms::balanced_test_order) with
// AutoAttack's standard composition (robust/suites.hpp: APGD-CE, APGD-T over the top 9 classes,
// the targeted-margin substitute for FAB-T, Square), L-inf.
//
// Threat models (--domain):
// - features (default): the attacker changes the 63 x 40 log-mel values of a recording by at most
//   epsilon dB each (the standardised features move by epsilon / sd, sd the training recordings'
//   deviation in dB), within the range the front end produces (every value within [the data's
//   minimum, maximum] after standardisation);
// - waveform: the attacker changes the 8,000 samples of a recording (1 s, cut or zero-padded, in
//   [-1, 1]) by at most epsilon each; the gradient runs back through the front end
//   (robust::waveform_model). --eps and --sweep are then amplitudes (1e-4 is -80 dB of full scale, about
//   3 steps of 16-bit PCM).
//
// Per seed and epsilon: clean accuracy, each attack's robust accuracy, the worst case; the
// report's masking checks; an epsilon sweep of APGD-CE up to a budget where it must fool every
// correct recording; and APGD-CE's success against its steps at the middle epsilon, up to twice the
// default (the budget check).
//
// --model qshield puts QShield (models/qshield.hpp: 4 qubits, the full pattern) on the same CNN,
// trained the same way; its faithful form is attacked through its module (BPDA with the module's
// exact gradient) with EOT over its redrawn projections (robust::study's rand suite).
//
//   robust_fsdd [--data DIR] [--seeds S] [--first-seed F] [--domain features|waveform] [--eps 0.5 1 2] [--sweep ...]
//               [--samples N] [--steps K] [--queries Q] [--max-epochs E] [--model cnn|qshield|qshield-differentiable]
//               [--eot N] [--block-rows R] [--out DIR] [--checkpoint DIR]
//
// A seed's study runs as a dist::study: its parts (each budget's suite, the epsilon sweep, the steps
// curve) on blocks of --block-rows recordings are work items; built with QHYBRID_MPI,
// `mpirun -np N robust_fsdd ...` shares them among N processes and writes the same CSV files, and
// --checkpoint keeps every finished item.
#include "fsdd_spectrograms.hpp"
#include "seed_sweep.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace rb = qhybrid::robust;
namespace st = qhybrid::stats;
using namespace fsdd_spectrograms;

namespace {

struct settings {
    std::size_t seeds = 5, first_seed = 1, samples = 0, steps = 100, queries = 5000, max_epochs = 100, patience = 10, eot = 20;
    std::size_t block_rows = 25; // recordings a work item (the results do not depend on it; a checkpoint does)
    std::string model = "cnn";
    std::vector<double> eps, sweep;
    bool waveform = false;
    double lr = 1e-3;
};

// The attacked inputs of a seed, the attack model and the units of epsilon.
struct attacked {
    nn::tensor<double> x;
    std::vector<std::size_t> y;
    double scale, lo, hi; // epsilon in the model's input units = epsilon / scale
};

// The given official test recordings (positions in set.test()) as 1-s signals (fix_length, as the
// front end reads them).
nn::tensor<double> test_signals(const d::fsdd& set, std::span<const std::size_t> positions) {
    nn::tensor<double> out({positions.size(), samples});
    const auto rows = set.test();
    for (std::size_t i = 0; i < positions.size(); ++i) {
        const auto signal = d::fix_length<double>(qhybrid::audio::read_wav(set.recordings()[rows[positions[i]]].path).mono(), samples);
        std::copy(signal.begin(), signal.end(), out.row(i).begin());
    }
    return out;
}

std::string label(double eps, bool waveform) { return waveform ? qhybrid::significant(eps, 3) : qhybrid::significant(eps, 3) + " dB"; }

// What the seeds add to: the table's rows, the sweep's and the steps curve's CSV lines, the count
// of failed masking checks.
struct outputs {
    st::seed_table& table;
    std::string &sweep_csv, &iterations_csv;
    std::size_t& warnings;
};

// A seed's study in the example's report, table and CSV files (rank 0 prints).
void add_seed(const rb::study_result& s, std::uint64_t seed, const settings& o, bool print, outputs& to) {
    const auto say = [print](const char* format, auto... args) {
        if (print) std::printf(format, args...);
    };
    std::vector<double> values{s.reports.front().clean_accuracy}; // the seed's row: clean accuracy, then each budget's suite and worst case
    for (std::size_t k = 0; k < o.eps.size(); ++k) {
        const auto& rep = s.reports[k];
        say("\nseed %llu, epsilon %s:\n%s", static_cast<unsigned long long>(seed), label(o.eps[k], o.waveform).c_str(), rep.markdown().c_str());
        for (const auto& r : rep.rows) values.push_back(r.robust_accuracy);
        values.push_back(rep.worst_case_accuracy);
    }
    to.table.add(o.model == "cnn" ? "fsdd_cnn" : o.model + " on fsdd_cnn", seed, values);
    say("APGD-CE, success on correct recordings by budget:");
    for (std::size_t k = 0; k < s.sweep.size(); ++k) {
        say(" %s %.4f;", label(o.sweep[k], o.waveform).c_str(), s.sweep[k].second);
        std::ostringstream line;
        line << seed << ',' << o.sweep[k] << ',' << s.sweep[k].second << '\n';
        to.sweep_csv += line.str();
    }
    say("\nAPGD-CE at %s, fooled by steps:", label(o.eps[o.eps.size() / 2], o.waveform).c_str());
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
        say(" %zu %.4f;", s.steps[k], s.fooled_by_steps[k]);
        std::ostringstream line;
        line << seed << ',' << s.steps[k] << ',' << s.fooled_by_steps[k] << '\n';
        to.iterations_csv += line.str();
    }
    say("\n");
    for (const auto& w : s.warnings) say("WARNING: %s\n", w.c_str());
    to.warnings += s.failed_checks();
    if (print) std::fflush(stdout);
}

// A seed's model, trained as examples/fsdd_cnn.cpp trains the CNN (Adam, batch 32, early stopping):
// fsdd_cnn itself, or QShield on it (10 classes on 4 qubits, the full pattern).
std::pair<std::unique_ptr<nn::layer<double>>, std::size_t> train(const seed_sets<double>& data, std::uint64_t seed, const settings& o) {
    if (o.model == "cnn") {
        auto trained = train_cnn(data, 10, o.lr, seed, o.max_epochs, o.patience);
        return {std::make_unique<nn::sequential<double>>(std::move(trained.net)), trained.history.size()};
    }
    qhybrid::rng gen(seed);
    auto backbone = std::make_unique<nn::sequential<double>>(m::fsdd_cnn::build<double>(10, gen, seed + 1));
    const bool faithful = o.model == "qshield";
    auto net = std::make_unique<m::qshield<4>>(
        std::move(backbone), 10,
        m::qshield_options{.variant = faithful ? m::qshield_variant::faithful : m::qshield_variant::differentiable,
                           .projection = faithful ? m::projection_draw::per_call : m::projection_draw::per_model, .seed = seed},
        gen);
    nn::adam<double> opt(net->parameters(), {.lr = o.lr});
    const auto history = nn::fit(*net, opt, data.train, &data.validation,
                                 {.epochs = o.max_epochs, .batch_size = 32, .seed = seed, .patience = o.patience, .progress = false});
    return {std::move(net), history.size()};
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    CLI::App app("The FSDD digit CNN under AutoAttack's standard suite, in the log-mel domain");
    std::string data_flag, out = "results", checkpoint;
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", o.seeds, "seeds 1..S (fsdd_cnn's models)")->check(CLI::Range(1, 1000));
    app.add_option("--first-seed", o.first_seed, "start at this seed (split the seeds over processes)")->check(CLI::Range(1, 1000));
    std::string domain = "features";
    app.add_option("--domain", domain, "features (log-mel values, budgets in dB) or waveform (samples, budgets in amplitude)")
        ->check(CLI::IsMember({"features", "waveform"}));
    app.add_option("--eps", o.eps, "L-inf budgets (default 0.5 1 2 dB; waveform 1e-4 3e-4 1e-3)")->check(CLI::PositiveNumber);
    app.add_option("--sweep", o.sweep, "budgets of the APGD-CE sweep, the last large enough to fool every correct recording")
        ->check(CLI::PositiveNumber);
    app.add_option("--samples", o.samples, "test recordings attacked, N of the 300 with the digits in turn (0: all)");
    app.add_option("--steps", o.steps, "APGD steps")->check(CLI::PositiveNumber);
    app.add_option("--queries", o.queries, "Square queries")->check(CLI::PositiveNumber);
    app.add_option("--max-epochs", o.max_epochs, "training epochs at most (early stopping usually ends sooner)")->check(CLI::PositiveNumber);
    app.add_option("--model", o.model, "cnn (fsdd_cnn), qshield (QShield on it, faithful: attacked through its module with EOT) or "
                                       "qshield-differentiable")
        ->check(CLI::IsMember({"cnn", "qshield", "qshield-differentiable"}));
    app.add_option("--eot", o.eot, "draws per step and verdict against the faithful QShield")->check(CLI::Range(1, 10000));
    app.add_option("--out", out, "folder for robust_fsdd_DOMAIN[_MODEL]_{runs,summary,sweep,iterations}.csv");
    app.add_option("--block-rows", o.block_rows, "recordings a work item (0: all); the figures do not depend on it, a checkpoint's items do")
        ->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
    app.add_option("--checkpoint", checkpoint, "folder that keeps every finished item (a part of a seed's study on a block of recordings); "
                                               "a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    qhybrid::require(o.first_seed <= o.seeds, [&] {
        return "--first-seed " + std::to_string(o.first_seed) + " is after the last seed, --seeds " + std::to_string(o.seeds);
    });
    o.waveform = domain == "waveform";
    if (o.eps.empty()) o.eps = o.waveform ? std::vector<double>{1e-4, 3e-4, 1e-3} : std::vector<double>{0.5, 1, 2};
    if (o.sweep.empty()) o.sweep = o.waveform ? std::vector<double>{1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2}
                                              : std::vector<double>{0.25, 0.5, 1, 2, 4, 8, 16};

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    const auto order = balanced_test_order(set);
    std::vector<std::string> metrics = {"clean accuracy"};
    for (double e : o.eps)
        for (const std::string& what : o.model == "qshield" ? std::vector<std::string>{"APGD-CE, EOT", "APGD-DLR, EOT", "Square, EOT", "worst case"}
                                                            : std::vector<std::string>{"APGD-CE", "APGD-T (DLR)", "APGD-T (margin)", "Square", "worst case"})
            metrics.push_back(label(e, o.waveform) + ", " + what);
    st::seed_table table(metrics);
    std::string sweep_csv = std::string("seed,epsilon") + (o.waveform ? "" : "_db") + ",success_on_correct\n";
    std::string iterations_csv = "seed,steps,success\n";
    std::size_t warnings = 0;
    const qhybrid::dist::world world;
    if (world.root())
        std::printf("FSDD digits, %s at lr %g; %zu process(es) of %zu thread(s); L-inf budgets %s\n",
                    o.model == "cnn" ? "fsdd_cnn" : (o.model + " on fsdd_cnn").c_str(), o.lr, world.size(), qhybrid::threads(),
                    o.waveform ? "in sample amplitude, through the front end" : "in dB of log-mel power");
    const auto key = seed_sweep::key("robust_fsdd")
                         .with("domain", domain).with("model", o.model).with("max epochs", o.max_epochs).with("lr", o.lr);
    // Each seed's study is a dist::study: its parts (each budget's suite, the epsilon sweep, the
    // steps curve) in blocks of rows, the items shared by the processes and kept by --checkpoint (a
    // full run takes hours). Every process trains the seed's model (deterministic: the same model).
    outputs to{table, sweep_csv, iterations_csv, warnings};
    for (std::uint64_t seed = o.first_seed; seed <= o.seeds; ++seed) {
        const auto data = sets_of_seed<double>(s, set, s.digit, seed);
        const auto [net, epochs] = train(data, seed, o);
        std::size_t eot = 1;
        if (auto* shield = dynamic_cast<m::qshield<4>*>(net.get()); shield && shield->variant() == m::qshield_variant::faithful) {
            shield->set_variant(m::qshield_variant::differentiable); // BPDA with the module's exact gradient, EOT over its projections
            eot = o.eot;
        }
        const std::size_t n = o.samples == 0 ? data.test.size() : std::min(o.samples, data.test.size());
        const auto a = [&] {
            const std::vector<std::size_t> rows(order.begin(), order.begin() + long(n)); // every digit in turn
            std::vector<std::size_t> y;
            for (std::size_t r : rows) y.push_back(data.test.y[r]);
            if (o.waveform) return attacked{test_signals(set, rows), y, 1.0, -1.0, 1.0};
            // The range of the front end's values, standardised.
            const auto [lo_db, hi_db] = std::minmax_element(s.values.begin(), s.values.end());
            return attacked{nn::gather_rows(data.test.x, rows), y, data.sd, (*lo_db - data.mean) / data.sd, (*hi_db - data.mean) / data.sd};
        }();
        std::vector<std::size_t> per_digit(10);
        for (std::size_t label : a.y) ++per_digit[label];
        const auto [fewest, most] = std::minmax_element(per_digit.begin(), per_digit.end());
        if (world.root())
            std::printf("\nseed %llu: %zu epochs; %zu test recordings attacked, each digit %s times; standardised with mean %.2f dB, sd %.2f dB%s\n",
                        static_cast<unsigned long long>(seed), epochs, n,
                        (*fewest == *most ? std::to_string(*most) : std::to_string(*fewest) + " to " + std::to_string(*most)).c_str(), data.mean,
                        data.sd, eot > 1 ? ("; attacked through QShield's module (BPDA) with EOT-" + std::to_string(eot)).c_str() : "");
        auto in_units = [&](std::vector<double> v) { // epsilon in the model's input units
            for (double& e : v) e /= a.scale;
            return v;
        };
        const rb::study_options so{.epsilons = in_units(o.eps), .sweep = in_units(o.sweep), .lo = a.lo, .hi = a.hi, .classes = 10,
                                   .seed = seed, .steps = o.steps, .queries = o.queries, .eot = eot};
        const qhybrid::dist::study_options d{
            .block_rows = o.block_rows,
            .sweep = {.checkpoint = checkpoint.empty() ? std::filesystem::path() : std::filesystem::path(checkpoint) / ("seed-" + std::to_string(seed)),
                      .key = key.str()}};
        // The faithful QShield's projections from the attacks' streams (robust::reseeding), so
        // that a block of recordings sees the draws the whole batch would.
        const auto study = [&](auto&& model) {
            rb::reseeding drawn(model, *net);
            return qhybrid::dist::study(world, drawn, a.x, a.y, so, d);
        };
        rb::network features_model(*net);
        rb::waveform_model<double> waveform(*net, {.stft = {.n_fft = 512, .hop_length = 128}, .rate = 8000,
                                                         .mel = {.n_mels = mels}, .db = {}, .mean = data.mean, .sd = data.sd});
        add_seed(o.waveform ? study(waveform) : study(features_model), seed, o, world.root(), to);
    }
    if (!world.root()) return 0;
    std::printf("\n%s(robust accuracy on the attacked test recordings: mean [95%% t-interval] over seeds %zu-%zu)\n"
                "masking checks that failed: %zu\n", table.markdown().c_str(), o.first_seed, o.seeds, warnings);
    const std::filesystem::path folder(out);
    const std::string stem = "robust_fsdd_" + domain + (o.model == "cnn" ? "" : "_" + o.model);
    table.write_csv(folder / (stem + "_runs.csv"), folder / (stem + "_summary.csv"));
    qhybrid::write_file_atomically(folder / (stem + "_sweep.csv"), sweep_csv, "robust_fsdd");
    qhybrid::write_file_atomically(folder / (stem + "_iterations.csv"), iterations_csv, "robust_fsdd");
} catch (const std::exception& e) {
    std::fprintf(stderr, "robust_fsdd: %s\n", e.what());
    return 1;
}
