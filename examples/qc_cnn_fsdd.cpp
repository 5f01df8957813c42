// QC-CNN on FSDD log-mel spectrograms: the CNN with the 8-qubit ZZFeatureMap + RealAmplitudes
// layer (models::qc_cnn, quantum head) against the same network with a dense layer of the same
// width (classical head), trained the same way, on three tasks:
//   small:  two digits (0 and 1), 100 recordings each drawn per seed, stratified 80/20 split
//           (the paper's GTZAN-subset scale);
//   large:  two speakers, all 500 recordings each, official split (the paper's birdsong scale;
//           its claim: hybrid 95.04% vs CNN 92.88%, less overfitting);
//   digits: all 10 digits, official split.
// Optimizer: SGD with momentum as in the paper, or Adam (--adam). Repeated over seeds.
//
//   qc_cnn_fsdd [--data DIR] [--epochs N] [--seeds S] [--tasks small large digits] [--adam] [--lr LR] [--out DIR]
#include "fsdd_spectrograms.hpp"
#include "report.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
using namespace fsdd_spectrograms;

namespace {

struct task {
    std::string name;
    std::vector<std::size_t> train, test, labels; // recording indices; label of every recording
    std::size_t classes;
};

task make_task(const std::string& name, const d::fsdd& set, const spectrograms& s, std::uint64_t seed) {
    task t{name, {}, {}, {}, 2};
    if (name == "digits") return {name, set.train(), set.test(), s.digit, 10};
    if (name == "large") { // the first two speakers, all their recordings
        t.labels.assign(s.speaker.size(), 0);
        for (std::size_t r = 0; r < s.speaker.size(); ++r) {
            if (s.speaker[r] > 1) continue;
            t.labels[r] = s.speaker[r];
            (set.recordings()[r].is_test() ? t.test : t.train).push_back(r);
        }
        return t;
    }
    // small: 100 recordings each of digits 0 and 1, drawn with the seed, then split 80/20
    qhybrid::rng gen(seed);
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
    return t;
}

struct outcome {
    double test_accuracy, test_loss, gap, seconds_per_epoch;
};

struct settings {
    std::size_t epochs = 20, batch = 32;
    double lr = 0.01;
    bool adam = false;
};

outcome train(const task& t, const spectrograms& s, m::qc_head head, const settings& o, std::uint64_t seed,
              report::csv_file& curves) {
    const auto [mean, sd] = s.moments(t.train);
    const auto train = s.images(t.train, t.labels, mean, sd), test = s.images(t.test, t.labels, mean, sd);
    qhybrid::rng gen(seed);
    auto net = m::qc_cnn<double>({.frames = frames, .mels = mels, .classes = t.classes}, head, gen, seed + 1);
    const nn::fit_options fit{.epochs = o.epochs, .batch_size = o.batch, .seed = seed, .progress = false};
    std::vector<nn::epoch_record> history;
    if (o.adam) {
        nn::adam<double> opt(net.parameters(), {.lr = o.lr});
        history = nn::fit(net, opt, train, nullptr, fit);
    } else {
        nn::sgd<double> opt(net.parameters(), {.lr = o.lr, .momentum = 0.9});
        history = nn::fit(net, opt, train, nullptr, fit);
    }
    const char* model = head == m::qc_head::quantum ? "QC-CNN" : "CNN";
    double seconds = 0;
    for (std::size_t e = 0; e < history.size(); ++e) {
        seconds += history[e].seconds;
        curves.row(t.name, model, seed, e + 1, history[e].loss, history[e].accuracy);
    }
    const auto tr = nn::evaluate(net, train, 128), te = nn::evaluate(net, test, 128);
    const outcome out{te.accuracy, te.loss, tr.accuracy - te.accuracy, seconds / double(history.size())};
    std::printf("  %-6s seed %llu  %-6s  test accuracy %.4f  test CE %.4f  gap %+.4f  %.2f s/epoch\n", t.name.c_str(),
                static_cast<unsigned long long>(seed), model, out.test_accuracy, out.test_loss, out.gap,
                out.seconds_per_epoch);
    return out;
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("QC-CNN vs CNN on FSDD log-mel spectrograms (three tasks, several seeds)");
    std::string data_flag, out = "results";
    std::size_t seeds = 5;
    std::vector<std::string> tasks = {"small", "large", "digits"};
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--epochs", o.epochs, "training epochs")->check(CLI::PositiveNumber);
    app.add_option("--seeds", seeds, "seeds 1..S")->check(CLI::PositiveNumber);
    app.add_option("--tasks", tasks, "small, large, digits")->check(CLI::IsMember({"small", "large", "digits"}));
    app.add_flag("--adam", o.adam, "Adam instead of SGD with momentum 0.9");
    app.add_option("--lr", o.lr, "learning rate (default 0.01; 1e-3 suits Adam)");
    app.add_option("--out", out, "folder for the CSV files");
    CLI11_PARSE(app, argc, argv);

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    std::printf("FSDD: %zu recordings, %zu frames x %zu log-mels each; %zu epochs, %s lr %g, minibatch %zu\n",
                set.recordings().size(), frames, mels, o.epochs, o.adam ? "Adam" : "SGD (momentum 0.9)", o.lr, o.batch);

    report::csv_file curves(out, "qc_cnn_curves.csv", "task,model,seed,epoch,loss,train_accuracy");
    std::map<std::pair<std::string, std::string>, std::vector<outcome>> results;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed)
        for (const auto& name : tasks) {
            const task t = make_task(name, set, s, seed);
            for (const auto head : {m::qc_head::quantum, m::qc_head::classical})
                results[{name, head == m::qc_head::quantum ? "QC-CNN" : "CNN"}].push_back(train(t, s, head, o, seed, curves));
        }

    report::csv_file summary(out, "qc_cnn.csv",
                             "task,model,test_accuracy_mean,test_accuracy_sd,test_loss_mean,test_loss_sd,gap_mean,gap_sd,"
                             "seconds_per_epoch_mean,seconds_per_epoch_sd,seeds");
    std::printf("\n| task | model | test accuracy | test cross-entropy | train-test gap | s/epoch |\n|---|---|---|---|---|---|\n");
    for (const auto& name : tasks)
        for (const char* model : {"QC-CNN", "CNN"}) {
            const auto& rs = results[{name, model}];
            std::vector<double> acc, loss, gap, secs;
            for (const auto& r : rs) acc.push_back(r.test_accuracy), loss.push_back(r.test_loss), gap.push_back(r.gap), secs.push_back(r.seconds_per_epoch);
            std::printf("| %s | %s | %s | %s | %s | %s |\n", name.c_str(), model, report::format(acc).c_str(),
                        report::format(loss).c_str(), report::format(gap).c_str(), report::format(secs, 2).c_str());
            const auto a = report::mean_sd(acc), l = report::mean_sd(loss), g = report::mean_sd(gap), t = report::mean_sd(secs);
            summary.row(name, model, a.mean, a.sd, l.mean, l.sd, g.mean, g.sd, t.mean, t.sd, rs.size());
        }
    std::printf("(mean +- sd over %zu seeds)\nwrote %s and %s\n", seeds, summary.path().c_str(), curves.path().c_str());
} catch (const std::exception& e) {
    std::fprintf(stderr, "qc_cnn_fsdd: %s\n", e.what());
    return 1;
}
