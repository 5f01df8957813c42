// SPDX-License-Identifier: Apache-2.0
#pragma once
// RIFF/WAVE reading: PCM 8/16/24/32-bit and IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE,
// any number of channels. Unknown chunks (LIST, fact, cue, ...) are skipped. Anything the reader
// cannot trust (truncation, sizes that disagree, a partial sample frame, NaN samples) is a
// qhybrid::error naming the file, the chunk and the byte offset; the reader never guesses.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::audio {

enum class sample_encoding { pcm, ieee_float };

struct wav {
    unsigned sample_rate = 0;
    unsigned channels = 0;
    unsigned bits_per_sample = 0;
    sample_encoding encoding = sample_encoding::pcm;
    // Interleaved samples at full scale: PCM is divided by 2^(bits-1) (8-bit PCM is unsigned and
    // centred first), as soundfile and librosa do, so values lie in [-1, 1).
    std::vector<double> samples;

    std::size_t frames() const noexcept { return channels ? samples.size() / channels : 0; }
    double seconds() const noexcept { return sample_rate ? double(frames()) / sample_rate : 0.0; }

    // The mean over channels, librosa's to_mono.
    std::vector<double> mono() const {
        if (channels == 1) return samples;
        std::vector<double> out(frames());
        for (std::size_t f = 0; f < out.size(); ++f) {
            double sum = 0;
            for (unsigned c = 0; c < channels; ++c) sum += samples[f * channels + c];
            out[f] = sum / channels;
        }
        return out;
    }
};

namespace detail {

// Little-endian fields of bytes [base, base + bytes.size()) of a file, addressed by their
// position in the file (so that messages name the byte offset whether the file is in memory or
// read piece by piece).
class riff_reader {
public:
    riff_reader(std::span<const std::byte> bytes, std::string_view source, std::size_t base = 0)
        : bytes_(bytes), source_(source), base_(base) {}

    std::uint32_t u16(std::size_t at) const { return unsigned(byte(at)) | unsigned(byte(at + 1)) << 8; }
    std::uint32_t u32(std::size_t at) const { return u16(at) | u16(at + 2) << 16; }
    std::string_view tag(std::size_t at) const {
        return {reinterpret_cast<const char*>(bytes_.data() + (at - base_)), 4};
    }
    std::uint8_t byte(std::size_t at) const { return std::to_integer<std::uint8_t>(bytes_[at - base_]); }

