// libFuzzer target: a detector profile (the JSON a weights file's metadata carries) is read or
// rejected with qhybrid::error, never a crash, an assertion or another exception.
#include <qhybrid/models/detector_profile.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        qhybrid::models::read_profile(std::string(reinterpret_cast<const char*>(data), size), "fuzz.qhw");
    } catch (const qhybrid::error&) {
    }
    return 0;
}
