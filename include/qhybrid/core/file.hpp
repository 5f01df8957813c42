// SPDX-License-Identifier: Apache-2.0
#pragma once
// The bytes of a whole file, for the parsers (CSV, WAV, gzip, IDX, weights), which all work on
// memory so that they can be tested on truncated and corrupt buffers without touching disk.
#include "qhybrid/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace qhybrid {

inline std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    require(bool(in), [&] { return path.string() + ": cannot open the file"; });
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    require(!in.bad(), [&] { return path.string() + ": read error"; });
    return bytes;
}

} // namespace qhybrid
