// QC-CNN on FSDD log-mel spectrograms: the CNN with the 8-qubit ZZFeatureMap + RealAmplitudes
// layer (models::qc_cnn, quantum head) against the same network with a dense layer of the same
// width (classical head), on three tasks:
//   small:  two digits (0 and 1), 100 recordings each drawn per seed, stratified 80/20 train/test
//           (the paper's GTZAN-subset scale);
//   large:  two speakers, all 500 recordings each, official test recordings (the paper's birdsong
//           scale; its claim: hybrid 95.04% vs CNN 92.88%, less overfitting);
//   digits: all 10 digits, official test recordings.
// Every task holds out a stratified share (--validation, 15%) of its training recordings, drawn
// with the seed, for validation. Both models are trained the same way: SGD with momentum 0.9 as
// in the paper (or Adam, --adam), each learning rate of one grid, early stopping on the
// validation loss with one patience, the best epoch restored. For each model the learning rate
// with the lowest mean validation loss over the seeds is chosen, and only those runs are
// evaluated on the test recordings. A run failed if its validation accuracy is not above the
// majority rate (one-sided binomial test at 1%).
//
// The trainings (seed x learning rate x model) are a dist::sweep: `mpirun -np N qc_cnn_fsdd ...` (a
// build with QHYBRID_MPI) runs them on N processes and writes the same CSV files; --checkpoint keeps
// every finished training. Each returns its validation scores and weights, so that only the chosen
// ones meet the test recordings, after the sweep.
//
//   qc_cnn_fsdd [--data DIR] [--seeds S] [--tasks small large digits] [--adam] [--lrs LR...]
//               [--max-epochs N] [--patience P] [--validation F] [--out DIR] [--checkpoint DIR]
#include "fsdd_spectrograms.hpp"
#include "seed_sweep.hpp"

#include <qhybrid/qhybrid.hpp>
#include <qhybrid/stats.hpp>

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace st = qhybrid::stats;
using namespace fsdd_spectrograms;

