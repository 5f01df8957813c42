// Unlearning on FSDD (issue 22): QPAudioEraser, as the paper defines it and as its authors' code
// runs it, against every baseline of unlearn/, each judged against the network retrained without
// the forgotten class. Three classification tasks of the official recordings (--task):
// - speaker: the 6 speakers (the paper's AudioMNIST speaker task; its 60 speakers are not here);
// - accent: the 4 accents of speakers.csv (USA, BEL/French, DEU/German, GRC/Greek), the paper's
//   accent task in FSDD's size: forgetting DEU/German forgets yweweler and lucas;
// - digit: the 10 digits (the paper's class forgetting).
//
// Per seed: the network (--model: the FSDD CNN, QShield's ResNet-style CNN or QC-CNN, each with its
// recipe in unlearn_methods.hpp: Adam, batch 32, early stopping on 15% of each class's training
// recordings) trained on the official training recordings. Then each forgotten class F is a request: the forget set is F's training recordings,
// the retain set the others'; retrain trains a fresh network on the retain set with the same
// recipe (its validation rows without F). Each request starts from the trained network, or with
// --sequential from where the previous request left each method (the paper's Table 3: requests one
// after another; the classes forgotten before leave every set, retain and test). With --together
// the classes named are one request (two speakers at once: unlearn/class_set.hpp says how each
// method and figure reads a set of classes). Figures on the
// official test recordings (unseen by every model): QPAudioEraser's FA, RA, IL, FAR, FRR (its
// tables' 100 - RA), PER and ERB (unlearn/metrics.hpp), and what a privacy claim needs beside them:
// - membership inference with F's training recordings as members and F's test recordings as
//   non-members (AUC 0.5: the model cannot tell them apart, as the retrained one cannot by
//   construction): the loss-threshold attack, and offline LiRA against `--shadows` networks
//   retrained without F with other seeds (its AUC and its true-positive rate at 1% false positives),
//   and with --online LiRA proper, with as many networks trained on F's training and test
//   recordings beside the rest;
// - a linear probe on the 64 features the last layer reads: fitted on the training recordings to
//   tell F from the others, its balanced accuracy on the test recordings;
// - relearn steps: Adam steps of ordinary training on the whole training set until F's training
//   recordings are 90% right again (checked every 10 steps, at most --relearn-steps);
// - the method's seconds.
// With --ablation the methods are QPAudioEraser with each part taken out or changed (the paper's
// Table 5) instead of the baselines.
//
//   unlearn_fsdd [--data DIR] [--task speaker|accent|digit] [--model cnn|resnet|qc-cnn] [--forget NAME ...] [--sequential | --together]
//                [--ablation] [--seeds S] [--first-seed F] [--epochs 5] [--max-epochs 100] [--shadows 4] [--online]
//                [--relearn-steps 2000] [--train-every 1] [--out DIR] [--checkpoint DIR]
//
// The seeds run as a dist::sweep (seed_sweep.hpp): built with QHYBRID_MPI, `mpirun -np N unlearn_fsdd ...`
// splits them over N processes (the tables the same but for the seconds column); --checkpoint keeps
// finished seeds.
#include "fsdd_spectrograms.hpp"
#include "seed_sweep.hpp"
#include "unlearn_methods.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
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

struct settings {
    std::string task = "speaker", model = "cnn";
    std::size_t seeds = 5, first_seed = 1, epochs = 5, max_epochs = 100, shadows = 4, relearn_steps = 2000, train_every = 1;
    std::vector<std::string> names; // classes to forget (default: all, each in turn)
    bool sequential = false, together = false, ablation = false, online = false;
};

// A task's classes: their names and every recording's label.
struct task_classes {
    std::vector<std::string> names;
    std::vector<std::size_t> labels;

    std::size_t index(const std::string& name) const {
        const auto it = std::find(names.begin(), names.end(), name);
        qhybrid::require(it != names.end(), [&] {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
            return "--forget " + name + ": not a class of this task (" + known + ")";
        });
        return std::size_t(it - names.begin());
    }
};

task_classes classes_of(const std::string& task, const d::fsdd& set, const spectrograms& s) {
    task_classes c;
    if (task == "digit") {
        for (std::size_t k = 0; k < 10; ++k) c.names.push_back(std::to_string(k));
        c.labels = s.digit;
    } else if (task == "speaker") {
        for (const auto& speaker : set.speakers()) c.names.push_back(speaker.name);
        c.labels = s.speaker;
    } else { // accent, in the order of speakers.csv
        std::vector<std::size_t> of_speaker;
        for (const auto& speaker : set.speakers()) {
            const auto it = std::find(c.names.begin(), c.names.end(), speaker.accent);
            of_speaker.push_back(std::size_t(it - c.names.begin()));
            if (it == c.names.end()) c.names.push_back(speaker.accent);
        }
        for (const std::size_t speaker : s.speaker) c.labels.push_back(of_speaker[speaker]);
    }
    return c;
}

