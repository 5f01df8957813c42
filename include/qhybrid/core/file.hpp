// SPDX-License-Identifier: Apache-2.0
#pragma once
// The bytes of a whole file, for the parsers (CSV, WAV, gzip, IDX, weights), which all work on
// memory so that they can be tested on truncated and corrupt buffers without touching disk; and
// whole files written atomically, so that a crash or a full disk never leaves half a file.
#include "qhybrid/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>
#include <vector>

namespace qhybrid {

inline std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    require(!std::filesystem::is_directory(path, ec), [&] { return path.string() + ": a directory, not a file"; });
    std::ifstream in(path, std::ios::binary);
    require(bool(in), [&] { return path.string() + ": cannot open the file"; });
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    require(!in.bad(), [&] { return path.string() + ": read error"; });
    return bytes;
}

// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers see the
// old file or the new one, never a part. `who` names the caller in error messages.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, const char* who) {
    std::filesystem::path partial = path;
    partial += ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        require(bool(out), [&] { return std::string(who) + ": cannot open " + path.string() + " for writing"; });
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            fail(std::string(who) + ": writing " + path.string() + " failed (disk full?); the old file, if any, is unchanged");
        }
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        fail(std::string(who) + ": cannot replace " + path.string() + " (" + ec.message() + ")");
    }
}

} // namespace qhybrid