namespace {

struct task {
    std::string name;
    std::vector<std::size_t> train, validation, test, labels; // recording indices; label of every recording
    std::size_t classes;
};

// Moves a stratified `fraction` of t.train, drawn with `gen`, to t.validation.
void hold_out_validation(task& t, double fraction, qhybrid::rng& gen) {
    std::vector<std::size_t> y;
    for (auto r : t.train) y.push_back(t.labels[r]);
    const auto split = d::stratified_split(std::span<const std::size_t>(y), fraction, gen);
    std::vector<std::size_t> train;
    for (auto i : split.train) train.push_back(t.train[i]);
    for (auto i : split.test) t.validation.push_back(t.train[i]);
    t.train = std::move(train);
}

task make_task(const std::string& name, const d::fsdd& set, const spectrograms& s, double validation, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    task t{name, {}, {}, {}, {}, 2};
    if (name == "digits") {
        t = {name, set.train(), {}, set.test(), s.digit, 10};
    } else if (name == "large") { // the first two speakers, all their recordings
        t.labels.assign(s.speaker.size(), 0);
        for (std::size_t r = 0; r < s.speaker.size(); ++r) {
            if (s.speaker[r] > 1) continue;
            t.labels[r] = s.speaker[r];
            (set.recordings()[r].is_test() ? t.test : t.train).push_back(r);
        }
    } else { // small: 100 recordings each of digits 0 and 1, drawn with the seed, then split 80/20
        std::vector<std::size_t> picked, picked_labels;
        for (std::size_t digit : {0, 1}) {
            std::vector<std::size_t> rows;
            for (std::size_t r = 0; r < s.digit.size(); ++r)
                if (s.digit[r] == digit) rows.push_back(r);
            for (std::size_t i = 0; i < 100; ++i) std::swap(rows[i], rows[i + gen.below(rows.size() - i)]);
            for (std::size_t i = 0; i < 100; ++i) picked.push_back(rows[i]), picked_labels.push_back(digit);
        }
        const auto split = d::stratified_split(std::span<const std::size_t>(picked_labels), 0.2, gen);
        for (auto i : split.train) t.train.push_back(picked[i]);
        for (auto i : split.test) t.test.push_back(picked[i]);
        t.labels = s.digit;
    }
    hold_out_validation(t, validation, gen);
    return t;
}

struct data_sets {
    nn::labelled<double> train, validation, test;
};

// Standardised with the training part's mean and deviation only.
data_sets load(const task& t, const spectrograms& s) {
    const auto [mean, sd] = s.moments(t.train);
    return {s.images(t.train, t.labels, mean, sd), s.images(t.validation, t.labels, mean, sd), s.images(t.test, t.labels, mean, sd)};
}

struct settings {
    std::size_t max_epochs = 200, patience = 15, batch = 32;
    double validation = 0.15;
    bool adam = false;
    std::string checkpoint;
};

const char* model_name(m::qc_head head) { return head == m::qc_head::quantum ? "QC-CNN" : "CNN"; }

nn::sequential<double> build(const task& t, m::qc_head head, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    return m::qc_cnn<double>({.frames = frames, .mels = mels, .classes = t.classes}, head, gen, seed + 1);
}

// A run on the validation data: the restored best epoch's weights and how it got there.
struct run {
    BOOST_HANA_DEFINE_STRUCT(run, (std::string, report), (std::vector<double>, weights), (double, val_loss), (double, val_accuracy),
                             (std::uint64_t, epochs), (std::uint64_t, best_epoch), (std::uint8_t, failed));
};

run train(const task& t, const data_sets& data, m::qc_head head, const settings& o, double lr, std::uint64_t seed, bool live) {
    auto net = build(t, head, seed);
    const nn::fit_options fit{.epochs = o.max_epochs, .batch_size = o.batch, .seed = seed, .patience = o.patience,
                              .restore_best = true, .progress = false};
    std::vector<nn::epoch_record> history;
    if (o.adam) {
        nn::adam<double> opt(net.parameters(), {.lr = lr});
        history = nn::fit(net, opt, data.train, &data.validation, fit);
    } else {
        nn::sgd<double> opt(net.parameters(), {.lr = lr, .momentum = 0.9});
        history = nn::fit(net, opt, data.train, &data.validation, fit);
    }
    const auto best = std::min_element(history.begin(), history.end(),
                                       [](const auto& a, const auto& b) { return a.val_loss < b.val_loss; });
    const auto v = nn::evaluate(net, data.validation, 128);
    const std::size_t n = data.validation.size(), correct = std::size_t(std::llround(v.accuracy * double(n)));
    run out{{}, nn::weight_values(net), v.loss, v.accuracy, history.size(), std::uint64_t(best - history.begin()) + 1,
            !st::above_chance(correct, n, st::majority_rate(data.validation.y))};
    double seconds = 0;
    for (const auto& e : history) seconds += e.seconds;
    seed_sweep::seed_output log(seed, live);
    log.print("  %-6s seed %llu  %-6s lr %-6g  epochs %3llu (best %3llu)  val loss %.4f  val acc %.4f%s  %.2f s/epoch\n",
              t.name.c_str(), static_cast<unsigned long long>(seed), model_name(head), lr, static_cast<unsigned long long>(out.epochs),
              static_cast<unsigned long long>(out.best_epoch), out.val_loss, out.val_accuracy, out.failed ? "  FAILED" : "",
              seconds / double(history.size()));
    out.report = std::move(log).take().report;
    return out;
}

// 1 where the model's class is the label, per test sample.
std::vector<std::uint8_t> correct_flags(nn::sequential<double>& net, const nn::labelled<double>& data) {
    const auto predicted = nn::argmax_rows(nn::predict(net, data.x, 128));
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < predicted.size(); ++i) out.push_back(predicted[i] == data.y[i]);
    return out;
}

