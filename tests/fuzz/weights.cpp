// libFuzzer target: a weights file is loaded or rejected with qhybrid::error, the model unchanged
// on rejection, and nothing is allocated from a size the file claims beyond what it holds.
#include <qhybrid/nn/dense.hpp>
#include <qhybrid/nn/sequential.hpp>
#include <qhybrid/nn/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace nn = qhybrid::nn;
    static const std::string path = "/tmp/qhybrid_fuzz_weights_" + std::to_string(getpid()) + ".qhw";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    qhybrid::rng gen(1);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(3, 2, gen);
    const auto before = net.parameters()[0].value->values()[0];
    try {
        nn::load_weights(net, path);
        (void)nn::saved_metadata(path);
    } catch (const qhybrid::error&) {
        if (net.parameters()[0].value->values()[0] != before) std::abort();
    }
    return 0;
}
