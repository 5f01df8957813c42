// The DEEP-VOICE baseline table, under issue 18's protocol: a 1-nearest-neighbour lookup and an
// MLP on the 26 features, on two kinds of split, over seeds 1-5.
//   random    stratified 70/10/20 train/validation/test, as the papers split. The rows are
//             1-second windows of a few recordings (8 real speakers and their conversions), in
//             random order and without a recording id (data/deep_voice.hpp), so both sides hold
//             windows of the same recordings: the figures measure recognising these recordings.
//   clusters  each class cut into k k-means clusters (features standardised on all rows); whole
//             clusters held out for test (>= 20% of each class) and validation (>= 10%), the
//             rest trains (data/cluster_split.hpp): test and validation rows lie in regions of
//             feature space no training row comes from, a labelled proxy for unseen sources.
//             k = 20 by default: the test part is then about four clusters of ~300 rows per
//             class, so a seed's test set is several regions, and each share overshoots its
//             target by less than one cluster (a twentieth of the class on average).
// Models: 1-NN on features standardised by the training rows (models/nearest_neighbour.hpp: no
// training and nothing to choose; its validation accuracy is only reported); the MLP 26 -> 64 ->
// 32 -> 2 (ReLU) behind the same scaler, Adam, minibatch 64, early stopping on the validation
// loss (patience 10, best epoch restored), the learning rate chosen per split from {1e-3, 3e-3}
// by the mean validation loss over the seeds; only the chosen rate's models see the test rows.
// A run failed if its validation accuracy is not above the majority rate (exact binomial, 1%).
// Every figure is a mean with its 95% t interval over the seeds (qhybrid::stats); "--sweep" adds
// 1-NN on cluster splits of other k, to show how the stress test's difficulty depends on k.
//
// The MLP's trainings (split x learning rate x seed) are a dist::sweep: `mpirun -np N deepvoice_mlp
// ...` (a build with QHYBRID_MPI) runs them on N processes and writes the same CSV files;
// --checkpoint keeps every finished training. Each returns its validation figures and weights; the
// rest (1-NN, the choice, the test rows) runs on rank 0 after the sweep.
//
//   deepvoice_mlp [--data DIR] [--seeds N] [--clusters K] [--patience P] [--max-epochs E]
//                 [--lr A B ...] [--sweep K ...] [--out DIR] [--checkpoint DIR]
// Threads: $QHYBRID_THREADS (default all cores); the results do not depend on it.
#include "seed_sweep.hpp"

#include <qhybrid/models/detector_profile.hpp>
#include <qhybrid/models/nearest_neighbour.hpp>
#include <qhybrid/qhybrid.hpp>
#include <qhybrid/stats.hpp>

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace stats = qhybrid::stats;

