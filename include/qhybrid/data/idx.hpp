// SPDX-License-Identifier: Apache-2.0
#pragma once
// IDX files (LeCun's format for MNIST), optionally gzip-compressed: a magic number 0, 0, type,
// rank; rank big-endian 32-bit dimensions; then the values. Unsigned bytes (type 0x08) are
// supported, which is what MNIST stores. The file size must match the dimensions exactly.
#include "qhybrid/core/error.hpp"
#include "qhybrid/data/gzip.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qhybrid::data {

struct idx_array {
    std::vector<std::size_t> shape;
    std::vector<std::uint8_t> values; // row-major
};

namespace detail {

// The shape an IDX header announces and the header's size; `bytes` may hold more than the header.
inline std::pair<std::vector<std::size_t>, std::size_t> idx_header(std::span<const std::uint8_t> bytes, std::string_view source) {
    auto fail_with = [&](const std::string& what) { fail(std::string(source) + ": " + what); };
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) fail_with("not an IDX file (bad magic number)");
    if (bytes[2] != 0x08)
        fail_with("element type 0x" + std::string(1, "0123456789ABCDEF"[bytes[2] >> 4]) +
                  std::string(1, "0123456789ABCDEF"[bytes[2] & 15]) + " is not supported (only 0x08, unsigned byte)");
    const std::size_t rank = bytes[3];
    if (rank == 0) fail_with("rank 0");
    if (bytes.size() < 4 + 4 * rank) fail_with("the header is cut off (truncated file)");
    std::vector<std::size_t> shape;
    std::size_t count = 1;
    for (std::size_t d = 0; d < rank; ++d) {
        const std::uint8_t* p = bytes.data() + 4 + 4 * d;
        const std::size_t n = std::size_t(p[0]) << 24 | std::size_t(p[1]) << 16 | std::size_t(p[2]) << 8 | p[3];
        if (n == 0 || count > (std::size_t(1) << 40) / n) fail_with("dimension " + std::to_string(d) + " is 0 or too large");
        shape.push_back(n);
        count *= n;
    }
    return {std::move(shape), 4 + 4 * rank};
}

} // namespace detail

inline idx_array parse_idx(std::span<const std::uint8_t> bytes, std::string_view source = "<idx>") {
    auto [shape, header] = detail::idx_header(bytes, source);
    std::size_t count = 1;
    for (auto n : shape) count *= n;
    const std::size_t body = bytes.size() - header;
    if (body != count)
        fail(std::string(source) + ": the dimensions announce " + std::to_string(count) + " values, the file holds " +
             std::to_string(body) + (body < count ? " (truncated file)" : " (trailing data)"));
    return {std::move(shape), std::vector<std::uint8_t>(bytes.begin() + long(header), bytes.end())};
}

// Reads an IDX file; names ending in ".gz" are decompressed first, never beyond the size the IDX
// header announces (one byte more, to see trailing data).
inline idx_array read_idx(const std::filesystem::path& path) {
    const std::string source = path.string();
    const auto bytes = read_file(path);
    if (path.extension() != ".gz") return parse_idx(bytes, source);
    const auto rank = gunzip_prefix(bytes, source, 4);
    const std::size_t header = rank.size() == 4 ? 4 + 4 * std::size_t(rank[3]) : 4;
    const auto [shape, size] = detail::idx_header(gunzip_prefix(bytes, source, header), source);
    std::size_t count = 1;
    for (auto n : shape) count *= n;
    return parse_idx(gunzip(bytes, source, size + count + 1), source);
}

} // namespace qhybrid::data
