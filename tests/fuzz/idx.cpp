// libFuzzer target: IDX files, plain and gzip-compressed (read_idx's bounded path), are read or
// rejected with qhybrid::error; what is read has as many values as its shape says.
#include <qhybrid/data/idx.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <numeric>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace d = qhybrid::data;
    static const std::string path = "/tmp/qhybrid_fuzz_idx_" + std::to_string(getpid()) + ".gz";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    for (bool compressed : {false, true}) {
        try {
            const auto a = compressed ? d::read_idx(path) : d::parse_idx(std::span(data, size), "fuzz.idx");
            if (std::accumulate(a.shape.begin(), a.shape.end(), std::size_t{1}, std::multiplies<>{}) != a.values.size()) std::abort();
        } catch (const qhybrid::error&) {
        }
    }
    return 0;
}