namespace {

constexpr std::size_t width = d::deep_voice_width;
const std::vector<std::string> metrics{"validation accuracy", "test accuracy", "ROC AUC", "EER"};

struct settings {
    std::size_t seeds = 5, clusters = 20, patience = 10, max_epochs = 300;
    std::vector<double> lrs{1e-3, 3e-3};
    std::vector<std::size_t> sweep{5, 10, 20, 40};
    std::string checkpoint;
};

m::deep_voice_split make_split(const nn::labelled<double>& all, const std::string& kind, std::size_t clusters, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    return kind == "random" ? m::split_deep_voice(all, 0.2, gen, 0.1) : m::split_deep_voice_clusters(all, 0.2, 0.1, clusters, gen);
}

std::size_t correct_at_half(const std::vector<double>& scores, const std::vector<std::size_t>& y) {
    std::size_t correct = 0;
    for (std::size_t i = 0; i < y.size(); ++i) correct += (scores[i] >= 0.5) == (y[i] == 1);
    return correct;
}

// The table's values for one model and seed: validation accuracy, then the test figures.
struct outcome {
    std::vector<double> values;
    bool failed;
};

outcome judge(const std::vector<double>& validation_scores, const std::vector<std::size_t>& validation_y,
              const std::vector<double>& test_scores, const std::vector<std::size_t>& test_y) {
    const std::size_t correct = correct_at_half(validation_scores, validation_y);
    const bool failed = !stats::above_chance(correct, validation_y.size(), stats::majority_rate(validation_y));
    const auto r = nn::evaluate_detection(test_scores, test_y);
    return {{double(correct) / double(validation_y.size()), r.accuracy, r.auc, r.eer.rate}, failed};
}

// 26 -> 64 -> 32 -> 2 behind the split's scaler, initialised by the seed (the same for every
// learning rate of a seed).
nn::sequential<double> build_mlp(const m::deep_voice_split& s, std::uint64_t seed) {
    qhybrid::rng init(1000 + seed);
    nn::sequential<double> net;
    net.add<nn::feature_scaling<double>>(s.scaler.scale(), s.scaler.offset())
        .add<nn::dense<double>>(width, 64, init).add<nn::relu<double>>()
        .add<nn::dense<double>>(64, 32, init).add<nn::relu<double>>()
        .add<nn::dense<double>>(32, 2, init);
    return net;
}

// A trained MLP: its validation figures and weights (the restored best epoch's).
struct mlp_run {
    BOOST_HANA_DEFINE_STRUCT(mlp_run, (std::vector<double>, weights), (double, validation_loss), (double, validation_accuracy),
                             (std::uint64_t, best_epoch), (std::uint64_t, epochs),
                             (std::uint8_t, hit_max)); // early stopping never fired
};

mlp_run train_mlp(const m::deep_voice_split& s, double lr, std::uint64_t seed, const settings& o) {
    auto net = build_mlp(s, seed);
    nn::adam<double> opt(net.parameters(), {.lr = lr});
    const auto history = nn::fit(net, opt, s.train, &s.validation,
                                 {.epochs = o.max_epochs, .batch_size = 64, .seed = seed, .patience = o.patience, .restore_best = true, .progress = false});
    mlp_run r{nn::weight_values(net), std::numeric_limits<double>::infinity(), nn::evaluate(net, s.validation, 256).accuracy, 0, history.size(), 0};
    for (std::size_t e = 0; e < history.size(); ++e)
        if (history[e].val_loss < r.validation_loss) r.validation_loss = history[e].val_loss, r.best_epoch = e + 1;
    r.hit_max = history.size() == o.max_epochs && o.max_epochs - r.best_epoch < o.patience;
    return r;
}

std::string lr_name(double lr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", lr);
    return buf;
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("DEEP-VOICE baseline table: 1-NN and an MLP on random and held-out-cluster splits, over seeds");
    std::string data_flag, out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", o.seeds, "seeds 1..N (each: its split, initialisation and minibatch order)")->check(CLI::Range(2, 1000));
    app.add_option("--clusters", o.clusters, "k-means clusters per class for the cluster split")->check(CLI::PositiveNumber);
    app.add_option("--patience", o.patience, "early-stopping patience (epochs)")->check(CLI::PositiveNumber);
    app.add_option("--max-epochs", o.max_epochs, "epoch cap for the MLP")->check(CLI::PositiveNumber);
    app.add_option("--lr", o.lrs, "the MLP's learning-rate grid");
    app.add_option("--sweep", o.sweep, "cluster counts for the 1-NN sweep (none: --sweep with no values)")->expected(0, -1);
    app.add_option("--out", out, "folder for the CSV files");
    app.add_option("--checkpoint", o.checkpoint, "folder that keeps every finished training; a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    const auto start = std::chrono::steady_clock::now();

    const auto all = m::read_deep_voice_set(d::require_data(d::data_root(data_flag), "deep-voice/DATASET-balanced.csv"));
    if (world.root()) {
        std::printf("DEEP-VOICE: %zu rows of %zu features; seeds 1-%zu; %zu process(es) of %zu thread(s); MLP: patience %zu, "
                    "at most %zu epochs, learning rates {", all.size(), width, o.seeds, world.size(), qhybrid::threads(), o.patience,
                    o.max_epochs);
        for (std::size_t i = 0; i < o.lrs.size(); ++i) std::printf("%s%s", i ? ", " : "", lr_name(o.lrs[i]).c_str());
        std::printf("}; cluster split: k = %zu per class\n\n", o.clusters);
        std::fflush(stdout);
    }

    // The MLP's trainings, every split, learning rate and seed: item (kind, lr, seed), seeds fastest.
    const char* kinds[] = {"random", "clusters"};
    const std::size_t per_kind = o.lrs.size() * o.seeds;
    const auto key = seed_sweep::key("deepvoice_mlp")
                         .with("seeds", o.seeds).with("clusters", o.clusters).with("patience", o.patience)
                         .with("max epochs", o.max_epochs).with("lr", o.lrs);
    std::map<std::pair<std::string, std::uint64_t>, m::deep_voice_split> made; // a process's splits, each made once
    const auto split_of = [&](const std::string& kind, std::uint64_t seed) -> const m::deep_voice_split& {
        auto at = made.find({kind, seed});
        if (at == made.end()) at = made.emplace(std::pair{kind, seed}, make_split(all, kind, o.clusters, seed)).first;
        return at->second;
    };
    const std::vector<mlp_run> trained = qhybrid::dist::sweep(world, std::size(kinds) * per_kind, [&](std::size_t item) {
        const std::string kind = kinds[item / per_kind];
        const double lr = o.lrs[item % per_kind / o.seeds];
        const std::uint64_t seed = 1 + item % o.seeds;
        auto run = train_mlp(split_of(kind, seed), lr, seed, o);
        if (world.root())
            std::fprintf(stderr, "MLP lr %s, %s, seed %llu: validation loss %.4f at epoch %llu of %llu\n", lr_name(lr).c_str(),
                         kind.c_str(), static_cast<unsigned long long>(seed), run.validation_loss,
                         static_cast<unsigned long long>(run.best_epoch), static_cast<unsigned long long>(run.epochs));
        return run;
    }, {.checkpoint = o.checkpoint, .key = key.str()});
    if (!world.root()) return 0;

    stats::seed_table table(metrics);
    stats::seed_table tuning({"validation loss", "validation accuracy", "best epoch", "epochs run"});
    for (std::size_t k = 0; k < std::size(kinds); ++k) {
        const std::string kind = kinds[k];
        std::size_t min_test = all.size(), max_test = 0, min_train = all.size(), max_train = 0;
        for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
            const auto& s = split_of(kind, seed);
            min_test = std::min(min_test, s.test.size()), max_test = std::max(max_test, s.test.size());
            min_train = std::min(min_train, s.train.size()), max_train = std::max(max_train, s.train.size());
            const m::nearest_neighbour knn(s.train, s.scaler);
            const auto r = judge(knn.scores(s.validation.x), s.validation.y, knn.scores(s.test.x), s.test.y);
            table.add("1-NN, " + kind, seed, r.values, r.failed);
        }
        std::printf("%s split: train %zu-%zu rows, test %zu-%zu rows (validation: the rest)\n", kind.c_str(), min_train, max_train,
                    min_test, max_test);

        // Every learning rate on every seed; the choice by mean validation loss; then the test.
        const auto run_of = [&](std::size_t l, std::uint64_t seed) -> const mlp_run& {
            return trained[k * per_kind + l * o.seeds + (seed - 1)];
        };
        std::size_t chosen = 0, hit_max = 0;
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t l = 0; l < o.lrs.size(); ++l) {
            const std::string name = "MLP lr " + lr_name(o.lrs[l]) + ", " + kind;
            for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
                const mlp_run& run = run_of(l, seed);
                tuning.add(name, seed, {run.validation_loss, run.validation_accuracy, double(run.best_epoch), double(run.epochs)});
                hit_max += run.hit_max;
            }
            const double mean = tuning.summary(name, "validation loss").mean;
            if (mean < best) best = mean, chosen = l;
        }
        std::printf("%s split: MLP learning rate %s chosen (lowest mean validation loss, %.4f); runs that reached the %zu-epoch "
                    "cap without early stopping: %zu of %zu\n\n", kind.c_str(), lr_name(o.lrs[chosen]).c_str(), best, o.max_epochs,
                    hit_max, o.lrs.size() * o.seeds);
        for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
            const auto& s = split_of(kind, seed);
            auto net = build_mlp(s, seed);
            seed_sweep::restore_weights(net, run_of(chosen, seed).weights, "deepvoice_mlp: " + kind + " split, seed " + std::to_string(seed));
            const auto r = judge(m::fake_probabilities(m::logits_of(net, s.validation.x), 1.0), s.validation.y,
                                 m::fake_probabilities(m::logits_of(net, s.test.x), 1.0), s.test.y);
            table.add("MLP, " + kind, seed, r.values, r.failed);
        }
    }

    std::printf("## DEEP-VOICE baselines (mean [95%% t interval] over %zu seeds; scores: P(FAKE))\n\n%s\n", o.seeds,
                table.markdown().c_str());
    std::printf("Paired comparisons (t over seeds):\n");
    for (const std::string metric : {"test accuracy", "ROC AUC", "EER"}) {
        std::printf("- %s\n", table.comparison("MLP, random", "1-NN, random", metric).c_str());
        std::printf("- %s\n", table.comparison("MLP, clusters", "1-NN, clusters", metric).c_str());
        std::printf("- %s\n", table.comparison("MLP, random", "MLP, clusters", metric).c_str());
        std::printf("- %s\n", table.comparison("1-NN, random", "1-NN, clusters", metric).c_str());
    }
    std::printf("\n## MLP learning rates (validation only)\n\n%s\n", tuning.markdown().c_str());
    table.write_csv(std::filesystem::path(out) / "deepvoice_runs.csv", std::filesystem::path(out) / "deepvoice_summary.csv");
    tuning.write_csv(std::filesystem::path(out) / "deepvoice_tuning_runs.csv", std::filesystem::path(out) / "deepvoice_tuning_summary.csv");

    if (!o.sweep.empty()) {
        stats::seed_table sweep({"test share", "test accuracy", "ROC AUC"});
        for (std::size_t k : o.sweep)
            for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
                const auto s = make_split(all, "clusters", k, seed);
                const m::nearest_neighbour knn(s.train, s.scaler);
                const auto r = nn::evaluate_detection(knn.scores(s.test.x), s.test.y);
                sweep.add("1-NN, k = " + std::to_string(k), seed, {double(s.test.size()) / double(all.size()), r.accuracy, r.auc});
            }
        std::printf("## 1-NN on cluster splits by k (clusters per class)\n\n%s\n", sweep.markdown().c_str());
        sweep.write_csv(std::filesystem::path(out) / "deepvoice_k_runs.csv", std::filesystem::path(out) / "deepvoice_k_summary.csv");
    }
    std::printf("CSV files in %s; wall time %.1f s\n", out.c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
} catch (const std::exception& e) {
    std::fprintf(stderr, "deepvoice_mlp: %s\n", e.what());
    return 1;
}
