// SPDX-License-Identifier: Apache-2.0
#pragma once
// librosa's short-time Fourier transform (librosa >= 0.9 defaults): frames of n_fft samples every
// hop_length samples, centred (the signal padded by n_fft / 2 on both sides: zeros by default,
// numpy's "reflect" as an option), a periodic Hann window of win_length samples centred in the
// frame, and bins 0 .. n_fft / 2. Any n_fft >= 1, as in librosa (torchaudio's default is 400).
// Results come frame by frame: see frame_matrix.
#include "qhybrid/audio/fft.hpp"
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/core/error.hpp"

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

// How a centred frame reads beyond the signal: zeros, numpy's "reflect" (x[1], x[2], ... mirrored
// without repeating the edge) or numpy's "edge" (the end sample repeated).
enum class pad_mode { constant, reflect, edge };

struct stft_options {
    std::size_t n_fft = 2048;
    std::size_t hop_length = 0; // 0: n_fft / 4
    std::size_t win_length = 0; // 0: n_fft
    bool center = true;
    pad_mode pad = pad_mode::constant;

    std::size_t hop() const noexcept { return hop_length ? hop_length : n_fft / 4; }
    std::size_t window() const noexcept { return win_length ? win_length : n_fft; }
};

namespace detail {

// Reads frame after frame of a signal, padded as librosa pads it.
template <class Real>
class framer {
public:
    framer(std::span<const Real> signal, std::size_t frame_length, std::size_t hop, bool center, pad_mode pad,
           const char* who)
        : signal_(signal), length_(frame_length), hop_(hop), offset_(center ? frame_length / 2 : 0), pad_(pad) {
        require(frame_length > 0 && hop > 0, [&] { return std::string(who) + ": frame and hop lengths must be positive"; });
        require(!signal.empty(), [&] { return std::string(who) + ": empty signal"; });
        for (std::size_t i = 0; i < signal.size(); ++i)
            require(std::isfinite(signal[i]),
                    [&] { return std::string(who) + ": sample " + std::to_string(i) + " is not finite"; });
        require(center || signal.size() >= frame_length, [&] {
            return std::string(who) + ": the signal has " + std::to_string(signal.size()) +
                   " samples, fewer than one frame of " + std::to_string(frame_length) + " (center = false)";
        });
        require(pad != pad_mode::reflect || signal.size() >= 2,
                [&] { return std::string(who) + ": reflect padding needs at least 2 samples"; });
        frames_ = 1 + (signal.size() + 2 * offset_ - frame_length) / hop;
    }

    std::size_t frames() const noexcept { return frames_; }

    // Copies frame t into out (frame_length values).
    void read(std::size_t t, std::span<Real> out) const noexcept {
        for (std::size_t j = 0; j < length_; ++j) {
            const std::ptrdiff_t i = source(t, j);
            out[j] = i >= 0 ? signal_[std::size_t(i)] : Real(0);
        }
    }

    // The signal sample that entry j of frame t reads, or -1 for a zero of the padding.
    std::ptrdiff_t source(std::size_t t, std::size_t j) const noexcept {
        const auto n = static_cast<std::ptrdiff_t>(signal_.size());
        const std::ptrdiff_t i = static_cast<std::ptrdiff_t>(t * hop_ + j) - static_cast<std::ptrdiff_t>(offset_);
        if (i >= 0 && i < n) return i;
        switch (pad_) {
        case pad_mode::constant: return -1;
        case pad_mode::edge: return i < 0 ? 0 : n - 1;
        case pad_mode::reflect: break;
        }
        const std::ptrdiff_t period = 2 * (n - 1); // numpy repeats the reflection for long pads
        std::ptrdiff_t m = ((i % period) + period) % period;
        if (m >= n) m = period - m;
        return m;
    }

private:

    std::span<const Real> signal_;
    std::size_t length_, hop_, offset_, frames_ = 0;
    pad_mode pad_;
};

} // namespace detail

// scipy.signal.get_window("hann", win_length, fftbins=True), zero-padded to n_fft and centred.
template <class Real>
std::vector<Real> hann_window(std::size_t win_length, std::size_t n_fft) {
    require(win_length >= 1 && win_length <= n_fft, [&] {
        return "hann_window: window length " + std::to_string(win_length) + " is not in [1, n_fft = " +
               std::to_string(n_fft) + "]";
    });
    std::vector<Real> w(n_fft, Real(0));
    const std::size_t left = (n_fft - win_length) / 2;
    for (std::size_t i = 0; i < win_length; ++i)
        w[left + i] = Real(0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(i) / double(win_length)));
    return w;
}

// The STFT's fixed parts (window, FFT plan, buffers), built once and reused for any number of
// signals. Not thread-safe: one plan per thread.
template <class Real>
class stft_plan {
public:
    explicit stft_plan(const stft_options& options = {})
        : options_(options), fft_(options.n_fft), window_(hann_window<Real>(options.window(), options.n_fft)),
          frame_(options.n_fft), re_(fft_.bins()), im_(fft_.bins()) {}

