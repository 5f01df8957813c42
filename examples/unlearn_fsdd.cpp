// Unlearning a speaker of FSDD speaker identification (issue 22, first table): QPAudioEraser, as
// the paper defines it and as its authors' code runs it, against every baseline of unlearn/, each
// judged against the network retrained without the speaker.
//
// Per seed: the FSDD CNN (models::fsdd_cnn, 6 classes, Adam 1e-3, batch 32, early stopping with
// patience 10 on 15% of each speaker's training recordings: fsdd_cnn's chosen recipe for the
// speaker task) trained on the official training recordings. Then, for each forgotten speaker F:
// the forget set is F's training recordings, the retain set the others'; each method starts from
// the trained network; retrain trains a fresh one on the retain set with the same recipe (its
// validation rows without F). Figures on the official test recordings (unseen by every model):
// QPAudioEraser's FA, RA, IL, FAR, FRR (its tables' 100 - RA), PER and ERB (unlearn/metrics.hpp),
// and what a privacy claim needs beside them:
// - membership inference with F's training recordings as members and F's test recordings as
//   non-members (AUC 0.5: the model cannot tell them apart, as the retrained one cannot by
//   construction): the loss-threshold attack, and offline LiRA against `--shadows` networks
//   retrained without F with other seeds (its AUC and its true-positive rate at 1% false positives);
// - a linear probe on the 64 features the last layer reads: fitted on the training recordings to
//   tell F from the others, its balanced accuracy on the test recordings;
// - relearn steps: Adam steps of ordinary training on the whole training set until F's training
//   recordings are 90% right again (checked every 10 steps, at most --relearn-steps);
// - the method's seconds.
//
//   unlearn_fsdd [--data DIR] [--seeds S] [--first-seed F] [--speakers NAME ...] [--epochs 5]
//                [--max-epochs 100] [--shadows 4] [--relearn-steps 2000] [--out DIR]
#include "fsdd_spectrograms.hpp"
#include "unlearn_methods.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <type_traits>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace st = qhybrid::stats;
namespace ul = qhybrid::unlearn;
using namespace fsdd_spectrograms;

