// SPDX-License-Identifier: Apache-2.0
#pragma once
// librosa.feature.chroma_stft: the power spectrogram folded onto 12 pitch classes (C first) by
// librosa.filters.chroma, each frame divided by its largest value. As in librosa, the filterbank
// is shifted by the recording's tuning, estimated from the spectrogram itself: piptrack's
// parabolic-interpolated spectral peaks between 150 Hz and 4 kHz, the louder half of them, and
// the most common deviation from the equal-tempered grid in steps of 1/100 of a semitone
// (librosa.estimate_tuning and pitch_tuning).
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

namespace detail {

// Octaves above A440 / 16 (C0 at zero tuning) for a tuning in fractions of a bin.
inline double hz_to_octaves(double hz, double tuning, double bins_per_octave) {
    const double a440 = 440.0 * std::pow(2.0, tuning / bins_per_octave);
    return std::log2(hz / (a440 / 16));
}

// numpy.remainder for a positive divisor: the result has the divisor's sign.
inline double remainder(double x, double y) {
    double r = std::fmod(x, y);
    if (r != 0 && r < 0) r += y;
    return r;
}

} // namespace detail

// librosa.pitch_tuning: the left edge of the fullest histogram bin (width `resolution`, edges
// from -0.5 to 0.5) of the frequencies' deviations from the nearest equal-tempered pitch.
inline double pitch_tuning(std::span<const double> frequencies, double resolution = 0.01,
                           unsigned bins_per_octave = 12) {
    require(resolution > 0 && resolution < 1,
            [&] { return "pitch_tuning: resolution " + number(resolution) + " is not in (0, 1)"; });
    const auto n_bins = static_cast<std::size_t>(std::ceil(1.0 / resolution));
    // numpy.linspace(-0.5, 0.5, n_bins + 1), rounded as numpy rounds it.
    std::vector<double> edges(n_bins + 1);
    const double step = 1.0 / double(n_bins);
    for (std::size_t i = 0; i < n_bins; ++i) edges[i] = double(i) * step + -0.5;
    edges[n_bins] = 0.5;
    std::vector<std::size_t> counts(n_bins, 0);
    for (double f : frequencies) {
        if (!(f > 0)) continue;
        double residual = detail::remainder(bins_per_octave * detail::hz_to_octaves(f, 0.0, bins_per_octave), 1.0);
        if (residual >= 0.5) residual -= 1.0;
        // numpy.histogram: bins are [e_i, e_i+1), the last one closed.
        const auto bin = std::size_t(std::upper_bound(edges.begin(), edges.end(), residual) - edges.begin());
        if (bin == 0 || residual > 0.5) continue;
        ++counts[std::min(bin - 1, n_bins - 1)];
    }
    if (std::all_of(counts.begin(), counts.end(), [](std::size_t c) { return c == 0; })) return 0.0;
    return edges[std::size_t(std::max_element(counts.begin(), counts.end()) - counts.begin())];
}