    const stft_options& options() const noexcept { return options_; }
    std::size_t bins() const noexcept { return fft_.bins(); }
    std::size_t frames(std::span<const Real> signal) const { return framer(signal).frames(); }

    // Calls visit(t, re, im) with the spectrum of every frame t; the spans are reused.
    template <class Visit>
    void for_each_spectrum(std::span<const Real> signal, Visit&& visit) {
        transform(framer(signal), visit);
    }

    // librosa.stft: the complex spectrum of every frame.
    frame_matrix<std::complex<Real>> stft(std::span<const Real> signal) {
        const detail::framer<Real> frames = framer(signal);
        frame_matrix<std::complex<Real>> out(frames.frames(), bins());
        transform(frames, [&](std::size_t t, std::span<const Real> re, std::span<const Real> im) {
            for (std::size_t k = 0; k < out.width; ++k) out(t, k) = {re[k], im[k]};
        });
        return out;
    }

    // |stft|^power: power 2 gives the power spectrogram, 1 the magnitude.
    frame_matrix<Real> spectrogram(std::span<const Real> signal, double power = 2.0) {
        require(power > 0, [&] { return "spectrogram: power " + number(power) + " is not positive"; });
        const detail::framer<Real> frames = framer(signal);
        frame_matrix<Real> out(frames.frames(), bins());
        transform(frames, [&](std::size_t t, std::span<const Real> re, std::span<const Real> im) {
            for (std::size_t k = 0; k < out.width; ++k) {
                const Real p = re[k] * re[k] + im[k] * im[k];
                out(t, k) = power == 2.0 ? p : power == 1.0 ? std::sqrt(p) : Real(std::pow(p, power / 2));
            }
        });
        return out;
    }

    // The vector-Jacobian product of the power spectrogram (power 2): dL/dsignal from
    // dL/dpower (frames x bins). With X_k = sum_j w_j f_j e^(-i theta_jk) of frame f, dP_k/df_j =
    // 2 w_j Re(X_k e^(i theta_jk)), so dL/df_j = 2 w_j Re(sum_k G_k X_k e^(i theta_jk)): one complex
    // FFT of conj(G X) per frame. Each frame entry goes back to the sample it read (padding
    // included: zeros take nothing, reflected and edge samples take their share).
    std::vector<Real> spectrogram_vjp(std::span<const Real> signal, const frame_matrix<Real>& dpower) {
        const detail::framer<Real> frames = framer(signal);
        require(dpower.frames == frames.frames() && dpower.width == bins(), [&] {
            return "spectrogram_vjp: a gradient of " + std::to_string(dpower.frames) + " x " + std::to_string(dpower.width) +
                   " for a spectrogram of " + std::to_string(frames.frames()) + " x " + std::to_string(bins());
        });
        if (!inverse_) inverse_.emplace(options_.n_fft);
        std::vector<Real> out(signal.size(), Real(0)), zre(options_.n_fft), zim(options_.n_fft);
        transform(frames, [&](std::size_t t, std::span<const Real> re, std::span<const Real> im) {
            std::fill(zre.begin(), zre.end(), Real(0));
            std::fill(zim.begin(), zim.end(), Real(0));
            for (std::size_t k = 0; k < bins(); ++k) { // conj(G_k X_k)
                zre[k] = dpower(t, k) * re[k];
                zim[k] = -dpower(t, k) * im[k];
            }
            inverse_->forward(zre, zim); // sum_k conj(c_k) e^(-i theta): its real part is Re(sum_k c_k e^(i theta))
            for (std::size_t j = 0; j < options_.n_fft; ++j)
                if (const std::ptrdiff_t i = frames.source(t, j); i >= 0) out[std::size_t(i)] += 2 * window_[j] * zre[j];
        });
        return out;
    }

private:
    template <class Visit>
    void transform(const detail::framer<Real>& frames, Visit&& visit) {
        for (std::size_t t = 0; t < frames.frames(); ++t) {
            frames.read(t, frame_);
            for (std::size_t j = 0; j < frame_.size(); ++j) frame_[j] *= window_[j];
            fft_.forward(frame_, re_, im_);
            visit(t, std::span<const Real>(re_), std::span<const Real>(im_));
        }
    }

    // Checks the signal (finite, long enough) once per call.
    detail::framer<Real> framer(std::span<const Real> signal) const {
        return {signal, options_.n_fft, options_.hop(), options_.center, options_.pad, "stft"};
    }

    stft_options options_;
    real_fft<Real> fft_; // first: it checks n_fft before the window takes n_fft values
    std::vector<Real> window_, frame_, re_, im_;
    std::optional<complex_fft<Real>> inverse_; // for spectrogram_vjp, made on its first call
};

template <class Real>
frame_matrix<std::complex<Real>> stft(std::span<const Real> signal, const stft_options& options = {}) {
    return stft_plan<Real>(options).stft(signal);
}

template <class Real>
frame_matrix<Real> spectrogram(std::span<const Real> signal, const stft_options& options = {}, double power = 2.0) {
    return stft_plan<Real>(options).spectrogram(signal, power);
}

} // namespace qhybrid::audio
