// A small CNN on log-mel spectrograms of the Free Spoken Digit Dataset, official split
// (recordings 0-4 of every digit and speaker test, 5-49 train):
//   digit task:   10 classes;   speaker task: 6 classes.
// Features: 63 frames x 40 log-mels per recording (fsdd_spectrograms.hpp). Network: models::fsdd_cnn (three
// conv 3x3 of 16, 16, 32 channels with ReLU and 2x2 max-pooling, dropout 0.3, dense 64, dense classes).
// Adam, batch 32; double by default, --precision float for PyTorch's default arithmetic.
//
//   fsdd_cnn [--data DIR] [--epochs N] [--seed S] [--task digit|speaker|both] [--precision double|float]
#include "fsdd_spectrograms.hpp"

#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace d = qhybrid::data;
namespace nn = qhybrid::nn;
using namespace fsdd_spectrograms;

namespace {

template <class T>
void run(const char* task, const spectrograms& s, const d::fsdd& set, const std::vector<std::size_t>& labels,
         std::size_t classes, std::size_t epochs, std::uint64_t seed) {
    const auto train_rows = set.train(), test_rows = set.test();
    const auto [mean, sd] = s.moments(train_rows);
    const auto train = s.images<T>(train_rows, labels, mean, sd), test = s.images<T>(test_rows, labels, mean, sd);
    qhybrid::rng gen(seed);
    auto net = qhybrid::models::fsdd_cnn::build<T>(classes, gen, seed + 1);
    nn::adam<T> opt(net.parameters(), {.lr = 1e-3});
    std::printf("%s task: %zu classes, %zu train / %zu test recordings, %zu parameters\n", task, classes,
                train.size(), test.size(), net.parameter_count());
    const auto history = nn::fit(net, opt, train, nullptr, {.epochs = epochs, .batch_size = 32, .seed = seed});
    double seconds = 0;
    for (const auto& e : history) seconds += e.seconds;
    const auto tr = nn::evaluate(net, train, 256), te = nn::evaluate(net, test, 256);
    std::printf("%s task: train accuracy %.4f, test accuracy %.4f, test loss %.4f, %.2f s per epoch\n", task,
                tr.accuracy, te.accuracy, te.loss, seconds / double(history.size()));
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("CNN on FSDD log-mel spectrograms (official split)");
    std::string data_flag, task = "both", precision = "double";
    std::size_t epochs = 15;
    std::uint64_t seed = 1;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--epochs", epochs, "training epochs")->check(CLI::PositiveNumber);
    app.add_option("--seed", seed, "seed of the initialisation, dropout and minibatch order");
    app.add_option("--task", task, "digit, speaker or both")->check(CLI::IsMember({"digit", "speaker", "both"}));
    app.add_option("--precision", precision, "arithmetic of the network: double or float")
        ->check(CLI::IsMember({"double", "float"}));
    CLI11_PARSE(app, argc, argv);

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    std::printf("features: %zu recordings (%.0f s of audio) in %.2f s, %.0fx real time\n", set.recordings().size(),
                s.audio_seconds, s.seconds, s.audio_seconds / s.seconds);
    const auto train = precision == "float" ? run<float> : run<double>;
    if (task != "speaker") train("digit", s, set, s.digit, 10, epochs, seed);
    if (task != "digit") train("speaker", s, set, s.speaker, set.speakers().size(), epochs, seed);
} catch (const std::exception& e) {
    std::fprintf(stderr, "fsdd_cnn: %s\n", e.what());
    return 1;
}
