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
//   fsdd_cnn [--data DIR] [--seeds S] [--epochs MAX] [--patience P] [--lr 3e-4 1e-3] [--task digit|speaker|both]
//            [--precision double|float] [--out DIR]
#include "fsdd_spectrograms.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

namespace d = qhybrid::data;
namespace nn = qhybrid::nn;
namespace st = qhybrid::stats;
using namespace fsdd_spectrograms;

namespace {

struct settings {
    std::size_t seeds = 5, epochs = 100, patience = 10;
    std::vector<double> rates = {3e-4, 1e-3};
};

// One trained network of a seed and learning rate, before anyone looks at the test split.
template <class T>
struct trained {
    std::unique_ptr<nn::sequential<T>> net;
    double validation_loss, validation_accuracy, seconds_per_epoch;
    std::size_t epochs;
};

template <class T>
void run(const char* task, const spectrograms& s, const d::fsdd& set, const std::vector<std::size_t>& labels,
         std::size_t classes, const settings& o, st::seed_table& table) {
    const auto official_train = set.train(), test_rows = set.test();
    // per seed, per learning rate
    std::vector<std::vector<trained<T>>> runs(o.seeds);
    std::vector<nn::labelled<T>> tests;
    std::vector<double> chance(o.seeds);
    std::vector<std::size_t> validation_size(o.seeds);
    for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
        const auto data = sets_of_seed<T>(s, set, labels, seed);
        tests.push_back(data.test);
        chance[seed - 1] = st::majority_rate(data.validation.y), validation_size[seed - 1] = data.validation.size();
        for (double lr : o.rates) {
            auto [trained_net, history] = train_cnn(data, classes, lr, seed, o.epochs, o.patience);
            auto net = std::make_unique<nn::sequential<T>>(std::move(trained_net));
            double seconds = 0;
            for (const auto& e : history) seconds += e.seconds;
            const auto v = nn::evaluate(*net, data.validation, 256); // the restored best epoch
            std::printf("  %s seed %llu lr %g: %zu epochs, validation loss %.4f accuracy %.4f, %.2f s/epoch\n", task,
                        static_cast<unsigned long long>(seed), lr, history.size(), v.loss, v.accuracy, seconds / double(history.size()));
            runs[seed - 1].push_back({std::move(net), v.loss, v.accuracy, seconds / double(history.size()), history.size()});
        }
    }
    std::size_t best = 0;
    double best_loss = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < o.rates.size(); ++k) {
        double mean_loss = 0;
        for (const auto& r : runs) mean_loss += r[k].validation_loss / double(o.seeds);
        std::printf("  %s lr %g: mean validation loss %.4f\n", task, o.rates[k], mean_loss);
        if (mean_loss < best_loss) best_loss = mean_loss, best = k;
    }
    const std::string name = std::string(task) + " (" + std::to_string(classes) + " classes), lr " + qhybrid::significant(o.rates[best], 3);
    for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
        auto& r = runs[seed - 1][best];
        const auto te = nn::evaluate(*r.net, tests[seed - 1], 256); // the test split, once
        const auto correct = std::size_t(std::llround(r.validation_accuracy * double(validation_size[seed - 1])));
        table.add(name, seed, {te.accuracy, te.loss, double(r.epochs)},
                  !st::above_chance(correct, validation_size[seed - 1], chance[seed - 1]));
    }
    std::size_t at_max = 0;
    for (const auto& r : runs) at_max += r[best].epochs == o.epochs;
    std::printf("%s task: %zu classes, %zu train + %zu validation / %zu test recordings, %zu parameters; lr %g chosen; "
                "%zu of %zu chosen runs reached the %zu-epoch limit\n", task, classes, official_train.size() - validation_size[0],
                validation_size[0], test_rows.size(), runs[0][best].net->parameter_count(), o.rates[best], at_max, o.seeds, o.epochs);
}

} // namespace

int main(int argc, char** argv) try {
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
    CLI11_PARSE(app, argc, argv);

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    std::printf("features: %zu recordings (%.0f s of audio) in %.2f s, %.0fx real time; %zu threads\n", set.recordings().size(),
                s.audio_seconds, s.seconds, s.audio_seconds / s.seconds, qhybrid::threads());
    st::seed_table table({"test accuracy", "test cross-entropy", "epochs"}); // time per epoch: docs/performance.md
    const auto train = precision == "float" ? run<float> : run<double>;
    if (task != "speaker") train("digit", s, set, s.digit, 10, o, table);
    if (task != "digit") train("speaker", s, set, s.speaker, set.speakers().size(), o, table);
    std::printf("\n%s(mean [95%% t-interval] over seeds 1-%zu; failed: validation accuracy not above chance)\n",
                table.markdown().c_str(), o.seeds);
    table.write_csv(std::filesystem::path(out) / "fsdd_cnn_runs.csv", std::filesystem::path(out) / "fsdd_cnn.csv");
} catch (const std::exception& e) {
    std::fprintf(stderr, "fsdd_cnn: %s\n", e.what());
    return 1;
}
