// SPDX-License-Identifier: Apache-2.0
#pragma once
// A WAV file read block by block, for files too long to hold in memory (an hour at 48 kHz is
// 1.4 GB of doubles): the header is checked up front exactly as read_wav checks it (the same
// chunk walk, audio/wav.hpp), then read() decodes the next frames, mixed down to mono. Memory is
// the caller's block plus one block of raw bytes.
#include "qhybrid/audio/wav.hpp"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace qhybrid::audio {

class wav_stream {
public:
    explicit wav_stream(const std::filesystem::path& path) : name_(path.string()) {
        std::error_code ec;
        require(!std::filesystem::is_directory(path, ec), [&] { return name_ + ": a directory, not a file"; });
        in_.open(path, std::ios::binary);
        require(bool(in_), [&] { return name_ + ": cannot open the file"; });
        const auto size = std::filesystem::file_size(path, ec);
        require(!ec, [&] { return name_ + ": cannot tell the file's size (" + ec.message() + ")"; });
        layout_ = detail::locate_wav(std::size_t(size), [&](std::size_t at, std::size_t n) { return bytes_at(at, n); });
        header_ = detail::header_of(layout_.format);
    }

    // Rate, channels, encoding; `samples` stays empty.
    const wav& header() const noexcept { return header_; }
    std::size_t frames() const noexcept { return layout_.data_size / layout_.format.block_align; }
    std::size_t frames_left() const noexcept { return frames() - next_; }

    // Decodes up to out.size() frames into out, each the mean of its channels (wav::mono());
    // returns how many, 0 at the end.
    std::size_t read(std::span<double> out) {
        const std::size_t count = std::min(out.size(), frames_left());
        const std::size_t align = layout_.format.block_align, width = layout_.format.bits / 8;
        const std::size_t at = layout_.data_at + next_ * align;
        const detail::riff_reader r = bytes_at(at, count * align);
        const unsigned channels = layout_.format.channels;
        for (std::size_t f = 0; f < count; ++f) {
            double sum = 0;
            for (unsigned c = 0; c < channels; ++c)
                sum += detail::decode_sample(r, at + f * align + c * width, layout_.format);
            out[f] = channels == 1 ? sum : sum / channels;
        }
        next_ += count;
        return count;
    }

private:
    detail::riff_reader bytes_at(std::size_t at, std::size_t n) {
        buffer_.resize(n);
        in_.clear();
        in_.seekg(std::streamoff(at));
        in_.read(reinterpret_cast<char*>(buffer_.data()), std::streamsize(n));
        require(in_.gcount() == std::streamsize(n), [&] {
            return name_ + ": byte " + std::to_string(at) + ": the file ended or could not be read (it changed while open?)";
        });
        return {buffer_, name_, at};
    }

    std::string name_;
    std::ifstream in_;
    std::vector<std::byte> buffer_;
    detail::wav_layout layout_;
    wav header_;
    std::size_t next_ = 0;
};

} // namespace qhybrid::audio