    [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
        fail(std::string(source_) + ": byte " + std::to_string(at) + ": " + what);
    }

private:
    std::span<const std::byte> bytes_;
    std::string_view source_;
    std::size_t base_;
};

inline std::string printable(std::string_view tag) {
    std::string out;
    for (char ch : tag) out += (ch >= 32 && ch < 127) ? ch : '?';
    return out;
}

struct wav_format {
    unsigned tag = 0, channels = 0, sample_rate = 0, byte_rate = 0, block_align = 0, bits = 0;
};

inline wav_format parse_fmt(const riff_reader& r, std::size_t at, std::size_t size) {
    if (size < 16) r.fail_at(at, "fmt chunk of " + std::to_string(size) + " bytes, expected at least 16");
    wav_format f{r.u16(at), r.u16(at + 2), r.u32(at + 4), r.u32(at + 8), r.u16(at + 12), r.u16(at + 14)};
    constexpr unsigned extensible = 0xFFFE;
    if (f.tag == extensible) {
        if (size < 40 || r.u16(at + 16) < 22)
            r.fail_at(at, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short for its sub-format");
        // The sub-format GUID is {tag}-0000-0010-8000-00AA00389B71 for the standard formats.
        static constexpr std::uint8_t guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                       0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
        for (std::size_t i = 0; i < 14; ++i)
            if (r.byte(at + 26 + i) != guid_tail[i]) r.fail_at(at + 24, "unknown WAVE_FORMAT_EXTENSIBLE sub-format");
        f.tag = r.u16(at + 24);
    }
    const bool pcm = f.tag == 1, ieee = f.tag == 3;
    if (!pcm && !ieee)
        r.fail_at(at, "unsupported format tag " + std::to_string(f.tag) + " (supported: 1 = PCM, 3 = IEEE float)");
    if (f.channels == 0) r.fail_at(at + 2, "zero channels");
    if (f.sample_rate == 0) r.fail_at(at + 4, "sample rate 0");
    const bool bits_ok = pcm ? (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32)
                             : (f.bits == 32 || f.bits == 64);
    if (!bits_ok)
        r.fail_at(at + 14, std::to_string(f.bits) + " bits per sample is not supported for " +
                               (pcm ? "PCM (8, 16, 24, 32)" : "IEEE float (32, 64)"));
    if (f.block_align != f.channels * f.bits / 8)
        r.fail_at(at + 12, "block align " + std::to_string(f.block_align) + " disagrees with " +
                               std::to_string(f.channels) + " channels of " + std::to_string(f.bits) + " bits");
    if (f.byte_rate != std::uint64_t(f.sample_rate) * f.block_align)
        r.fail_at(at + 8, "byte rate " + std::to_string(f.byte_rate) + " disagrees with sample rate " +
                              std::to_string(f.sample_rate) + " x block align " + std::to_string(f.block_align));
    return f;
}

inline double decode_sample(const riff_reader& r, std::size_t at, const wav_format& f) {
    if (f.tag == 1) {
        switch (f.bits) {
        case 8: return (double(r.byte(at)) - 128.0) / 128.0;
        case 16: return double(std::int16_t(r.u16(at))) / 32768.0;
        case 24: {
            const std::uint32_t u = r.u16(at) | std::uint32_t(r.byte(at + 2)) << 16;
            return double(std::int32_t(u << 8) >> 8) / 8388608.0;
        }
        default: return double(std::int32_t(r.u32(at))) / 2147483648.0;
        }
    }
    const double v = f.bits == 32 ? double(std::bit_cast<float>(r.u32(at)))
                                  : std::bit_cast<double>(std::uint64_t(r.u32(at)) | std::uint64_t(r.u32(at + 4)) << 32);
    if (!std::isfinite(v)) r.fail_at(at, "a non-finite float sample");
    return v;
}

// Where a file's samples are and how they are encoded.
struct wav_layout {
    wav_format format;
    std::size_t data_at = 0, data_size = 0; // the data chunk's body
};

// Walks the RIFF chunks of a file of `file_size` bytes; `read(at, n)` gives a riff_reader over
// bytes [at, at + n), n <= 64, so that a file need not be in memory to be checked.
template <class Read>
wav_layout locate_wav(std::size_t file_size, Read&& read) {
    const riff_reader head = read(0, std::min<std::size_t>(file_size, 12));
    if (file_size < 12 || head.tag(0) != "RIFF" || head.tag(8) != "WAVE") head.fail_at(0, "not a RIFF/WAVE file");
    const std::size_t riff_end = 8 + std::size_t(head.u32(4));
    if (riff_end > file_size || riff_end < 12)
        head.fail_at(4, "the RIFF header announces " + std::to_string(riff_end) + " bytes, the file has " +
                            std::to_string(file_size) + " (truncated file or lying header)");
    wav_layout layout;
    bool have_format = false, have_data = false;
    for (std::size_t at = 12; at < riff_end;) {
        if (riff_end - at < 8) head.fail_at(at, "a chunk header is cut off");
        const riff_reader r = read(at, 8);
        const std::string id(r.tag(at));
        const std::size_t size = r.u32(at + 4), body = at + 8;
        if (size > riff_end - body)
            r.fail_at(at, "chunk '" + printable(id) + "' announces " + std::to_string(size) + " bytes, only " +
                              std::to_string(riff_end - body) + " remain (truncated file or lying header)");
        if (id == "fmt ") {
            if (have_format) r.fail_at(at, "a second fmt chunk");
            layout.format = parse_fmt(read(body, std::min<std::size_t>(size, 64)), body, size); // reads at most 40 bytes
            have_format = true;
        } else if (id == "data") {
            if (!have_format) r.fail_at(at, "data chunk before the fmt chunk");
            if (have_data) r.fail_at(at, "a second data chunk");
            if (size % layout.format.block_align != 0)
                r.fail_at(at, "data chunk of " + std::to_string(size) + " bytes ends inside a sample frame of " +
                                  std::to_string(layout.format.block_align) + " bytes");
            layout.data_at = body, layout.data_size = size, have_data = true;
        }
        at = body + size + (size & 1); // chunks are padded to even sizes; a missing final pad byte is harmless
    }
    if (!have_format) head.fail_at(12, "no fmt chunk");
    if (!have_data) head.fail_at(12, "no data chunk");
    return layout;
}

inline wav header_of(const wav_format& f) {
    wav out;
    out.sample_rate = f.sample_rate;
    out.channels = f.channels;
    out.bits_per_sample = f.bits;
    out.encoding = f.tag == 1 ? sample_encoding::pcm : sample_encoding::ieee_float;
    return out;
}

} // namespace detail

// Parses a whole WAV file held in memory; `source` names it in error messages.
inline wav parse_wav(std::span<const std::byte> bytes, std::string_view source = "<wav>") {
    const auto read = [&](std::size_t at, std::size_t n) { return detail::riff_reader(bytes.subspan(at, n), source, at); };
    const detail::wav_layout layout = detail::locate_wav(bytes.size(), read);
    wav out = detail::header_of(layout.format);
    const detail::riff_reader r(bytes, source);
    const std::size_t width = layout.format.bits / 8;
    out.samples.resize(layout.data_size / width);
    for (std::size_t i = 0; i < out.samples.size(); ++i)
        out.samples[i] = detail::decode_sample(r, layout.data_at + i * width, layout.format);
    return out;
}

inline wav read_wav(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> bytes = read_file(path);
    return parse_wav(std::as_bytes(std::span(bytes)), path.string());
}

} // namespace qhybrid::audio
