// examples/snippets/detector.cpp: a deepfake-voice detector that says when it cannot judge
#include <qhybrid/models/voice_detector.hpp>
#include <qhybrid/qhybrid.hpp>

#include <cstdio>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;

int main(int argc, char** argv) {
    qhybrid::rng gen(1);
    const auto all = m::read_deep_voice_set(d::require_data(d::data_root(argc > 1 ? argv[1] : ""), "deep-voice/DATASET-balanced.csv"));
    const auto s = m::split_deep_voice(all, 0.2, gen, 0.1);
    auto net = m::deep_voice_cnn::build<double>(gen, s.scaler.scale(), s.scaler.offset());
    nn::adam<double> opt(net.parameters(), {.lr = 3e-3});
    nn::fit(net, opt, s.train, &s.validation, {.epochs = 10, .batch_size = 64, .progress = false});
    // Temperature on the validation split, training-domain summary on the training split:
    const m::detector_profile profile = m::fit_profile(net, s.train, s.validation, {.seed = 1}, gen);
    nn::save_weights(net, "detector.qhw", m::to_json(profile));   // qhybrid detect reads it

    m::voice_detector detector(net, profile);
    const m::file_judgement f = detector.judge(argc > 2 ? argv[2] : "voice.wav"); // resampled, window by window
    if (f.decided()) std::printf("%s %.4f (%zu windows judged)\n", f.verdict(), f.confidence(), f.judged);
    else std::printf("CANNOT JUDGE: %s\n", f.cannot_judge.c_str());
}
