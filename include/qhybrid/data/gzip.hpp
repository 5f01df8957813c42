// SPDX-License-Identifier: Apache-2.0
#pragma once
// gzip decompression (RFC 1952 members around RFC 1951 deflate streams), written for qhybrid so
// that reading MNIST needs no compiled library. Every member's CRC-32 and length are checked;
// corrupt, truncated or trailing-garbage input is a qhybrid::error naming the source and the
// byte offset. The output is bounded: deflate expands up to 1032:1, so a 1 MB file can claim a
// gigabyte; callers that know the size (IDX headers) pass it, others get a default cap.
// Canonical Huffman decoding, one bit at a time: simple, and fast enough for the data sets' few
// megabytes.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::data {

inline std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (std::uint8_t b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

namespace detail {

class inflater {
public:
    // Output beyond `limit` bytes is an error, or with `stop_at_limit` the point to stop at.
    inflater(std::span<const std::uint8_t> in, std::string_view source, std::size_t limit, bool stop_at_limit)
        : in_(in), source_(source), limit_(limit), stop_at_limit_(stop_at_limit) {}

    bool stopped() const noexcept { return stopped_; }
    std::size_t offset() const noexcept { return pos_; }
    [[noreturn]] void fail_here(const std::string& what) const {
        fail(std::string(source_) + ": byte " + std::to_string(pos_) + ": " + what);
    }

    std::uint32_t byte() {
        if (pos_ >= in_.size()) fail_here("unexpected end of data (truncated file)");
        return in_[pos_++];
    }
    std::uint32_t le16() { return byte() | byte() << 8; }
    std::uint32_t le32() { return le16() | le16() << 16; }

    // Inflates one deflate stream, appending to out.
    void inflate(std::vector<std::uint8_t>& out) {
        bit_count_ = 0;
        bool last = false;
        while (!last && !stopped_) {
            last = bits(1);
            switch (bits(2)) {
            case 0: stored(out); break;
            case 1: codes(out, fixed_literals(), fixed_distances()); break;
            case 2: dynamic(out); break;
            default: fail_here("invalid deflate block type 3");
            }
        }
        bit_count_ = 0; // the stream ends on a byte boundary
    }

private:
    // How many of `n` further bytes may be written: all of them, or for a stopping inflater what is
    // left before its limit, after which it stops.
    std::size_t room(const std::vector<std::uint8_t>& out, std::size_t n) {
        const std::size_t left = limit_ - out.size();
        if (left >= n) return n;
        if (!stop_at_limit_)
            fail_here("decompresses to more than " + std::to_string(limit_) + " bytes, the most this reader allows");
        stopped_ = true;
        return left;
    }

    struct huffman {
        std::array<std::uint16_t, 16> count{}; // codes of each length
        std::vector<std::uint16_t> symbol;     // symbols ordered by code

        // Canonical code from code lengths; over-subscribed sets are corrupt, incomplete ones are
        // legal (a code never used decodes as an error).
        bool build(std::span<const std::uint8_t> lengths) {
            count.fill(0);
            for (auto l : lengths) ++count[l];
            int left = 1;
            for (std::size_t len = 1; len < 16; ++len) {
                left = left * 2 - count[len];
                if (left < 0) return false;
            }
            std::array<std::uint16_t, 16> next{};
            for (std::size_t len = 1; len < 15; ++len) next[len + 1] = std::uint16_t(next[len] + count[len]);
            symbol.assign(lengths.size(), 0);
            for (std::size_t s = 0; s < lengths.size(); ++s)
                if (lengths[s]) symbol[next[lengths[s]]++] = std::uint16_t(s);
            count[0] = 0;
            return true;
        }
    };

    std::uint32_t bits(int n) {
        while (bit_count_ < n) {
            bit_buffer_ |= byte() << bit_count_;
            bit_count_ += 8;
        }
        const std::uint32_t v = bit_buffer_ & ((1u << n) - 1);
        bit_buffer_ >>= n;
        bit_count_ -= n;
        return v;
    }

    int decode(const huffman& h) {
        int code = 0, first = 0, index = 0;
        for (std::size_t len = 1; len < 16; ++len) {
            code |= int(bits(1));
            const int count = h.count[len];
            if (code - first < count) return h.symbol[std::size_t(index + code - first)];
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        fail_here("invalid Huffman code");
    }

    void stored(std::vector<std::uint8_t>& out) {
        bit_buffer_ = 0, bit_count_ = 0; // skip to the byte boundary
        const std::uint32_t len = le16(), nlen = le16();
        if (len != (~nlen & 0xFFFF)) fail_here("stored block length and its complement disagree");
        if (in_.size() - pos_ < len) fail_here("stored block runs past the end of the data (truncated file)");
        out.insert(out.end(), in_.begin() + long(pos_), in_.begin() + long(pos_ + room(out, len)));
        pos_ += len;
    }

    void codes(std::vector<std::uint8_t>& out, const huffman& literals, const huffman& distances) {
        static constexpr std::uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                          31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
        static constexpr std::uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        static constexpr std::uint16_t distance_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                                            33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                                            1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        static constexpr std::uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                            6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
        for (;;) {
            const int sym = decode(literals);
            if (sym < 256) {
                if (room(out, 1) == 0) return;
                out.push_back(std::uint8_t(sym));
                continue;
            }
            if (sym == 256) return;
            const int l = sym - 257;
            if (l >= 29) fail_here("invalid length symbol " + std::to_string(sym));
            const std::size_t length = length_base[l] + bits(length_extra[l]);
            const int d = decode(distances);
            if (d >= 30) fail_here("invalid distance symbol " + std::to_string(d));
            const std::size_t distance = distance_base[d] + bits(distance_extra[d]);
            if (distance > out.size())
                fail_here("a back-reference of " + std::to_string(distance) + " bytes reaches before the start of the data");
            const std::size_t from = out.size() - distance, n = room(out, length);
            for (std::size_t i = 0; i < n; ++i) out.push_back(out[from + i]); // may overlap itself
            if (stopped_) return;
        }
    }

    void dynamic(std::vector<std::uint8_t>& out) {
        const std::size_t n_literals = bits(5) + 257, n_distances = bits(5) + 1, n_code_lengths = bits(4) + 4;
        if (n_literals > 286 || n_distances > 30) fail_here("too many literal or distance codes");
        static constexpr std::uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        std::array<std::uint8_t, 19> cl{};
        for (std::size_t i = 0; i < n_code_lengths; ++i) cl[order[i]] = std::uint8_t(bits(3));
        huffman code_lengths;
        if (!code_lengths.build(cl)) fail_here("over-subscribed code-length code");
        std::vector<std::uint8_t> lengths(n_literals + n_distances, 0);
        for (std::size_t i = 0; i < lengths.size();) {
            const int sym = decode(code_lengths);
            if (sym < 16) {
                lengths[i++] = std::uint8_t(sym);
                continue;
            }
            std::uint8_t value = 0;
            std::size_t repeat = 0;
            if (sym == 16) {
                if (i == 0) fail_here("a repeat code with no previous length");
                value = lengths[i - 1], repeat = 3 + bits(2);
            } else {
                repeat = sym == 17 ? 3 + bits(3) : 11 + bits(7);
            }
            if (i + repeat > lengths.size()) fail_here("code lengths run past their count");
            for (std::size_t r = 0; r < repeat; ++r) lengths[i++] = value;
        }
        if (lengths[256] == 0) fail_here("no end-of-block code");
        huffman literals, distances;
        if (!literals.build(std::span(lengths).first(n_literals)) || !distances.build(std::span(lengths).subspan(n_literals)))
            fail_here("over-subscribed literal or distance code");
        codes(out, literals, distances);
    }

    static const huffman& fixed_literals() {
        static const huffman h = [] {
            std::array<std::uint8_t, 288> l{};
            for (std::size_t s = 0; s < 288; ++s) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
            huffman out;
            out.build(l);
            return out;
        }();
        return h;
    }
    static const huffman& fixed_distances() {
        static const huffman h = [] {
            std::array<std::uint8_t, 30> l{};
            l.fill(5);
            huffman out;
            out.build(l);
            return out;
        }();
        return h;
    }

    std::span<const std::uint8_t> in_;
    std::string_view source_;
    std::size_t limit_;
    bool stop_at_limit_, stopped_ = false;
    std::size_t pos_ = 0;
    std::uint32_t bit_buffer_ = 0;
    int bit_count_ = 0;
};

} // namespace detail

// The most gunzip writes unless told otherwise: larger than any data set qhybrid reads.
inline constexpr std::size_t default_gunzip_limit = std::size_t(1) << 28;

namespace detail {

// Decompresses the gzip members of `in` into at most `limit` bytes: more is an error, or with
// `stop_at_limit` where decompression stops (the CRC and length checks then cannot run).
inline std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in, std::string_view source, std::size_t limit,
                                        bool stop_at_limit) {
    detail::inflater r(in, source, limit, stop_at_limit);
    std::vector<std::uint8_t> out;
    do {
        const std::size_t member = r.offset();
        if (r.byte() != 0x1F || r.byte() != 0x8B) r.fail_here("not a gzip file (bad magic number)");
        if (r.byte() != 8) r.fail_here("unknown compression method (only deflate is defined)");
        const std::uint32_t flags = r.byte();
        if (flags & 0xE0) r.fail_here("reserved header flags are set");
        for (int i = 0; i < 6; ++i) r.byte(); // mtime, extra flags, OS
        if (flags & 4)
            for (std::uint32_t n = r.le16(); n > 0; --n) r.byte(); // FEXTRA
        if (flags & 8)
            while (r.byte() != 0) {} // FNAME
        if (flags & 16)
            while (r.byte() != 0) {} // FCOMMENT
        if (flags & 2) {             // FHCRC: the low 16 bits of the header's CRC-32
            const auto header = in.subspan(member, r.offset() - member);
            if (r.le16() != (crc32(header) & 0xFFFF)) r.fail_here("header CRC mismatch in the member at byte " + std::to_string(member));
        }
        const std::size_t start = out.size();
        r.inflate(out);
        if (r.stopped()) return out;
        const std::uint32_t crc = r.le32(), size = r.le32();
        const auto produced = std::span(out).subspan(start);
        if (crc32(produced) != crc) r.fail_here("CRC-32 mismatch in the member at byte " + std::to_string(member));
        if (std::uint32_t(produced.size()) != size) r.fail_here("length mismatch in the member at byte " + std::to_string(member));
    } while (r.offset() < in.size());
    return out;
}

} // namespace detail

// Decompresses one or more concatenated gzip members; more than `limit` bytes of output is an
// error (a compression bomb, or pass a larger limit).
inline std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in, std::string_view source = "<gzip>",
                                        std::size_t limit = default_gunzip_limit) {
    return detail::gunzip(in, source, limit, false);
}

// The first `n` bytes of the decompressed data (all of it if shorter), inflating no further:
// enough to read a header that tells how large the rest may be.
inline std::vector<std::uint8_t> gunzip_prefix(std::span<const std::uint8_t> in, std::string_view source, std::size_t n) {
    return detail::gunzip(in, source, n, true);
}

inline std::vector<std::uint8_t> read_gzip(const std::filesystem::path& path) {
    return gunzip(read_file(path), path.string());
}

} // namespace qhybrid::data
