// A small CNN on log-mel spectrograms of the Free Spoken Digit Dataset, official split
// (recordings 0-4 of every digit and speaker test, 5-49 train):
//   digit task:   10 classes;   speaker task: 6 classes.
// Features: each recording cut or zero-padded to 1 s (8,000 samples), librosa's melspectrogram
// with n_fft 512, hop 128, 40 Slaney mels, power_to_db (ref 1, top_db 80): 63 frames x 40 mels,
// standardised with the training set's mean and deviation. Network: three conv 3x3 (16, 16, 32
// channels, ReLU, 2x2 max-pooling), dropout 0.3, dense 64, dense classes. Adam, batch 32.
//
//   fsdd_cnn [--data DIR] [--epochs N] [--seed S] [--task digit|speaker|both]
#include <qhybrid/qhybrid.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

namespace a = qhybrid::audio;
namespace d = qhybrid::data;
namespace nn = qhybrid::nn;

namespace {

constexpr std::size_t samples = 8000, frames = 63, mels = 40;

struct spectrograms {
    std::vector<double> values; // recordings x frames x mels
    std::vector<std::size_t> digit, speaker;
    double seconds = 0, audio_seconds = 0;
};

spectrograms features(const d::fsdd& set) {
    const auto start = std::chrono::steady_clock::now();
    const a::stft_options stft{.n_fft = 512, .hop_length = 128};
    a::stft_plan<double> plan(stft);
    const a::mel_filterbank<double> mel(8000, stft.n_fft, {.n_mels = mels});
    spectrograms out;
    for (const auto& r : set.recordings()) {
        const a::wav w = a::read_wav(r.path);
        qhybrid::require(w.sample_rate == 8000, [&] { return r.path.string() + ": expected 8 kHz audio"; });
        const auto mono = w.mono();
        out.audio_seconds += w.seconds();
        const auto y = d::fix_length<double>(mono, samples);
        const auto db = a::power_to_db(mel.apply(plan.spectrogram(y)));
        out.values.insert(out.values.end(), db.values.begin(), db.values.end());
        out.digit.push_back(std::size_t(r.digit));
        out.speaker.push_back(set.speaker_index(r.speaker));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

nn::labelled<double> images(const spectrograms& s, const std::vector<std::size_t>& rows,
                            const std::vector<std::size_t>& labels, double mean, double sd) {
    constexpr std::size_t size = frames * mels;
    nn::labelled<double> out{nn::tensor<double>({rows.size(), 1, frames, mels}), {}};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t k = 0; k < size; ++k) out.x[i * size + k] = (s.values[rows[i] * size + k] - mean) / sd;
        out.y.push_back(labels[rows[i]]);
    }
    return out;
}

nn::sequential<double> cnn(std::size_t classes, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    nn::sequential<double> net;
    net.add<nn::conv2d<double>>(nn::conv_shape{1, 16, 3, 3, 1, 1, 1, 1}, gen).add<nn::relu<double>>().add<nn::max_pool2d<double>>(2)
        .add<nn::conv2d<double>>(nn::conv_shape{16, 16, 3, 3, 1, 1, 1, 1}, gen).add<nn::relu<double>>().add<nn::max_pool2d<double>>(2)
        .add<nn::conv2d<double>>(nn::conv_shape{16, 32, 3, 3, 1, 1, 1, 1}, gen).add<nn::relu<double>>().add<nn::max_pool2d<double>>(2)
        .add<nn::flatten<double>>()
        .add<nn::dropout<double>>(0.3, seed + 1)
        .add<nn::dense<double>>(32 * 7 * 5, 64, gen).add<nn::relu<double>>()
        .add<nn::dense<double>>(64, classes, gen);
    return net;
}

void run(const char* task, const spectrograms& s, const d::fsdd& set, const std::vector<std::size_t>& labels,
         std::size_t classes, std::size_t epochs, std::uint64_t seed) {
    const auto train_rows = set.train(), test_rows = set.test();
    double mean = 0, sq = 0, n = 0;
    for (auto r : train_rows)
        for (std::size_t k = 0; k < frames * mels; ++k) {
            const double v = s.values[r * frames * mels + k];
            mean += v, sq += v * v, n += 1;
        }
    mean /= n;
    const double sd = std::sqrt(sq / n - mean * mean);
    const auto train = images(s, train_rows, labels, mean, sd), test = images(s, test_rows, labels, mean, sd);
    auto net = cnn(classes, seed);
    nn::adam<double> opt(net.parameters(), {.lr = 1e-3});
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
    std::string data_flag, task = "both";
    std::size_t epochs = 15;
    std::uint64_t seed = 1;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--epochs", epochs, "training epochs")->check(CLI::PositiveNumber);
    app.add_option("--seed", seed, "seed of the initialisation, dropout and minibatch order");
    app.add_option("--task", task, "digit, speaker or both")->check(CLI::IsMember({"digit", "speaker", "both"}));
    CLI11_PARSE(app, argc, argv);

    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());
    const spectrograms s = features(set);
    std::printf("features: %zu recordings (%.0f s of audio) in %.2f s, %.0fx real time\n", set.recordings().size(),
                s.audio_seconds, s.seconds, s.audio_seconds / s.seconds);
    if (task != "speaker") run("digit", s, set, s.digit, 10, epochs, seed);
    if (task != "digit") run("speaker", s, set, s.speaker, set.speakers().size(), epochs, seed);
} catch (const std::exception& e) {
    std::fprintf(stderr, "fsdd_cnn: %s\n", e.what());
    return 1;
}
