// QT-CNN on DEEP-VOICE, under the evaluation protocol of issue 18: is its parameter saving due to
// the quantum circuit? Rows of the table:
// - CNN 2810: the 1-D CNN QT-CNN generates (models::deep_voice_cnn), trained directly;
// - CNN <n>: the same architecture, narrower, with at most as many weights as QT-CNN trains at a
//   block count (models::deep_voice_cnn_of);
// - QT-CNN <b>b: models::qt_cnn, the CNN's 2,810 weights generated from a 12-qubit circuit of b
//   RY + CNOT-ring blocks through the mapping MLP and the per-tensor scales;
// - RBM-gen <b>b: the ablation, the same mapping and scales fed by a classical generator with
//   the circuit's 12 b parameters instead of the circuit (models::rbm_probabilities).
//
// Protocol, the same for every row: seeds 1..S, each its own split (train / validation / test,
// stratified 70/10/20 by default), initialisation and minibatch order; Adam, minibatch 64, up to
// --max-epochs epochs with early stopping on the validation loss (--patience), restoring the best
// epoch; each learning rate of --lrs on every seed, the one with the lowest mean validation loss
// over the seeds chosen per row, and only the chosen runs evaluated on the test split. A run
// fails when its validation accuracy is not above the majority rate (one-sided binomial, 1%).
// QT models are evaluated through their generated CNN, which must give the QT model's outputs
// bit for bit. Printed and written as CSV through qhybrid::stats::seed_table.
//
// DEEP-VOICE's rows are 1-second windows of a few recordings (8 real speakers and conversions) in
// random order, no recording id: every split shares speakers and recordings between train and
// test; 1-NN scores 0.993 on a random split, so these accuracies cannot rank models.
//
// The trainings (model x learning rate x seed) are a dist::sweep: `mpirun -np N qt_cnn_deepvoice
// ...` (a build with QHYBRID_MPI) runs them on N processes and writes the same CSV files (but the
// seconds); --checkpoint keeps every finished training. Each returns its validation figures, curve
// and weights; the choices and the test split come after the sweep, on rank 0.
//
//   qt_cnn_deepvoice [--data DIR] [--seeds S] [--blocks 1 12 24 48 96] [--lrs 1e-3 3e-3 1e-2]
//                    [--patience P] [--max-epochs E] [--split stratified|clusters] [--out DIR] [--save DIR]
//                    [--raw | --beta B --gamma G --alpha A] [--checkpoint DIR]
#include "qt_cnn_deepvoice.hpp"
#include "report.hpp"
#include "seed_sweep.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace d = qhybrid::data;
namespace stats = qhybrid::stats;
namespace fs = std::filesystem;
using namespace qt_example;

