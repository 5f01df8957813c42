// A classical baseline for deepfake voice detection: an MLP (26 -> 64 -> 32 -> 2, ReLU) on the
// 26 DEEP-VOICE features, standardised with a scaler fitted on the training rows and carried in
// the model as its first layer. Adam, cross-entropy, minibatches of 64.
//   1. a stratified 80/20 split: train, then test accuracy;
//   2. stratified 10-fold cross-validation, for comparison with the published XGBoost 99.3%.
// DEEP-VOICE's rows are consecutive 1-second windows of the same recordings, so a random split
// puts windows of one recording on both sides: both figures are optimistic, as the published one is.
//
//   deepvoice_mlp [--data DIR] [--epochs N] [--folds K] [--seed S]
#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

namespace d = qhybrid::data;
namespace nn = qhybrid::nn;

namespace {

constexpr std::size_t width = d::deep_voice_width;

// Trains on `train` and returns the test accuracy.
double train_and_test(const nn::labelled<double>& data, const d::split_indices& split, std::size_t epochs, std::uint64_t seed, bool progress) {
    const auto train = nn::subset(data, std::span(split.train)), test = nn::subset(data, std::span(split.test));
    d::standard_scaler scaler;
    scaler.fit(std::span(train.x.values()), width);
    qhybrid::rng gen(seed);
    nn::sequential<double> net;
    net.add<nn::feature_scaling<double>>(scaler.scale(), scaler.offset())
        .add<nn::dense<double>>(width, 64, gen).add<nn::relu<double>>()
        .add<nn::dense<double>>(64, 32, gen).add<nn::relu<double>>()
        .add<nn::dense<double>>(32, 2, gen);
    nn::adam<double> opt(net.parameters(), {.lr = 2e-3});
    nn::fit(net, opt, train, nullptr, {.epochs = epochs, .batch_size = 64, .seed = seed, .progress = progress});
    return nn::evaluate(net, test, 256).accuracy;
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("MLP baseline on DEEP-VOICE's 26 features: stratified 80/20 split and k-fold cross-validation");
    std::string data_flag;
    std::size_t epochs = 40, folds = 10;
    std::uint64_t seed = 1;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--epochs", epochs, "training epochs")->check(CLI::PositiveNumber);
    app.add_option("--folds", folds, "cross-validation folds (0: skip)");
    app.add_option("--seed", seed, "seed of the split, the initialisation and the minibatch order");
    CLI11_PARSE(app, argc, argv);

    const auto data = qhybrid::models::read_deep_voice_set(d::require_data(d::data_root(data_flag), "deep-voice/DATASET-balanced.csv"));
    qhybrid::rng gen(seed);
    const auto split = d::stratified_split(std::span<const std::size_t>(data.y), 0.2, gen);
    std::printf("DEEP-VOICE: %zu rows; stratified 80/20: %zu train, %zu test\n", data.y.size(), split.train.size(), split.test.size());
    std::printf("test accuracy (80/20): %.4f\n", train_and_test(data, split, epochs, seed, true));

    if (folds > 0) {
        const auto all = d::stratified_k_fold(std::span<const std::size_t>(data.y), folds, gen);
        double sum = 0, sq = 0;
        for (std::size_t f = 0; f < all.size(); ++f) {
            const double acc = train_and_test(data, all[f], epochs, seed + 1 + f, false);
            std::printf("fold %zu: %.4f\n", f + 1, acc);
            sum += acc, sq += acc * acc;
        }
        const double mean = sum / double(folds), sd = std::sqrt(std::max(0.0, sq / double(folds) - mean * mean));
        std::printf("%zu-fold cross-validated accuracy: %.4f +- %.4f (published XGBoost: 0.993)\n", folds, mean, sd);
    }
} catch (const std::exception& e) {
    std::fprintf(stderr, "deepvoice_mlp: %s\n", e.what());
    return 1;
}