namespace {

constexpr std::size_t speakers = 6;

struct settings {
    std::size_t seeds = 5, first_seed = 1, epochs = 5, max_epochs = 100, patience = 10, shadows = 4, relearn_steps = 2000;
    std::vector<std::string> names; // speakers to forget (default: all)
};

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("Unlearning a speaker of FSDD speaker identification: QPAudioEraser and its baselines against retraining");
    std::string data_flag, out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", o.seeds, "seeds 1..S (split, initialisation, minibatch order)")->check(CLI::Range(1, 1000));
    app.add_option("--first-seed", o.first_seed, "start at this seed (split the seeds over processes)")->check(CLI::Range(1, 1000));
    app.add_option("--speakers", o.names, "speakers to forget, each in turn (default: all six)");
    app.add_option("--epochs", o.epochs, "epochs of every fine-tuning method (the paper's 5)")->check(CLI::Range(1, 1000));
    app.add_option("--max-epochs", o.max_epochs, "most epochs of training and retraining (early stopping)")->check(CLI::Range(1, 10000));
    app.add_option("--relearn-steps", o.relearn_steps, "most steps of relearning")->check(CLI::Range(1, 1000000));
    app.add_option("--shadows", o.shadows, "networks retrained without the speaker for LiRA (0: no LiRA)")->check(CLI::Range(0, 1000));
    app.add_option("--out", out, "folder for unlearn_fsdd_speaker_{runs,summary}.csv");
    CLI11_PARSE(app, argc, argv);
    qhybrid::require(o.first_seed <= o.seeds, [&] {
        return "--first-seed " + std::to_string(o.first_seed) + " is after the last seed, --seeds " + std::to_string(o.seeds);
    });
    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    std::vector<std::size_t> forget_speakers;
    for (const auto& name : o.names) forget_speakers.push_back(set.speaker_index(name));
    if (forget_speakers.empty())
        for (std::size_t s = 0; s < set.speakers().size(); ++s) forget_speakers.push_back(s);
    const spectrograms s = features(set);
    qhybrid::require(o.shadows != 1, [] { return std::string("--shadows 1: LiRA needs 2 or more shadow networks (or 0 for none)"); });
    std::vector<std::string> columns{"FA", "RA", "IL", "FAR", "FRR (tables)", "PER", "ERB", "MIA AUC", "LiRA AUC", "LiRA TPR@1%", "probe",
                                     "relearn steps", "seconds"};
    if (o.shadows == 0) columns.erase(columns.begin() + 8, columns.begin() + 10);
    st::seed_table table(columns);
    std::printf("FSDD speaker identification (6 speakers, official split), the FSDD CNN; forgetting %zu speaker(s) in turn; %zu threads\n",
                forget_speakers.size(), qhybrid::threads());
    for (std::uint64_t seed = o.first_seed; seed <= o.seeds; ++seed) {
        const auto data = sets_of_seed<double>(s, set, s.speaker, seed);
        const auto start = std::chrono::steady_clock::now();
        auto original = train_cnn(data, speakers, 1e-3, seed, o.max_epochs, o.patience);
        const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("\nseed %llu: trained in %zu epochs, %.0f s\n", static_cast<unsigned long long>(seed), original.history.size(), train_seconds);
        std::vector<std::string> methods;            // in order of appearance
        std::map<std::string, std::vector<double>> sums; // over the forgotten speakers
        for (const std::size_t f : forget_speakers) {
            const auto retain = ul::with_label(data.train, f, false), forget = ul::with_label(data.train, f, true);
            const auto validation = ul::with_label(data.validation, f, false), test_forget = ul::with_label(data.test, f, true);
            const ul::request<double> r{retain, forget};
            const auto retrained = [&](std::uint64_t s) { return unlearn_methods::retrain_fsdd_cnn(speakers, s, o.max_epochs, o.patience, validation); };
            const auto retrain = retrained(seed);
            const ul::forgetting_task<double> task{data.train, data.test, r, test_forget, f};
            ul::out_shadows shadows; // LiRA's OUT networks: retrained without F from seeds no method uses
            for (std::size_t k = 0; k < o.shadows; ++k) {
                auto shadow = original.net;
                retrained(1000 * seed + 10 + k).unlearn(shadow, r);
                shadows.add(shadow, task);
            }
            auto trained = original.net;
            const double fa0 = ul::forgetting_metrics(ul::probabilities(trained, data.test.x), data.test.y, f, 100).fa;
            const auto evaluate = [&](const std::string& name, auto&& method) {
                auto net = original.net;
                const auto t0 = std::chrono::steady_clock::now();
                if constexpr (!std::is_same_v<std::decay_t<decltype(method)>, std::nullptr_t>) method.unlearn(net, r);
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const auto j = ul::judge(net, task, fa0, shadows, {.max_steps = o.relearn_steps, .seed = seed});
                const auto& sc = j.scores;
                const ul::membership_result lira = j.lira.value_or(ul::membership_result{});
                const std::string row = name + ", forget " + set.speakers()[f].name;
                std::vector<double> values{sc.fa, sc.ra, sc.il, sc.far, sc.frr_tables, sc.per, sc.erb, j.loss_attack.auc, lira.auc, lira.tpr_at_low_fpr,
                                           j.probe, double(j.relearn.steps), seconds};
                if (o.shadows == 0) values.erase(values.begin() + 8, values.begin() + 10);
                auto [it, first] = sums.try_emplace(name, values.size(), 0.0);
                if (first) methods.push_back(name);
                for (std::size_t k = 0; k < values.size(); ++k) it->second[k] += values[k];
                std::printf("seed %llu, %s: FA %.2f, RA %.2f, IL %.2f, FAR %.2f, PER %.1f, ERB %.2f, MIA AUC %.3f, ",
                            static_cast<unsigned long long>(seed), row.c_str(), sc.fa, sc.ra, sc.il, sc.far, sc.per, sc.erb, j.loss_attack.auc);
                if (o.shadows > 0) std::printf("LiRA AUC %.3f TPR@1%% %.3f, ", lira.auc, lira.tpr_at_low_fpr);
                std::printf("probe %.1f, relearn %zu%s steps, %.1f s\n", j.probe, j.relearn.steps, j.relearn.relearnt ? "" : "+", seconds);
                std::fflush(stdout);
            };
            evaluate("original", nullptr);
            evaluate("retrain", retrain);
            unlearn_methods::for_each_method({.forget = f, .classes = speakers, .epochs = o.epochs, .seed = seed},
                                             [&](const char* name, const char*, auto&& method) { evaluate(name, method); });
        }
        for (const auto& name : methods) { // a seed's run: the mean over the forgotten speakers
            auto v = sums[name];
            for (double& x : v) x /= double(forget_speakers.size());
            table.add(name, seed, v);
        }
    }
    std::printf("\n%s(percent on the official test recordings, the probe's balanced; the AUCs and the true-positive rate as fractions; "
                "relearn steps count --relearn-steps (%zu) for a speaker not relearnt by then; a seed's run is the mean over the forgotten speakers; "
                "mean [95%% t-interval] over seeds %zu-%zu; %zu threads)\n",
                table.markdown().c_str(), o.relearn_steps, o.first_seed, o.seeds, qhybrid::threads());
    const std::filesystem::path folder(out);
    table.write_csv(folder / "unlearn_fsdd_speaker_runs.csv", folder / "unlearn_fsdd_speaker_summary.csv");
} catch (const std::exception& e) {
    std::fprintf(stderr, "unlearn_fsdd: %s\n", e.what());
    return 1;
}