// librosa.estimate_tuning(S=power) with piptrack's defaults (fmin 150 Hz, fmax 4 kHz, threshold
// 0.1 of each frame's maximum).
template <class Real>
double estimate_tuning(const frame_matrix<Real>& power, double rate, unsigned bins_per_octave = 12) {
    require(power.width >= 3 && rate > 0,
            [] { return std::string("estimate_tuning: need at least 3 frequency bins and a positive rate"); });
    const std::size_t n_fft = 2 * (power.width - 1);
    const double fmin = 150.0, fmax = std::min(4000.0, rate / 2);
    std::vector<double> pitches, mags;
    for (std::size_t t = 0; t < power.frames; ++t) {
        const auto s = power.frame(t);
        const Real ref = Real(0.1) * *std::max_element(s.begin(), s.end());
        auto gated = [&](std::size_t k) { return s[k] > ref ? s[k] : Real(0); }; // S * (S > ref)
        // fmax <= rate / 2 keeps the last bin out, so every candidate has two neighbours.
        for (std::size_t k = 1; k + 1 < s.size(); ++k) {
            const double freq = rate * double(k) / double(n_fft);
            if (freq < fmin || freq >= fmax) continue;
            // librosa.util.localmax: x[k] > x[k-1] and x[k] >= x[k+1].
            if (!(gated(k) > gated(k - 1) && gated(k) >= gated(k + 1))) continue;
            // librosa 0.10's parabolic interpolation through the peak and its neighbours, rounded
            // as it rounds (on a flat spectrum a is rounding noise, and its order decides the
            // shift): the vertex -b / a bins away, or no shift when that is a bin or more.
            // |shift| < 1 and k >= 1 keep the pitch positive.
            const Real a = s[k + 1] + s[k - 1] - 2 * s[k];
            const Real b = (s[k + 1] - s[k - 1]) / 2; // also np.gradient's slope
            const Real shift = std::abs(b) >= std::abs(a) ? Real(0) : -b / a;
            pitches.push_back((double(k) + shift) * rate / double(n_fft));
            mags.push_back(double(s[k]) + Real(0.5) * b * shift);
        }
    }
    if (pitches.empty()) return 0.0;
    std::vector<double> sorted = mags; // numpy.median: the mean of the two middle values
    const std::size_t mid = sorted.size() / 2;
    std::nth_element(sorted.begin(), sorted.begin() + mid, sorted.end());
    double threshold = sorted[mid];
    if (sorted.size() % 2 == 0) threshold = (threshold + *std::max_element(sorted.begin(), sorted.begin() + mid)) / 2;
    std::vector<double> loud;
    for (std::size_t i = 0; i < pitches.size(); ++i)
        if (mags[i] >= threshold) loud.push_back(pitches[i]);
    return pitch_tuning(loud, 0.01, bins_per_octave);
}

// librosa.filters.chroma (ctroct 5, octwidth 2, norm 2, base_c): a Gaussian bump per pitch class
// around each bin's position on the chroma circle, columns normalised to unit length, weighted
// by a Gaussian over octaves centred on octave 5. Returns (n_chroma x (n_fft / 2 + 1)) row-major.
inline std::vector<double> chroma_filterbank(double rate, std::size_t n_fft, double tuning = 0.0,
                                             std::size_t n_chroma = 12) {
    require(rate > 0 && n_fft >= 2 && n_chroma >= 1, [] {
        return std::string("chroma_filterbank: need a positive rate, n_fft >= 2 and n_chroma >= 1");
    });
    const double nc = double(n_chroma);
    std::vector<double> bin(n_fft), width(n_fft); // chroma position and width of every FFT bin
    for (std::size_t i = 1; i < n_fft; ++i)
        bin[i] = nc * detail::hz_to_octaves(rate * double(i) / double(n_fft), tuning, nc);
    bin[0] = bin[1] - 1.5 * nc;
    for (std::size_t i = 0; i + 1 < n_fft; ++i) width[i] = std::max(bin[i + 1] - bin[i], 1.0);
    width[n_fft - 1] = 1.0;

    const double half = std::round(nc / 2);
    std::vector<double> w(n_chroma * n_fft);
    for (std::size_t i = 0; i < n_fft; ++i) {
        double norm = 0;
        for (std::size_t c = 0; c < n_chroma; ++c) {
            const double d = detail::remainder(bin[i] - double(c) + half + 10 * nc, nc) - half;
            const double x = 2 * d / width[i];
            w[c * n_fft + i] = std::exp(-0.5 * x * x);
            norm += w[c * n_fft + i] * w[c * n_fft + i];
        }
        norm = std::pow(norm, 0.5);
        if (norm < std::numeric_limits<double>::min()) norm = 1;
        const double octave = (bin[i] / nc - 5.0) / 2.0;
        for (std::size_t c = 0; c < n_chroma; ++c) w[c * n_fft + i] = w[c * n_fft + i] / norm * std::exp(-0.5 * octave * octave);
    }
    // Roll so that row 0 is C (the circle above starts at A), and keep the bins up to n_fft / 2.
    const std::size_t bins = n_fft / 2 + 1, roll = 3 * (n_chroma / 12);
    std::vector<double> out(n_chroma * bins);
    for (std::size_t c = 0; c < n_chroma; ++c)
        for (std::size_t k = 0; k < bins; ++k) out[c * bins + k] = w[((c + roll) % n_chroma) * n_fft + k];
    return out;
}

