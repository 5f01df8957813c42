// SPDX-License-Identifier: Apache-2.0
#pragma once
// A time-frequency (or time-feature) matrix stored frame by frame: row t holds frame t. This is
// the transpose of librosa's (features, frames) layout, chosen because every feature is computed
// one frame at a time and a CNN reads the frames as rows of an image.
#include <cstddef>
#include <span>
#include <vector>

namespace qhybrid::audio {

template <class T>
struct frame_matrix {
    std::size_t frames = 0, width = 0;
    std::vector<T> values; // frames * width, row-major

    frame_matrix() = default;
    frame_matrix(std::size_t frame_count, std::size_t frame_width)
        : frames(frame_count), width(frame_width), values(frame_count * frame_width) {}

    T& operator()(std::size_t t, std::size_t k) noexcept { return values[t * width + k]; }
    const T& operator()(std::size_t t, std::size_t k) const noexcept { return values[t * width + k]; }
    std::span<T> frame(std::size_t t) noexcept { return {values.data() + t * width, width}; }
    std::span<const T> frame(std::size_t t) const noexcept { return {values.data() + t * width, width}; }

    // The mean of every column over all frames (DEEP-VOICE's per-window features).
    std::vector<T> column_means() const {
        std::vector<T> mean(width, T(0));
        for (std::size_t t = 0; t < frames; ++t)
            for (std::size_t k = 0; k < width; ++k) mean[k] += (*this)(t, k);
        for (auto& m : mean) m /= T(frames);
        return mean;
    }
};

} // namespace qhybrid::audio
