// examples/snippets/qt_cnn_export.cpp: Quantum-Train writes a CNN's weights; the CNN goes to a device
#include <qhybrid/embedded/export.hpp>
#include <qhybrid/qhybrid.hpp>

#include <cstdio>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;

int main(int argc, char** argv) {
    qhybrid::rng gen(1);
    const auto all = m::read_deep_voice_set(d::require_data(d::data_root(argc > 1 ? argv[1] : ""), "deep-voice/DATASET-balanced.csv"));
    const auto split = m::split_deep_voice(all, 0.2, gen, 0.1);  // stratified train / validation / test
    const auto &scale = split.scaler.scale(), &offset = split.scaler.offset();
    m::qt_cnn<12, 24, m::deep_voice_cnn> qt(gen, {.transform = {.enabled = true}}, scale, offset);
    nn::adam<double> opt(qt.parameters(), {.lr = 3e-3});          // 597 trainable values, not 2,810
    nn::fit(qt, opt, split.train, &split.validation, {.epochs = 5, .batch_size = 64, .progress = false});
    auto cnn = qt.generated();                                    // an ordinary nn::sequential
    qhybrid::embedded::export_header(cnn, {26}, "detector.hpp", {.name = "detector"});
    // on the device, with qhybrid/embedded only (no heap, no exceptions, no RTTI):
    //   detector::model.run(features, logits);
    std::printf("validation accuracy %.3f; wrote detector.hpp\n", nn::evaluate(cnn, split.validation, 512).accuracy);
}
