// Writes seeds for the fuzzers into a folder (the committed ones in seeds/ came from here): a
// detector profile fitted to synthetic rows, a weights file of the weights target's model with
// that profile as metadata, a small WAV and a sweep's checkpoint file.
#include "checkpoint_result.hpp"

#include <qhybrid/dist/sweep.hpp>
#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/detector_profile.hpp>
#include <qhybrid/nn/dense.hpp>
#include <qhybrid/nn/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
    namespace m = qhybrid::models;
    namespace nn = qhybrid::nn;
    const std::filesystem::path dir = argc > 1 ? argv[1] : "seeds";
    for (const char* target : {"detector_profile", "weights", "wav", "checkpoint"}) std::filesystem::create_directories(dir / target);
    qhybrid::rng gen(1);
    nn::labelled<double> rows{nn::tensor<double>({300, 26}), std::vector<std::size_t>(300)};
    for (std::size_t r = 0; r < 300; ++r) {
        for (auto& v : rows.x.row(r)) v = gen.normal();
        rows.y[r] = rows.x.row(r)[0] > 0;
    }
    const std::vector<double> ones(26, 1.0), zeros(26, 0.0);
    auto cnn = m::deep_voice_cnn::build<double>(gen, ones, zeros);
    const std::string profile = m::to_json(m::fit_profile(cnn, rows, rows, {}, gen));
    std::ofstream(dir / "detector_profile" / "profile.json") << profile;
    nn::sequential<double> net;
    net.add<nn::dense<double>>(3, 2, gen);
    nn::save_weights(net, (dir / "weights" / "dense.qhw").string(), profile);
    nn::save_weights(net, (dir / "weights" / "plain.qhw").string());
    // 16-bit stereo PCM at 8 kHz with a LIST chunk: 4 frames.
    const unsigned char wav[] = {'R', 'I', 'F', 'F', 58, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0,
                                 0x40, 0x1f, 0, 0, 0, 0x7d, 0, 0, 4, 0, 16, 0, 'L', 'I', 'S', 'T', 2, 0, 0, 0, 'a', 'b',
                                 'd', 'a', 't', 'a', 16, 0, 0, 0, 0, 0x40, 0, 0xc0, 0, 0x20, 0, 0xe0, 1, 0, 2, 0, 3, 0, 4, 0};
    std::ofstream(dir / "wav" / "stereo.wav", std::ios::binary).write(reinterpret_cast<const char*>(wav), sizeof wav);
    const fuzz_checkpoint::result item{"seed 3", {0.875, {1.0, 0.75}}, {{0.5f, 0.25f}, {}}, {2, -1.5}};
    std::ofstream(dir / "checkpoint" / "item-3.bin", std::ios::binary) << qhybrid::dist::checkpoint_bytes("fuzz", 8, 3, item);
}
