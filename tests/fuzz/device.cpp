// libFuzzer target: a device calibration (props.json and conf.json, the input split at its first
// NUL byte) loads or is rejected with qhybrid::error naming the file, never another exception.
#include <qhybrid/quantum/device.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace fs = std::filesystem;
    static const fs::path dir = fs::temp_directory_path() / ("qhybrid_fuzz_device_" + std::to_string(getpid()));
    static const bool made = fs::create_directories(dir);
    (void)made;
    const auto* text = reinterpret_cast<const char*>(data);
    const std::size_t split = std::size_t(std::find(text, text + size, '\0') - text);
    std::ofstream(dir / "props.json", std::ios::trunc).write(text, std::streamsize(split));
    std::ofstream(dir / "conf.json", std::ios::trunc).write(text + std::min(size, split + 1), std::streamsize(size - std::min(size, split + 1)));
    try {
        const auto device = qhybrid::quantum::device_model::load(dir);
        (void)device.num_qubits();
    } catch (const qhybrid::error&) {
    }
    return 0;
}