namespace {

// The split of one seed: a single call, so that another split (held-out clusters, say) can
// replace it by name.
using split_function = m::deep_voice_split (*)(const nn::labelled<double>& all, std::uint64_t seed);

m::deep_voice_split stratified(const nn::labelled<double>& all, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    return m::split_deep_voice(all, 0.2, gen, 0.1);
}

// Whole k-means clusters (20 per class) held out for test and validation: the stress test of
// deepvoice_mlp, a labelled proxy for unseen sources.
m::deep_voice_split clusters(const nn::labelled<double>& all, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    return m::split_deep_voice_clusters(all, 0.2, 0.1, 20, gen);
}

const std::map<std::string, split_function> splits = {{"stratified", stratified}, {"clusters", clusters}};

template <std::size_t C1, std::size_t C2, std::size_t Hidden>
candidate classical_cnn() {
    using net = m::deep_voice_cnn_of<C1, C2, Hidden>;
    return {"CNN " + std::to_string(net::parameter_count), net::parameter_count,
            [](qhybrid::rng& gen, const d::standard_scaler& s) -> std::unique_ptr<nn::layer<double>> {
                return std::make_unique<nn::sequential<double>>(net::template build<double>(gen, s.scale(), s.offset()));
            },
            {}};
}

// The classical CNN matched with QT-CNN at a block count: the deep_voice_cnn_of with C2 = 2 C1
// (the full CNN's doubling) and the most weights not above QT-CNN's trainable count (checked
// when the table is made).
candidate matched_cnn(std::size_t blocks) {
    switch (blocks) {
    case 1: return classical_cnn<2, 4, 10>();   // 308 for 321
    case 12: return classical_cnn<2, 4, 15>();  // 443 for 453
    case 24: return classical_cnn<4, 8, 9>();   // 581 for 597
    case 48: return classical_cnn<5, 10, 11>(); // 875 for 885
    default: return classical_cnn<6, 12, 16>(); // 1454 for 1461
    }
}

struct settings {
    std::vector<double> lrs = {1e-3, 3e-3, 1e-2};
    std::size_t patience = 15, max_epochs = 200, batch = 64;
    fs::path save; // where to write the last seed's chosen models; empty: nowhere
    std::string checkpoint;
};

// One training run: its report line, curve (CSV rows), weights and validation figures, kept until
// the learning rate is chosen.
struct trained {
    BOOST_HANA_DEFINE_STRUCT(trained, (std::string, report), (std::string, curve), (std::vector<double>, weights), (double, val_loss),
                             (double, val_accuracy), (double, seconds_per_epoch), (std::uint64_t, epochs), (std::uint8_t, failed));
};

std::size_t trainable(nn::layer<double>& model) {
    std::size_t n = 0;
    for (auto& p : model.parameters()) n += p.value->size();
    return n;
}

trained train(const candidate& c, const m::deep_voice_split& data, std::uint64_t seed, double lr, const settings& s, bool live) {
    qhybrid::rng init(seed);
    const auto model = c.make(init, data.scaler);
    trained t{};
    nn::adam<double> opt(model->parameters(), {.lr = lr});
    const auto history = nn::fit(*model, opt, data.train, &data.validation,
                                 {.epochs = s.max_epochs, .batch_size = s.batch, .seed = seed, .patience = s.patience,
                                  .restore_best = true, .progress = false});
    for (std::size_t e = 0; e < history.size(); ++e) {
        const auto& h = history[e];
        t.curve += report::csv_line(c.name, lr, seed, e + 1, h.loss, h.accuracy, h.val_loss, h.val_accuracy);
        t.seconds_per_epoch += h.seconds / double(history.size());
    }
    t.epochs = history.size();
    const auto v = nn::evaluate(*model, data.validation, 512);
    t.val_loss = v.loss, t.val_accuracy = v.accuracy;
    const auto correct = std::size_t(std::llround(v.accuracy * double(data.validation.size())));
    t.failed = !stats::above_chance(correct, data.validation.size(), stats::majority_rate(data.validation.y));
    t.weights = nn::weight_values(*model);
    seed_sweep::seed_output log(seed, live);
    log.print("  %-12s lr %-6g seed %llu: %3llu epochs, val loss %.4f, val acc %.4f%s, %.3f s/epoch\n", c.name.c_str(), lr,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(t.epochs), t.val_loss, t.val_accuracy,
              t.failed ? " (failed)" : "", t.seconds_per_epoch);
    t.report = std::move(log).take().report;
    return t;
}

struct test_result {
    double accuracy, auc, eer;
};

// The deployed network's test metrics: for a QT model its generated CNN, whose outputs must
// equal the QT model's bit for bit.
test_result test(const candidate& c, nn::layer<double>& model, const nn::labelled<double>& data) {
    const nn::tensor<double> z = model.forward(data.x, nn::mode::eval);
    if (c.generated) {
        auto cnn = c.generated(model);
        const nn::tensor<double> g = cnn.forward(data.x, nn::mode::eval);
        qhybrid::require(std::equal(z.values().begin(), z.values().end(), g.values().begin(), g.values().end()),
                         [&] { return c.name + ": the generated CNN's outputs differ from the QT model's"; });
    }
    std::vector<double> fake(data.size());
    std::size_t correct = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        fake[i] = 1 / (1 + std::exp(z[2 * i] - z[2 * i + 1])); // softmax P(FAKE)
        correct += std::size_t(z[2 * i + 1] > z[2 * i]) == data.y[i];
    }
    const auto roc = nn::roc_curve(fake, data.y);
    return {double(correct) / double(data.size()), nn::roc_auc(roc), nn::equal_error_rate(roc).rate};
}

