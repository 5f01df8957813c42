// libFuzzer target: a sweep's checkpoint file (dist/sweep.hpp) is read or rejected with
// qhybrid::error, and nothing is allocated from a count the bytes cannot hold.
#include "checkpoint_result.hpp"

#include <qhybrid/dist/sweep.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)qhybrid::dist::read_checkpoint<fuzz_checkpoint::result>(std::string_view(reinterpret_cast<const char*>(data), size),
                                                                      "item-3.bin", "fuzz", 8, 3);
    } catch (const qhybrid::error&) {
    }
    return 0;
}