// Folds every frame of a power spectrogram with a chroma filterbank (n_chroma rows), then divides
// each frame by its largest value (librosa.util.normalize with norm=inf; silent frames stay 0).
template <class Real>
frame_matrix<Real> fold_chroma(const frame_matrix<Real>& power, std::span<const double> filterbank, std::size_t n_chroma) {
    require(filterbank.size() == n_chroma * power.width, [&] {
        return "chroma: a filterbank of " + std::to_string(filterbank.size()) + " weights does not fit " +
               std::to_string(n_chroma) + " pitch classes of " + std::to_string(power.width) + " bins";
    });
    frame_matrix<Real> out(power.frames, n_chroma);
    for (std::size_t t = 0; t < power.frames; ++t) {
        const auto s = power.frame(t);
        double peak = 0;
        for (std::size_t c = 0; c < n_chroma; ++c) {
            double sum = 0;
            for (std::size_t k = 0; k < power.width; ++k) sum += filterbank[c * power.width + k] * s[k];
            out(t, c) = Real(sum);
            peak = std::max(peak, std::abs(sum));
        }
        if (peak >= std::numeric_limits<Real>::min())
            for (std::size_t c = 0; c < n_chroma; ++c) out(t, c) = Real(out(t, c) / peak);
    }
    return out;
}

// dL/dpower from dL/dchroma (frames x n_chroma) of fold_chroma with the same filterbank (the tuning
// behind it held fixed: its estimate is piecewise constant in the power). With sums
// u_c = sum_k F_ck P_k and a frame's peak m = max_c |u_c|, chroma_c = u_c / m, so
// du_j = g_j / m - [j = argmax] sign(u_j) sum_c g_c u_c / m^2 (frames below the smallest normal
// peak are not normalised: du = g).
template <class Real>
frame_matrix<Real> fold_chroma_vjp(const frame_matrix<Real>& power, std::span<const double> filterbank, std::size_t n_chroma,
                                   const frame_matrix<Real>& dchroma) {
    require(filterbank.size() == n_chroma * power.width && dchroma.frames == power.frames && dchroma.width == n_chroma, [&] {
        return "fold_chroma_vjp: " + std::to_string(filterbank.size()) + " filterbank weights and a gradient of " +
               std::to_string(dchroma.frames) + " x " + std::to_string(dchroma.width) + " for " + std::to_string(power.frames) +
               " frames of " + std::to_string(power.width) + " bins and " + std::to_string(n_chroma) + " pitch classes";
    });
    frame_matrix<Real> out(power.frames, power.width);
    std::vector<double> u(n_chroma), du(n_chroma);
    for (std::size_t t = 0; t < power.frames; ++t) {
        const auto s = power.frame(t);
        std::size_t top = 0;
        for (std::size_t c = 0; c < n_chroma; ++c) {
            u[c] = 0;
            for (std::size_t k = 0; k < power.width; ++k) u[c] += filterbank[c * power.width + k] * s[k];
            if (std::abs(u[c]) > std::abs(u[top])) top = c;
        }
        const double peak = std::abs(u[top]);
        if (peak >= std::numeric_limits<Real>::min()) {
            double along = 0;
            for (std::size_t c = 0; c < n_chroma; ++c) along += dchroma(t, c) * u[c];
            for (std::size_t c = 0; c < n_chroma; ++c) du[c] = dchroma(t, c) / peak;
            du[top] -= (u[top] > 0 ? 1.0 : -1.0) * along / (peak * peak);
        } else
            for (std::size_t c = 0; c < n_chroma; ++c) du[c] = dchroma(t, c);
        for (std::size_t c = 0; c < n_chroma; ++c)
            for (std::size_t k = 0; k < power.width; ++k) out(t, k) += Real(filterbank[c * power.width + k] * du[c]);
    }
    return out;
}

// librosa.feature.chroma_stft from a power spectrogram (|stft|^2), tuning estimated as librosa does.
template <class Real>
frame_matrix<Real> chroma_stft(const frame_matrix<Real>& power, double rate, std::size_t n_chroma = 12) {
    const double tuning = estimate_tuning(power, rate, unsigned(n_chroma));
    return fold_chroma(power, chroma_filterbank(rate, 2 * (power.width - 1), tuning, n_chroma), n_chroma);
}

template <class Real>
frame_matrix<Real> chroma_stft(std::span<const Real> signal, double rate, const stft_options& options = {},
                               std::size_t n_chroma = 12) {
    return chroma_stft(spectrogram(signal, options, 2.0), rate, n_chroma);
}

} // namespace qhybrid::audio
