// A small CNN on log-mel spectrograms of the Free Spoken Digit Dataset, official split
// (recordings 0-4 of every digit and speaker test, 5-49 train; 15% of the train recordings,
// stratified and drawn per seed, validate):
//   digit task:   10 classes;   speaker task: 6 classes.
// Features: 63 frames x 40 log-mels per recording (fsdd_spectrograms.hpp). Network: models::fsdd_cnn (three
// conv 3x3 of 16, 16, 32 channels with ReLU and 2x2 max-pooling, dropout 0.3, dense 64, dense classes).
// Adam, batch 32, early stopping on the validation loss; the learning rate is chosen from --lr by the
// mean validation loss over the seeds, and only the chosen models are evaluated on the test split.
// Double by default, --precision float for PyTorch's default arithmetic.
//
// The seeds are a dist::sweep: `mpirun -np N fsdd_cnn ...` (a build with QHYBRID_MPI) trains them
// on N processes and writes the same tables; --checkpoint keeps finished seeds. Each seed returns
// its networks' validation scores and weights, so that only the chosen ones meet the test split,
// after every seed has run.
//
//   fsdd_cnn [--data DIR] [--seeds S] [--epochs MAX] [--patience P] [--lr 3e-4 1e-3] [--task digit|speaker|both]
//            [--precision double|float] [--out DIR] [--checkpoint DIR]
#include "fsdd_spectrograms.hpp"
#include "seed_sweep.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace d = qhybrid::data;
namespace nn = qhybrid::nn;
namespace st = qhybrid::stats;
using namespace fsdd_spectrograms;

