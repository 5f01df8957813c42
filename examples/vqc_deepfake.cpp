// A variational quantum classifier for deepfake voices on DEEP-VOICE's features.
//
// Eight of the 26 features on 8 qubits, the classifier of vqc_classifier.hpp (RY encoding,
// RealAmplitudes(8, 3), P(FAKE) = sigmoid(a <Z_0> + b)), trained with Adam by the adjoint method.
// Stratified 80/20 split.
// Note: DEEP-VOICE's rows are 1-second windows of a few recordings (8 real speakers and their
// conversions) in random order, with no recording id: any split of the file shares speakers and
// recordings between train and test, and a 1-nearest-neighbour lookup already scores 0.993 on a
// random split (examples/deepvoice_mlp.cpp). The test accuracy measures recognising these
// recordings, not detecting deepfakes from unseen sources.
//
//   vqc_deepfake [--data DIR] [--epochs N] [--seed S] [--batch B] [--lr LR]
// DIR defaults to $QHYBRID_DATA, then ../shared/data. One training, nothing to split: under mpirun
// rank 0 runs it and the other processes end.
#include "vqc_classifier.hpp"

#include <qhybrid/dist/world.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

constexpr std::size_t qubits = 8;

struct options {
    fs::path data;
    int epochs = 15;
    std::uint64_t seed = 1;
    std::size_t batch = 64;
    double lr = 0.05;
};

options parse(int argc, char** argv) {
    options o;
    o.data = qhybrid::data::data_root();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) qhybrid::fail("option " + a + " needs a value");
            return argv[++i];
        };
        auto number = [&]() {
            const std::string v = value();
            double x = 0;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x))
                qhybrid::fail(a + ": \"" + v + "\" is not a number");
            return x;
        };
        auto whole = [&](double lo, double hi) { // a whole number in [lo, hi], before any cast
            const double x = number();
            if (x != std::floor(x) || x < lo || x > hi)
                qhybrid::fail(a + " takes a whole number from " + std::to_string(std::llround(lo)) + " to " +
                              std::to_string(std::llround(hi)));
            return x;
        };
        if (a == "--data") o.data = value();
        else if (a == "--epochs") o.epochs = int(whole(1, 100000));
        else if (a == "--seed") o.seed = std::uint64_t(whole(0, 1e15));
        else if (a == "--batch") o.batch = std::size_t(whole(1, 1e9));
        else if (a == "--lr") o.lr = number();
        else qhybrid::fail("unknown option " + a + " (options: --data DIR --epochs N --seed S --batch B --lr LR)");
    }
    qhybrid::require(o.lr > 0, [] { return std::string("--lr must be positive"); });
    return o;
}

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    if (!qhybrid::dist::world().root()) return 0;
    const options opt = parse(argc, argv);
    vqc::dataset d = vqc::load(opt.data, qubits);
    qhybrid::rng gen(opt.seed);
    const auto split = qhybrid::data::stratified_split(std::span<const int>(d.y), 0.2, gen);
    vqc::scale_to_angles(d, split.train);

    using model = vqc::classifier<qubits>;
    std::printf("DEEP-VOICE: %zu rows, %zu train / %zu test (stratified 80/20, seed %llu)\n", d.y.size(),
                split.train.size(), split.test.size(), static_cast<unsigned long long>(opt.seed));
    std::printf("VQC: RY encoding of 8 features, RealAmplitudes(8, reps=3), %zu trainable parameters, %zu lanes\n",
                model::circuit::num_params + 2, model::lanes);

    model m(gen);
    vqc::adam opt_adam(opt.lr);
    std::vector<std::size_t> order = split.train;
    for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        const double loss = m.train_epoch(d, order, opt.batch, opt_adam, gen);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("epoch %2d  loss %.4f  train acc %.4f  test acc %.4f  %.3f s/epoch\n", epoch, loss,
                    m.accuracy(d, split.train), m.accuracy(d, split.test), seconds);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "vqc_deepfake: %s\n", e.what());
    return 2;
}