// The sets a request sees: the seed's, less the classes forgotten by earlier requests.
struct live_sets {
    nn::labelled<double> train, validation, test;

    void drop(const ul::class_set& label) {
        train = ul::with_label(train, label, false), validation = ul::with_label(validation, label, false), test = ul::with_label(test, label, false);
    }
};

// Every k-th row of a set (the recordings are sorted by digit, speaker and take, so that every
// class keeps its share).
nn::labelled<double> every(const nn::labelled<double>& set, std::size_t k) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < set.size(); i += k) rows.push_back(i);
    return nn::subset(set, std::span<const std::size_t>(rows));
}

// Sums of each method's figures over the requests of one seed, in order of appearance.
struct method_sums {
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> sums;

    void add(const std::string& name, const std::vector<double>& values) {
        auto [it, first] = sums.try_emplace(name, values.size(), 0.0);
        if (first) order.push_back(name);
        for (std::size_t k = 0; k < values.size(); ++k) it->second[k] += values[k];
    }
};

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    CLI::App app("Unlearning on FSDD (a speaker, an accent or a digit): QPAudioEraser and its baselines against retraining");
    std::string data_flag, out = "results", checkpoint;
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--task", o.task, "the classifier: speaker (6), accent (4) or digit (10)")->check(CLI::IsMember({"speaker", "accent", "digit"}));
    app.add_option("--model", o.model, "the network: cnn (fsdd_cnn), resnet (QShield's ResNet-style CNN) or qc-cnn (QC-CNN, quantum head)")
        ->check(CLI::IsMember({"cnn", "resnet", "qc-cnn"}));
    app.add_option("--forget", o.names, "classes to forget, each in turn: speaker names, accents as speakers.csv writes them (DEU/German) or digits "
                                        "(default: all)");
    auto* sequential = app.add_flag("--sequential", o.sequential, "one request after another, each method going on from the network the last one left");
    app.add_flag("--together", o.together, "the classes named by --forget in one request (two speakers at once)")->excludes(sequential);
    app.add_flag("--ablation", o.ablation, "QPAudioEraser with each phase taken out and other lambda and alpha, instead of the baselines");
    app.add_option("--seeds", o.seeds, "seeds 1..S (split, initialisation, minibatch order)")->check(CLI::Range(1, 1000));
    app.add_option("--first-seed", o.first_seed, "start at this seed (split the seeds over processes)")->check(CLI::Range(1, 1000));
    app.add_option("--epochs", o.epochs, "epochs of every fine-tuning method (the paper's 5)")->check(CLI::Range(1, 1000));
    app.add_option("--max-epochs", o.max_epochs, "most epochs of training and retraining (early stopping)")->check(CLI::Range(1, 10000));
    app.add_option("--relearn-steps", o.relearn_steps, "most steps of relearning")->check(CLI::Range(1, 1000000));
    app.add_option("--train-every", o.train_every, "train and validate on every K-th recording only (1: all), for a quick run; the test set stays whole")
        ->check(CLI::Range(1, 1000));
    app.add_option("--shadows", o.shadows, "networks retrained without the class for LiRA (0: no LiRA)")->check(CLI::Range(0, 1000));
    app.add_flag("--online", o.online, "online LiRA too: as many networks trained with the class's training and test recordings");
    app.add_option("--out", out, "folder for unlearn_fsdd_TASK[_sequential|_together][_ablation]_{runs,summary}.csv");
    app.add_option("--checkpoint", checkpoint, "folder that keeps every finished seed (each in turn: every request of it); a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    qhybrid::require(o.first_seed <= o.seeds, [&] {
        return "--first-seed " + std::to_string(o.first_seed) + " is after the last seed, --seeds " + std::to_string(o.seeds);
    });
    qhybrid::require(o.shadows != 1, [] { return std::string("--shadows 1: LiRA needs 2 or more shadow networks (or 0 for none)"); });
    qhybrid::require(!o.online || o.shadows >= 2, [] { return std::string("--online needs --shadows 2 or more"); });
    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    const task_classes classes = classes_of(o.task, set, s);
    const std::size_t k = classes.names.size();
    const auto network = o.model == "cnn"      ? unlearn_methods::network::cnn
                         : o.model == "resnet" ? unlearn_methods::network::resnet
                                               : unlearn_methods::network::qc_cnn;
    const auto recipe = unlearn_methods::recipe_of(network);
    std::vector<std::size_t> named;
    for (const auto& name : o.names) named.push_back(classes.index(name));
    if (named.empty())
        for (std::size_t c = 0; c < k; ++c) named.push_back(c);
    qhybrid::require((!o.sequential && !o.together) || named.size() < k, [&] {
        return std::string(o.sequential ? "--sequential" : "--together") + ": forgetting all " + std::to_string(k) + " classes leaves nothing to retain";
    });
    qhybrid::require(!o.together || o.names.size() >= 2, [] { return std::string("--together: name two or more classes with --forget"); });
    std::vector<ul::class_set> forget_classes; // the requests
    if (o.together)
        forget_classes.emplace_back(named);
    else
        for (std::size_t c : named) forget_classes.emplace_back(c);
    const auto name_of = [&](const ul::class_set& f) {
        std::string s;
        for (std::size_t c : f) s += (s.empty() ? "" : " + ") + classes.names[c];
        return s;
    };
    std::vector<std::string> columns{"FA", "RA", "IL", "FAR", "FRR (tables)", "PER", "ERB", "MIA AUC"};
    if (o.shadows > 0) columns.insert(columns.end(), {"LiRA AUC", "LiRA TPR@1%"});
    if (o.online) columns.insert(columns.end(), {"online LiRA AUC", "online LiRA TPR@1%"});
    columns.insert(columns.end(), {"probe", "relearn steps", "seconds"});
    st::seed_table table(columns);
    const qhybrid::dist::world world;
    if (world.root())
        std::printf("FSDD %s classification (%zu classes, official split), %s (Adam %g, patience %zu); forgetting %zu class(es) %s; "
                    "%zu process(es) of %zu thread(s)\n",
                    o.task.c_str(), k, o.model.c_str(), recipe.lr, recipe.patience, named.size(),
                    o.sequential ? "one after another" : o.together ? "in one request" : "each in turn", world.size(), qhybrid::threads());
    const auto key = seed_sweep::key("unlearn_fsdd")
                         .with("task", o.task).with("model", o.model).with("forget", named).with("sequential", o.sequential)
                         .with("together", o.together).with("ablation", o.ablation).with("first seed", o.first_seed).with("epochs", o.epochs)
                         .with("max epochs", o.max_epochs).with("shadows", o.shadows).with("online", o.online)
                         .with("relearn steps", o.relearn_steps).with("train every", o.train_every);
    // Each request its own part of the seed (its own sweep item and checkpoint file), but in
    // sequence, where a request goes on from the networks the last one left.
    const std::size_t parts = o.sequential ? 1 : forget_classes.size();
    seed_sweep::run(world, o.first_seed, o.seeds, parts, {.tables = {&table}}, checkpoint, key.str(), [&](seed_sweep::seed_output& out,
                                                                                                           std::size_t part) {
        const std::uint64_t seed = out.seed();
        auto data = sets_of_seed<double>(s, set, classes.labels, seed);
        if (o.train_every > 1) data.train = every(data.train, o.train_every), data.validation = every(data.validation, o.train_every);
        const auto start = std::chrono::steady_clock::now();
        auto original = unlearn_methods::build(network, k, seed);
        nn::adam<double> opt(original.parameters(), {.lr = recipe.lr});
        const auto history = nn::fit(original, opt, data.train, &data.validation,
                                     {.epochs = o.max_epochs, .batch_size = 32, .seed = seed, .patience = recipe.patience, .progress = false});
        const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (part == 0)
            out.print("\nseed %llu: trained in %zu epochs%s, %.0f s\n", static_cast<unsigned long long>(seed), history.size(),
                      history.size() == o.max_epochs ? " (the limit, --max-epochs)" : "", train_seconds);
        method_sums sums;
        std::map<std::string, nn::sequential<double>> left; // --sequential: each method's network after the last request
        live_sets live{data.train, data.validation, data.test};
        for (std::size_t step = parts == 1 ? 0 : part; step < (parts == 1 ? forget_classes.size() : part + 1); ++step) {
            const ul::class_set& f = forget_classes[step];
            const auto retain = ul::with_label(live.train, f, false), forget = ul::with_label(live.train, f, true);
            const auto validation = ul::with_label(live.validation, f, false), test_forget = ul::with_label(live.test, f, true);
            const ul::request<double> r{retain, forget};
            const auto retrained = [&](std::uint64_t s) { return unlearn_methods::retrain_network(network, k, s, o.max_epochs, validation); };
            const auto retrain = retrained(seed);
            const ul::forgetting_task<double> task{live.train, live.test, r, test_forget, f};
            // LiRA's shadow networks, from seeds no method uses: OUT retrained without F; IN trained
            // with F's training and test recordings, so that every candidate is in them.
            ul::lira_shadows shadows;
            const auto with_candidates = o.online ? ul::joined(ul::request<double>{live.train, test_forget}) : nn::labelled<double>{};
            for (std::size_t j = 0; j < o.shadows; ++j) {
                auto shadow = original;
                retrained(1000 * seed + 10 + j).unlearn(shadow, r);
                shadows.add_out(shadow, task);
                if (!o.online) continue;
                unlearn_methods::retrain_network(network, k, 1000 * seed + 50 + j, o.max_epochs, live.validation)
                    .unlearn(shadow, {with_candidates, test_forget});
                shadows.add_in(shadow, task);
            }
            auto trained = original;
            const double fa0 = ul::forgetting_metrics(ul::probabilities(trained, live.test.x), live.test.y, f, 100).fa;
            const std::string request = o.sequential ? "request " + std::to_string(step + 1) + " (" + name_of(f) + ")" : "";
            const auto evaluate = [&](const std::string& name, auto&& method) {
                auto& net = o.sequential ? left.try_emplace(name, original).first->second : trained;
                if (!o.sequential) net = original;
                const auto t0 = std::chrono::steady_clock::now();
                if constexpr (!std::is_same_v<std::decay_t<decltype(method)>, std::nullptr_t>) method.unlearn(net, r);
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const auto j = ul::judge(net, task, fa0, shadows, {.max_steps = o.relearn_steps, .seed = seed});
                const auto& sc = j.scores;
                const ul::membership_result lira = j.lira.value_or(ul::membership_result{}),
                                            online = j.lira_online.value_or(ul::membership_result{});
                std::vector<double> values{sc.fa, sc.ra, sc.il, sc.far, sc.frr_tables, sc.per, sc.erb, j.loss_attack.auc};
                if (o.shadows > 0) values.insert(values.end(), {lira.auc, lira.tpr_at_low_fpr});
                if (o.online) values.insert(values.end(), {online.auc, online.tpr_at_low_fpr});
                values.insert(values.end(), {j.probe, double(j.relearn.steps), seconds});
                sums.add(o.sequential ? name + ", " + request : name, values);
                out.print("seed %llu, %s, forget %s: FA %.2f, RA %.2f, IL %.2f, FAR %.2f, PER %.1f, ERB %.2f, MIA AUC %.3f, ",
                            static_cast<unsigned long long>(seed), name.c_str(), name_of(f).c_str(), sc.fa, sc.ra, sc.il, sc.far, sc.per, sc.erb,
                            j.loss_attack.auc);
                if (o.shadows > 0) out.print("LiRA AUC %.3f TPR@1%% %.3f, ", lira.auc, lira.tpr_at_low_fpr);
                if (o.online) out.print("online LiRA AUC %.3f TPR@1%% %.3f, ", online.auc, online.tpr_at_low_fpr);
                out.print("probe %.1f, relearn %zu%s steps, %.1f s\n", j.probe, j.relearn.steps, j.relearn.relearnt ? "" : "+", seconds);
            };
            evaluate("original", nullptr);
            evaluate("retrain", retrain);
            const unlearn_methods::settings methods{.forget = f, .classes = k, .epochs = o.epochs, .seed = seed};
            if (o.ablation)
                unlearn_methods::for_each_ablation(methods, evaluate);
            else
                unlearn_methods::for_each_method(methods, [&](const char* name, const char*, auto&& method) { evaluate(name, method); });
            if (o.sequential) live.drop(f);
        }
        // A seed's run: each request's row (sequential), or the mean over the forgotten classes.
        for (const auto& name : sums.order)
            if (o.sequential) out.add(0, name, sums.sums[name]);
            else out.add_to_mean(0, name, sums.sums[name]);
    });
    if (!world.root()) return 0;
    std::printf("\n%s(percent on the official test recordings%s, the probe's balanced; the AUCs and the true-positive rate as fractions; "
                "relearn steps count --relearn-steps (%zu) for a class not relearnt by then; %s; mean [95%% t-interval] over seeds %zu-%zu; "
                "%zu threads)\n",
                table.markdown().c_str(), o.sequential ? " of the classes not forgotten before" : "", o.relearn_steps,
                o.sequential ? "each request's row after it"
                : o.together ? "one request"
                             : "a seed's run is the mean over the forgotten classes",
                o.first_seed, o.seeds,
                qhybrid::threads());
    const std::filesystem::path folder(out);
    const std::string prefix =
        "unlearn_fsdd_" + o.task + (o.sequential ? "_sequential" : "") + (o.together ? "_together" : "") + (o.ablation ? "_ablation" : "");
    table.write_csv(folder / (prefix + "_runs.csv"), folder / (prefix + "_summary.csv"));
} catch (const std::exception& e) {
    std::fprintf(stderr, "unlearn_fsdd: %s\n", e.what());
    return 1;
}