void run_task(const qhybrid::dist::world& world, const std::string& name, const d::fsdd& set, const spectrograms& s, const settings& o,
              const std::vector<double>& lrs, std::uint64_t seeds, const std::string& out) {
    const m::qc_head heads[] = {m::qc_head::quantum, m::qc_head::classical};
    auto grid_name = [](m::qc_head h, double lr) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s lr %g", model_name(h), lr);
        return std::string(buf);
    };
    if (world.root()) {
        const task t = make_task(name, set, s, o.validation, 1);
        std::printf("\n%s: %zu train, %zu validation, %zu test recordings, %zu classes\n", name.c_str(), t.train.size(),
                    t.validation.size(), t.test.size(), t.classes);
        std::fflush(stdout);
    }
    // Validation phase: every seed, learning rate and model, one item each.
    const std::size_t per_seed = lrs.size() * std::size(heads);
    std::vector<bool> printed(seeds * per_seed);
    const auto key = seed_sweep::key("qc_cnn_fsdd")
                         .with("task", name).with("seeds", seeds).with("adam", o.adam ? "yes" : "no").with("lrs", lrs)
                         .with("max epochs", o.max_epochs).with("patience", o.patience).with("batch", o.batch)
                         .with("validation", o.validation);
    std::vector<run> trained = qhybrid::dist::sweep(world, seeds * per_seed, [&](std::size_t item) {
        const std::uint64_t seed = 1 + item / per_seed;
        const task t = make_task(name, set, s, o.validation, seed);
        run r = train(t, load(t, s), heads[item % std::size(heads)], o, lrs[item % per_seed / std::size(heads)], seed, world.root());
        printed[item] = world.root();
        return r;
    }, {.checkpoint = o.checkpoint.empty() ? "" : o.checkpoint + "/" + name, .key = key.str()});
    if (!world.root()) return;
    st::seed_table grid({"validation loss", "validation accuracy", "epochs run", "best epoch"});
    std::map<std::string, std::vector<run>> runs;       // by grid name, in seed order
    std::map<std::string, std::size_t> hit_max;
    for (std::size_t item = 0; item < trained.size(); ++item) {
        run& r = trained[item];
        if (!printed[item]) std::fputs(r.report.c_str(), stdout);
        const auto g = grid_name(heads[item % std::size(heads)], lrs[item % per_seed / std::size(heads)]);
        grid.add(g, 1 + item / per_seed, {r.val_loss, r.val_accuracy, double(r.epochs), double(r.best_epoch)}, r.failed != 0);
        hit_max[g] += r.epochs == o.max_epochs;
        runs[g].push_back(std::move(r));
    }
    std::printf("\n%s, validation (grid over learning rates; mean [95%% t-interval] over seeds 1-%llu):\n\n%s", name.c_str(),
                static_cast<unsigned long long>(seeds), grid.markdown().c_str());
    std::printf("Runs that used all %zu epochs:", o.max_epochs);
    for (const auto& [g, n] : hit_max) std::printf(" %s %zu;", g.c_str(), n);
    std::printf("\n");
    grid.write_csv(out + "/qc_cnn_" + name + "_grid_runs.csv", out + "/qc_cnn_" + name + "_grid_summary.csv");

    // The learning rate with the lowest mean validation loss, per model.
    std::map<m::qc_head, double> chosen;
    for (const auto head : heads) {
        double best = std::numeric_limits<double>::infinity();
        for (double lr : lrs) {
            const double v = grid.summary(grid_name(head, lr), "validation loss").mean;
            if (v < best) best = v, chosen[head] = lr;
        }
        std::printf("%s: chosen lr %g (mean validation loss %.4f)\n", model_name(head), chosen[head], best);
    }

    // Test phase: only the chosen runs, each evaluated once.
    st::seed_table table({"test accuracy", "test cross-entropy", "train-test gap", "epochs run"});
    std::size_t significant[2] = {0, 0}; // seeds where McNemar p < 0.05 favours QC-CNN, the CNN
    std::printf("\n%s, McNemar on each seed's test recordings (QC-CNN vs CNN, exact, two-sided):\n", name.c_str());
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        const task t = make_task(name, set, s, o.validation, seed);
        const data_sets data = load(t, s);
        std::vector<std::uint8_t> flags[2];
        for (int k = 0; k < 2; ++k) {
            const run& r = runs[grid_name(heads[k], chosen[heads[k]])][seed - 1];
            auto net = build(t, heads[k], seed);
            seed_sweep::restore_weights(net, r.weights, "qc_cnn_fsdd: " + name + ", seed " + std::to_string(seed));
            const auto te = nn::evaluate(net, data.test, 128), tr = nn::evaluate(net, data.train, 128);
            flags[k] = correct_flags(net, data.test);
            table.add(model_name(heads[k]), seed, {te.accuracy, te.loss, tr.accuracy - te.accuracy, double(r.epochs)}, r.failed != 0);
        }
        const auto mc = st::mcnemar(flags[0], flags[1]);
        if (mc.p_value < 0.05) ++significant[mc.only_a > mc.only_b ? 0 : 1];
        std::printf("  seed %llu: right only by QC-CNN %zu, only by CNN %zu, p = %.3g\n", static_cast<unsigned long long>(seed),
                    mc.only_a, mc.only_b, mc.p_value);
    }
    std::printf("  seeds with p < 0.05: %zu favour QC-CNN, %zu the CNN\n", significant[0], significant[1]);
    std::printf("\n%s, test (chosen lr: QC-CNN %g, CNN %g; train-test gap = accuracy on the training part minus test accuracy):\n\n%s",
                name.c_str(), chosen[m::qc_head::quantum], chosen[m::qc_head::classical], table.markdown().c_str());
    for (const char* metric : {"test accuracy", "test cross-entropy", "train-test gap"})
        std::printf("%s\n", table.comparison("QC-CNN", "CNN", metric).c_str());
    table.write_csv(out + "/qc_cnn_" + name + "_runs.csv", out + "/qc_cnn_" + name + "_summary.csv");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("QC-CNN vs CNN on FSDD log-mel spectrograms, both tuned on validation data and trained to convergence");
    std::string data_flag, out = "results";
    std::uint64_t seeds = 5;
    std::vector<std::string> tasks = {"small", "large", "digits"};
    std::vector<double> lrs;
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", seeds, "seeds 1..S")->check(CLI::Range(2, 1000));
    app.add_option("--tasks", tasks, "small, large, digits")->check(CLI::IsMember({"small", "large", "digits"}));
    app.add_flag("--adam", o.adam, "Adam instead of SGD with momentum 0.9");
    app.add_option("--lrs", lrs, "learning-rate grid (default 0.003 0.01 0.03; with --adam 0.0001 0.0003 0.001)")
        ->check(CLI::PositiveNumber);
    app.add_option("--max-epochs", o.max_epochs, "epoch limit (early stopping should end runs before it)")->check(CLI::PositiveNumber);
    app.add_option("--patience", o.patience, "epochs without a better validation loss before stopping")->check(CLI::PositiveNumber);
    app.add_option("--validation", o.validation, "share of the training recordings held out for validation")
        ->check(CLI::Range(0.05, 0.5));
    app.add_option("--out", out, "folder for the CSV files");
    app.add_option("--checkpoint", o.checkpoint, "folder that keeps every finished training; a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    if (lrs.empty()) lrs = o.adam ? std::vector<double>{1e-4, 3e-4, 1e-3} : std::vector<double>{0.003, 0.01, 0.03};

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    if (world.root()) {
        std::printf("FSDD: %zu recordings, %zu frames x %zu log-mels each; %s, lr grid", set.recordings().size(), frames, mels,
                    o.adam ? "Adam" : "SGD (momentum 0.9)");
        for (double lr : lrs) std::printf(" %g", lr);
        std::printf("; minibatch %zu, at most %zu epochs, patience %zu, validation %g of the training recordings; "
                    "%zu process(es) of %zu thread(s)\n", o.batch, o.max_epochs, o.patience, o.validation, world.size(), qhybrid::threads());
    }
    for (const auto& name : tasks) run_task(world, name, set, s, o, lrs, seeds, out);
} catch (const std::exception& e) {
    std::fprintf(stderr, "qc_cnn_fsdd: %s\n", e.what());
    return 1;
}
