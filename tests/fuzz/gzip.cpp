// libFuzzer target: a gzip stream decompresses (within a 1 MiB limit) or is rejected with
// qhybrid::error; its prefix is a prefix of the whole.
#include <qhybrid/data/gzip.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace d = qhybrid::data;
    const std::span<const std::uint8_t> in(data, size);
    try {
        const auto whole = d::gunzip(in, "fuzz.gz", 1 << 20);
        const auto prefix = d::gunzip_prefix(in, "fuzz.gz", 100);
        if (prefix.size() != std::min<std::size_t>(100, whole.size()) || !std::equal(prefix.begin(), prefix.end(), whole.begin()))
            std::abort();
    } catch (const qhybrid::error&) {
    }
    return 0;
}