std::string file_name(std::string name) {
    std::replace(name.begin(), name.end(), ' ', '_');
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    return name;
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("QT-CNN, size-matched CNNs and the classical-generator ablation on DEEP-VOICE (issue 18 protocol)");
    std::string data_flag, out = "results", split_name = "stratified";
    std::size_t seeds = 5;
    std::vector<std::size_t> blocks = {1, 12, 24, 48, 96};
    settings s;
    m::qt_options qt{.transform = {.enabled = true}};
    auto& tr = qt.transform;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", seeds, "seeds 1..S (split, initialisation, minibatch order)")->check(CLI::Range(2, 1000));
    app.add_option("--blocks", blocks, "QNN block counts (1 12 24 48 96)")
        ->check(CLI::IsMember(std::vector<std::size_t>(std::begin(supported_blocks), std::end(supported_blocks))));
    app.add_option("--lrs", s.lrs, "Adam learning rates tried for every model");
    app.add_option("--patience", s.patience, "epochs without a better validation loss before stopping")->check(CLI::PositiveNumber);
    app.add_option("--max-epochs", s.max_epochs, "epoch limit")->check(CLI::PositiveNumber);
    app.add_option("--split", split_name, "how rows are split: stratified 70/10/20, or held-out k-means clusters")
        ->check(CLI::IsMember({"stratified", "clusters"}));
    app.add_option("--out", out, "folder for the CSV files");
    app.add_option("--save", s.save, "folder for the last seed's chosen models (weights files)");
    bool raw = false;
    app.add_flag("--raw", raw, "feed G the raw probabilities p instead of (beta tanh(gamma 2^(N-1) p))^alpha, centred");
    app.add_option("--beta", tr.beta, "transform beta");
    app.add_option("--gamma", tr.gamma, "transform gamma");
    app.add_option("--alpha", tr.alpha, "transform alpha");
    app.add_option("--checkpoint", s.checkpoint, "folder that keeps every finished training; a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    tr.enabled = !raw;
    qhybrid::require(!s.lrs.empty(), [] { return std::string("qt_cnn_deepvoice: no learning rate"); });

    const auto all = m::read_deep_voice_set(d::require_data(d::data_root(data_flag), "deep-voice/DATASET-balanced.csv"));
    std::vector<m::deep_voice_split> data;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) data.push_back(splits.at(split_name)(all, seed));
    if (world.root()) {
        std::printf("DEEP-VOICE: %zu rows; %s split per seed (seed 1: %zu train, %zu validation, %zu test); seeds 1-%zu;\n"
                    "Adam, minibatch %zu, at most %zu epochs, early stopping patience %zu on the validation loss (best epoch "
                    "restored);\nlearning rates", all.size(), split_name.c_str(), data[0].train.size(), data[0].validation.size(),
                    data[0].test.size(), seeds, s.batch, s.max_epochs, s.patience);
        for (double lr : s.lrs) std::printf(" %g", lr);
        std::printf(", chosen per model by mean validation loss; %zu process(es) of %zu thread(s)\n", world.size(), qhybrid::threads());
        std::fflush(stdout);
    }

    std::vector<candidate> rows{classical_cnn<8, 16, 24>()};
    std::sort(blocks.begin(), blocks.end());
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    for (auto b : blocks) {
        rows.push_back(matched_cnn(b));
        rows.push_back(circuit_candidate(b, qt));
        rows.push_back(rbm_candidate(b, qt));
    }

    // Every training, item (model, learning rate, seed), seeds fastest.
    const std::size_t per_model = s.lrs.size() * seeds;
    std::vector<bool> printed(rows.size() * per_model);
    auto key = seed_sweep::key("qt_cnn_deepvoice");
    key.with("seeds", seeds).with("blocks", blocks).with("lrs", s.lrs).with("patience", s.patience).with("max epochs", s.max_epochs)
        .with("batch", s.batch).with("split", split_name).with("transform", tr.enabled ? "on" : "off").with("beta", tr.beta)
        .with("gamma", tr.gamma).with("alpha", tr.alpha);
    std::vector<trained> runs = qhybrid::dist::sweep(world, rows.size() * per_model, [&](std::size_t item) {
        const std::uint64_t seed = 1 + item % seeds;
        trained t = train(rows[item / per_model], data[seed - 1], seed, s.lrs[item % per_model / seeds], s, world.root());
        printed[item] = world.root();
        return t;
    }, {.checkpoint = s.checkpoint, .key = key.str()});
    if (!world.root()) return 0;
    for (std::size_t item = 0; item < runs.size(); ++item)
        if (!printed[item]) std::fputs(runs[item].report.c_str(), stdout);

    stats::seed_table quality({"test accuracy", "ROC AUC", "EER"}), cost({"epochs", "s/epoch"});
    report::csv_file curves(out, "qt_cnn_curves.csv", "model,lr,seed,epoch,loss,train_accuracy,val_loss,val_accuracy");
    for (const auto& t : runs) curves.lines(t.curve);
    report::csv_file choices(out, "qt_cnn_models.csv", "model,trainable,deployed,lr,val_loss_mean,runs_at_max_epochs");
    std::map<std::string, std::size_t> trainable_of;
    std::string counts = "| model | trainable | deployed | learning rate | mean validation loss per rate | runs at the epoch limit |\n"
                         "|---|---|---|---|---|---|\n";
    for (std::size_t row = 0; row < rows.size(); ++row) {
        const candidate& c = rows[row];
        const auto run_of = [&](std::size_t k, std::uint64_t seed) -> const trained& { return runs[row * per_model + k * seeds + seed - 1]; };
        std::vector<double> mean_loss;
        for (std::size_t k = 0; k < s.lrs.size(); ++k) {
            double sum = 0;
            for (std::uint64_t seed = 1; seed <= seeds; ++seed) sum += run_of(k, seed).val_loss;
            mean_loss.push_back(sum / double(seeds));
        }
        const std::size_t best = std::size_t(std::min_element(mean_loss.begin(), mean_loss.end()) - mean_loss.begin());
        std::size_t n = 0, at_max = 0;
        for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
            const trained& t = run_of(best, seed);
            qhybrid::rng init(seed);
            const auto model = c.make(init, data[seed - 1].scaler); // the architecture; its weights are the trained ones
            seed_sweep::restore_weights(*model, t.weights, "qt_cnn_deepvoice: " + c.name + ", seed " + std::to_string(seed));
            n = trainable(*model);
            const test_result r = test(c, *model, data[seed - 1].test);
            quality.add(c.name, seed, {r.accuracy, r.auc, r.eer}, t.failed != 0);
            cost.add(c.name, seed, {double(t.epochs), t.seconds_per_epoch}, t.failed != 0);
            at_max += t.epochs == s.max_epochs;
            if (!s.save.empty() && seed == seeds) {
                fs::create_directories(s.save);
                nn::save_weights(*model, (s.save / (file_name(c.name) + ".qhw")).string());
                if (c.generated) {
                    auto cnn = c.generated(*model);
                    nn::save_weights(cnn, (s.save / (file_name(c.name) + "_generated.qhw")).string());
                }
            }
        }
        trainable_of[c.name] = n;
        std::string losses;
        char buf[96];
        for (std::size_t i = 0; i < s.lrs.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%s%g: %.4f", i ? ", " : "", s.lrs[i], mean_loss[i]);
            losses += buf;
        }
        std::snprintf(buf, sizeof buf, "| %s | %zu | %zu | %g | ", c.name.c_str(), n, c.deployed, s.lrs[best]);
        counts += buf + losses + " | " + std::to_string(at_max) + " of " + std::to_string(seeds) + " |\n";
        choices.row(c.name, n, c.deployed, s.lrs[best], mean_loss[best], at_max);
        std::printf("%s: %zu trainable, %zu deployed; mean validation loss %s -> lr %g; %zu of %zu runs at the epoch limit\n",
                    c.name.c_str(), n, c.deployed, losses.c_str(), s.lrs[best], at_max, seeds);
        std::fflush(stdout);
    }

    std::printf("\n%s\n%s\n%s", counts.c_str(), quality.markdown(4).c_str(), cost.markdown(2).c_str());
    std::printf("(mean [95%% t interval] over %zu seeds; test metrics of the deployed network, for QT models the generated "
                "CNN, whose test outputs equal the QT model's in every run)\n\nPaired comparisons (a - b):\n", seeds);
    auto compare = [&](const std::string& a, const std::string& b) {
        for (const char* metric : {"test accuracy", "ROC AUC"}) std::printf("- %s\n", quality.comparison(a, b, metric).c_str());
    };
    for (auto b : blocks) {
        const std::string qt_name = "QT-CNN " + std::to_string(b) + "b", matched = matched_cnn(b).name;
        qhybrid::require(trainable_of.at(matched) <= trainable_of.at(qt_name),
                         [&] { return matched + " has more weights than " + qt_name + " trains"; });
        compare(qt_name, matched);
        compare(qt_name, "RBM-gen " + std::to_string(b) + "b");
    }
    if (std::find(blocks.begin(), blocks.end(), std::size_t{24}) != blocks.end()) compare("CNN 2810", "QT-CNN 24b");

    const fs::path folder(out);
    quality.write_csv(folder / "qt_cnn_runs.csv", folder / "qt_cnn.csv");
    cost.write_csv(folder / "qt_cnn_cost_runs.csv", folder / "qt_cnn_cost.csv");
    std::printf("\nwrote %s, %s, %s, %s, %s and %s\n", (folder / "qt_cnn.csv").c_str(), (folder / "qt_cnn_runs.csv").c_str(),
                (folder / "qt_cnn_cost.csv").c_str(), (folder / "qt_cnn_cost_runs.csv").c_str(), choices.path().c_str(),
                curves.path().c_str());
} catch (const std::exception& e) {
    std::fprintf(stderr, "qt_cnn_deepvoice: %s\n", e.what());
    return 1;
}
