#pragma once
// librosa.feature.mfcc: the orthonormal DCT-II of the log-power mel spectrogram (power_to_db with
// ref 1, amin 1e-10, top_db 80), first n_mfcc coefficients of every frame.
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/audio/mel.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/core/error.hpp"

#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

struct mfcc_options {
    std::size_t n_mfcc = 20;
    stft_options stft{};
    mel_options mel{};
    db_options db{};
};

// Coefficients k < n_mfcc of the orthonormal DCT-II of every frame (scipy.fft.dct(type=2,
// norm="ortho")): y_k = s_k sum_n x_n cos(pi k (2n + 1) / 2N), s_0 = sqrt(1/N), s_k = sqrt(2/N).
template <class Real>
frame_matrix<Real> dct_ortho(const frame_matrix<Real>& x, std::size_t n_mfcc) {
    const std::size_t n = x.width;
    require(n_mfcc >= 1 && n_mfcc <= n, [&] {
        return "mfcc: n_mfcc " + std::to_string(n_mfcc) + " is not in [1, n_mels = " + std::to_string(n) + "]";
    });
    std::vector<Real> basis(n_mfcc * n);
    for (std::size_t k = 0; k < n_mfcc; ++k)
        for (std::size_t i = 0; i < n; ++i)
            basis[k * n + i] = Real(std::sqrt((k == 0 ? 1.0 : 2.0) / double(n)) *
                                    std::cos(std::numbers::pi * double(k * (2 * i + 1)) / double(2 * n)));
    frame_matrix<Real> y(x.frames, n_mfcc);
    for (std::size_t t = 0; t < x.frames; ++t)
        for (std::size_t k = 0; k < n_mfcc; ++k) {
            Real sum = 0;
            for (std::size_t i = 0; i < n; ++i) sum += basis[k * n + i] * x(t, i);
            y(t, k) = sum;
        }
    return y;
}

template <class Real>
frame_matrix<Real> mfcc(std::span<const Real> signal, double rate, const mfcc_options& options = {}) {
    return dct_ortho(power_to_db(melspectrogram(signal, rate, options.stft, options.mel), options.db), options.n_mfcc);
}

} // namespace qhybrid::audio