namespace {

struct settings {
    std::size_t seeds = 5, epochs = 100, patience = 10;
    std::vector<double> rates = {3e-4, 1e-3};
    std::string checkpoint;
};

// One trained network of a seed and learning rate, before anyone looks at the test split.
struct trained {
    BOOST_HANA_DEFINE_STRUCT(trained, (double, validation_loss), (double, validation_accuracy), (double, seconds_per_epoch),
                             (std::uint64_t, epochs), (std::vector<double>, weights));
};

// A seed: its report lines, its network per learning rate, its validation split's size and
// majority rate.
struct seed_runs {
    BOOST_HANA_DEFINE_STRUCT(seed_runs, (std::string, report), (std::vector<trained>, rates), (std::uint64_t, validation_size),
                             (double, chance));
};

template <class T>
void run(const qhybrid::dist::world& world, const char* task, const spectrograms& s, const d::fsdd& set, const std::vector<std::size_t>& labels,
         std::size_t classes, const settings& o, st::seed_table& table) {
    const auto official_train = set.train(), test_rows = set.test();
    const auto key = seed_sweep::key("fsdd_cnn")
                         .with("task", task)
                         .with("precision", sizeof(T) == sizeof(float) ? "float" : "double")
                         .with("epochs", o.epochs)
                         .with("patience", o.patience)
                         .with("lr", o.rates);
    std::vector<bool> printed(o.seeds);
    const std::vector<seed_runs> runs = qhybrid::dist::sweep(world, o.seeds, [&](std::size_t item) {
        const std::uint64_t seed = item + 1;
        const auto data = sets_of_seed<T>(s, set, labels, seed);
        seed_runs out{{}, {}, data.validation.size(), st::majority_rate(data.validation.y)};
        seed_sweep::seed_output log(seed, world.root()); // rank 0 prints its seeds as they run
        for (double lr : o.rates) {
            auto [net, history] = train_cnn(data, classes, lr, seed, o.epochs, o.patience);
            double seconds = 0;
            for (const auto& e : history) seconds += e.seconds;
            const auto v = nn::evaluate(net, data.validation, 256); // the restored best epoch
            log.print("  %s seed %llu lr %g: %zu epochs, validation loss %.4f accuracy %.4f, %.2f s/epoch\n", task,
                      static_cast<unsigned long long>(seed), lr, history.size(), v.loss, v.accuracy, seconds / double(history.size()));
            trained t{v.loss, v.accuracy, seconds / double(history.size()), history.size(), {}};
            const auto weights = nn::weight_values(net);
            t.weights.assign(weights.begin(), weights.end());
            out.rates.push_back(std::move(t));
        }
        out.report = std::move(log).take().report;
        printed[item] = world.root();
        return out;
    }, {.checkpoint = o.checkpoint.empty() ? "" : o.checkpoint + "/" + task, .key = key.str()});
    for (std::size_t item = 0; item < runs.size(); ++item) {
        if (world.root() && !printed[item]) std::fputs(runs[item].report.c_str(), stdout);
        qhybrid::require(runs[item].rates.size() == o.rates.size(), [&] { // a checkpoint's contents are input
            return "fsdd_cnn: seed " + std::to_string(item + 1) + " has " + std::to_string(runs[item].rates.size()) + " networks for " +
                   std::to_string(o.rates.size()) + " learning rates";
        });
    }
    std::size_t best = 0;
    double best_loss = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < o.rates.size(); ++k) {
        double mean_loss = 0;
        for (const auto& r : runs) mean_loss += r.rates[k].validation_loss / double(o.seeds);
        if (world.root()) std::printf("  %s lr %g: mean validation loss %.4f\n", task, o.rates[k], mean_loss);
        if (mean_loss < best_loss) best_loss = mean_loss, best = k;
    }
    const std::string name = std::string(task) + " (" + std::to_string(classes) + " classes), lr " + qhybrid::significant(o.rates[best], 3);
    std::size_t parameters = 0;
    for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
        const auto& r = runs[seed - 1].rates[best];
        qhybrid::rng unused(seed);
        auto net = qhybrid::models::fsdd_cnn::build<T>(classes, unused, seed + 1); // the architecture; its weights are the trained ones
        seed_sweep::restore_weights(net, r.weights, "fsdd_cnn: seed " + std::to_string(seed));
        parameters = net.parameter_count();
        const auto te = nn::evaluate(net, sets_of_seed<T>(s, set, labels, seed).test, 256); // the test split, once
        const std::size_t validation_size = runs[seed - 1].validation_size;
        const auto correct = std::size_t(std::llround(r.validation_accuracy * double(validation_size)));
        table.add(name, seed, {te.accuracy, te.loss, double(r.epochs)}, !st::above_chance(correct, validation_size, runs[seed - 1].chance));
    }
    std::size_t at_max = 0;
    for (const auto& r : runs) at_max += r.rates[best].epochs == o.epochs;
    const std::size_t validation_size = runs[0].validation_size;
    if (world.root())
        std::printf("%s task: %zu classes, %zu train + %zu validation / %zu test recordings, %zu parameters; lr %g chosen; "
                    "%zu of %zu chosen runs reached the %zu-epoch limit\n", task, classes, official_train.size() - validation_size,
                    validation_size, test_rows.size(), parameters, o.rates[best], at_max, o.seeds, o.epochs);
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("CNN on FSDD log-mel spectrograms (official split, validation from the train recordings)");
    std::string data_flag, task = "both", precision = "double", out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", o.seeds, "seeds 1..S (validation split, initialisation, dropout, minibatch order)")->check(CLI::Range(1, 1000));
    app.add_option("--epochs", o.epochs, "most training epochs (early stopping usually ends sooner)")->check(CLI::PositiveNumber);
    app.add_option("--patience", o.patience, "epochs without a better validation loss before stopping")->check(CLI::PositiveNumber);
    app.add_option("--lr", o.rates, "Adam learning rates to choose from on the validation split")->check(CLI::PositiveNumber);
    app.add_option("--task", task, "digit, speaker or both")->check(CLI::IsMember({"digit", "speaker", "both"}));
    app.add_option("--precision", precision, "arithmetic of the network: double or float")
        ->check(CLI::IsMember({"double", "float"}));
    app.add_option("--out", out, "folder for fsdd_cnn_runs.csv and fsdd_cnn.csv");
    app.add_option("--checkpoint", o.checkpoint, "folder that keeps every finished seed; a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    if (world.root())
        std::printf("features: %zu recordings (%.0f s of audio) in %.2f s, %.0fx real time; %zu process(es) of %zu thread(s)\n",
                    set.recordings().size(), s.audio_seconds, s.seconds, s.audio_seconds / s.seconds, world.size(), qhybrid::threads());
    st::seed_table table({"test accuracy", "test cross-entropy", "epochs"}); // time per epoch: docs/performance.md
    const auto train = precision == "float" ? run<float> : run<double>;
    if (task != "speaker") train(world, "digit", s, set, s.digit, 10, o, table);
    if (task != "digit") train(world, "speaker", s, set, s.speaker, set.speakers().size(), o, table);
    if (!world.root()) return 0;
    std::printf("\n%s(mean [95%% t-interval] over seeds 1-%zu; failed: validation accuracy not above chance)\n",
                table.markdown().c_str(), o.seeds);
    table.write_csv(std::filesystem::path(out) / "fsdd_cnn_runs.csv", std::filesystem::path(out) / "fsdd_cnn.csv");
} catch (const std::exception& e) {
    std::fprintf(stderr, "fsdd_cnn: %s\n", e.what());
    return 1;
}
