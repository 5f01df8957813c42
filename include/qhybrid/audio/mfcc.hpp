// SPDX-License-Identifier: Apache-2.0
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

// The first `outputs` coefficients of the orthonormal DCT-II of `inputs` values (scipy.fft.dct
// type 2, norm "ortho"): y_k = s_k sum_n x_n cos(pi k (2n + 1) / 2N), s_0 = sqrt(1/N), s_k = sqrt(2/N).
template <class Real>
class dct2_ortho {
public:
    dct2_ortho(std::size_t inputs, std::size_t outputs) : inputs_(inputs), outputs_(outputs), basis_(inputs * outputs) {
        require(outputs >= 1 && outputs <= inputs, [&] {
            return "mfcc: n_mfcc " + std::to_string(outputs) + " is not in [1, n_mels = " + std::to_string(inputs) + "]";
        });
        for (std::size_t k = 0; k < outputs; ++k)
            for (std::size_t i = 0; i < inputs; ++i)
                basis_[k * inputs + i] = Real(std::sqrt((k == 0 ? 1.0 : 2.0) / double(inputs)) *
                                              std::cos(std::numbers::pi * double(k * (2 * i + 1)) / double(2 * inputs)));
    }

    frame_matrix<Real> apply(const frame_matrix<Real>& x) const {
        require(x.width == inputs_, [&] {
            return "dct2_ortho: frames of " + std::to_string(x.width) + " values, expected " + std::to_string(inputs_);
        });
        frame_matrix<Real> y(x.frames, outputs_);
        for (std::size_t t = 0; t < x.frames; ++t)
            for (std::size_t k = 0; k < outputs_; ++k) {
                Real sum = 0;
                for (std::size_t i = 0; i < inputs_; ++i) sum += basis_[k * inputs_ + i] * x(t, i);
                y(t, k) = sum;
            }
        return y;
    }

    // The vector-Jacobian product of apply: the transpose, dL/dx(t, i) = sum_k basis(k, i) dL/dy(t, k).
    frame_matrix<Real> vjp(const frame_matrix<Real>& dy) const {
        require(dy.width == outputs_, [&] {
            return "dct2_ortho::vjp: a gradient of " + std::to_string(dy.width) + " values, expected " + std::to_string(outputs_);
        });
        frame_matrix<Real> dx(dy.frames, inputs_);
        for (std::size_t t = 0; t < dy.frames; ++t)
            for (std::size_t k = 0; k < outputs_; ++k)
                for (std::size_t i = 0; i < inputs_; ++i) dx(t, i) += basis_[k * inputs_ + i] * dy(t, k);
        return dx;
    }

private:
    std::size_t inputs_, outputs_;
    std::vector<Real> basis_;
};

// MFCCs with the STFT plan, filterbank and DCT built once, for many signals of one rate.
template <class Real>
class mfcc_plan {
public:
    mfcc_plan(double rate, const mfcc_options& options = {})
        : options_(options), stft_(options.stft), mel_(rate, options.stft.n_fft, options.mel),
          dct_(options.mel.n_mels, options.n_mfcc) {}

    frame_matrix<Real> operator()(std::span<const Real> signal) { return from_power(stft_.spectrogram(signal)); }

    // From a power spectrogram made with the same STFT options.
    frame_matrix<Real> from_power(const frame_matrix<Real>& power) const {
        return dct_.apply(power_to_db(mel_.apply(power), options_.db));
    }

    // dL/dsignal from dL/dmfcc (frames x n_mfcc): back through the DCT, power_to_db, the
    // filterbank and the STFT.
    std::vector<Real> vjp(std::span<const Real> signal, const frame_matrix<Real>& dmfcc) {
        return stft_.spectrogram_vjp(signal, power_vjp(stft_.spectrogram(signal), dmfcc));
    }

    // dL/dpower from dL/dmfcc, for a power spectrogram made with the same STFT options.
    frame_matrix<Real> power_vjp(const frame_matrix<Real>& power, const frame_matrix<Real>& dmfcc) const {
        return mel_.vjp(power_to_db_vjp(mel_.apply(power), dct_.vjp(dmfcc), options_.db));
    }

private:
    mfcc_options options_;
    stft_plan<Real> stft_;
    mel_filterbank<Real> mel_;
    dct2_ortho<Real> dct_;
};

template <class Real>
frame_matrix<Real> mfcc(std::span<const Real> signal, double rate, const mfcc_options& options = {}) {
    return mfcc_plan<Real>(rate, options)(signal);
}

} // namespace qhybrid::audio
