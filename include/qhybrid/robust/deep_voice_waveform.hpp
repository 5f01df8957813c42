// SPDX-License-Identifier: Apache-2.0
#pragma once
// A DEEP-VOICE detector seen from the waveform, so an attacker of a voice-deepfake detector
// perturbs samples, not features. Each row of the input is a signal at the detector's sample
// rate, cut into 1-second windows as models::voice_detector cuts a file (a last, shorter window
// counts if it lasts min_window_seconds); the network reads each window's 26 features
// (audio/deep_voice.hpp) and the row's logits are log of the mean calibrated probabilities over
// its windows, log((1/W) sum_w softmax(z_w / T)): for two classes the argmax is the detector's
// verdict (mean P(FAKE) >= 1/2), and cross-entropy on them is the loss of that verdict.
//
// The detector's other gates (silence, band, training domain) are input-dependent decisions,
// not part of this model: judge the adversarial signals with the detector itself afterwards.
// The gradient is exact except through the rolloff and the zero-crossing rate, whose backward
// passes are BPDA surrogates (deep_voice_extractor::window_vjp).
//
//   robust::deep_voice_waveform_model model(net, {.rate = 44100, .temperature = profile.temperature});
//   auto res = robust::apgd(model, signals, verdicts, {.t = {.epsilon = 1e-3, .lo = -1, .hi = 1}});
#include "qhybrid/audio/deep_voice.hpp"
#include "qhybrid/robust/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace qhybrid::robust {

struct deep_voice_front_end {
    unsigned rate = 44100;           // the detector's sample rate, samples per window
    double temperature = 1;          // the detector's calibration
    double min_window_seconds = 0.5; // a shorter last window is left out, as the detector does
};

template <class T>
class deep_voice_waveform_model {
public:
    using value_type = T;

    // `net` maps [rows, 26] raw DEEP-VOICE features to class logits; it must outlive the model.
    deep_voice_waveform_model(nn::layer<T>& net, const deep_voice_front_end& front)
        : net_(net), front_(front), features_(double(front.rate)) {
        require(front.temperature > 0 && std::isfinite(front.temperature) && front.min_window_seconds > 0 &&
                    front.min_window_seconds <= 1,
                [&] {
                    return "deep_voice_waveform_model: temperature " + number(front.temperature) + ", min_window_seconds " +
                           number(front.min_window_seconds) + " (needs a positive temperature and a minimum in (0, 1] s)";
                });
    }

    nn::tensor<T> logits(const nn::tensor<T>& x, rng& gen) {
        require(x.rank() == 2 && x.dim(0) > 0, [&] {
            return "deep_voice_waveform_model: signals of shape " + nn::to_string(x.shape()) + ", expected [batch, samples]";
        });
        if (!same_signals(x)) { // EOT's draws of one input share its features
            cached_ = false; // until the features below are whole
            cut(x.dim(1));
            rows_ = x.dim(0);
            signals_.assign(x.values().begin(), x.values().end());
            features_of_windows_ = nn::tensor<T>({rows_ * windows_.size(), audio::deep_voice_width});
            sum_ = {};
            for (std::size_t b = 0; b < rows_; ++b)
                for (std::size_t w = 0; w < windows_.size(); ++w) {
                    const auto f = features_.window(window(b, w));
                    std::transform(f.begin(), f.end(), features_of_windows_.row(b * windows_.size() + w).begin(), [](double v) { return T(v); });
                }
            cached_ = true;
        }
        const nn::tensor<T> z = net_.logits(features_of_windows_, gen);
        classes_ = z.dim(1);
        // log-softmax of every window at temperature T, then log-mean-exp over each row's windows.
        log_p_.assign(z.size(), 0);
        for (std::size_t r = 0; r < z.dim(0); ++r) {
            const auto zr = z.row(r);
            const T top = *std::max_element(zr.begin(), zr.end()) / T(front_.temperature);
            T sum = 0;
            for (T v : zr) sum += std::exp(v / T(front_.temperature) - top);
            for (std::size_t c = 0; c < classes_; ++c) log_p_[r * classes_ + c] = zr[c] / T(front_.temperature) - top - std::log(sum);
        }
        nn::tensor<T> out({rows_, classes_});
        const T log_windows = std::log(T(windows_.size()));
        for (std::size_t b = 0; b < rows_; ++b)
            for (std::size_t c = 0; c < classes_; ++c) {
                T top = -std::numeric_limits<T>::infinity();
                for (std::size_t w = 0; w < windows_.size(); ++w) top = std::max(top, lp(b, w, c));
                T sum = 0;
                for (std::size_t w = 0; w < windows_.size(); ++w) sum += std::exp(lp(b, w, c) - top);
                out.row(b)[c] = top + std::log(sum) - log_windows;
            }
        out_ = out;
        return out;
    }

    // d/dz_wk of log mean_w s_wc is (1/T) r_wc (delta_ck - s_wk), with r_wc = s_wc / sum_w' s_w'c.
    void accumulate_gradient(const nn::tensor<T>& dlogits) {
        require(rows_ > 0 && dlogits.rank() == 2 && dlogits.dim(0) == rows_ && dlogits.dim(1) == classes_, [&] {
            return "deep_voice_waveform_model: input_gradient(" + nn::to_string(dlogits.shape()) + ") after logits() of " +
                   std::to_string(rows_) + " rows and " + std::to_string(classes_) + " classes";
        });
        const std::size_t windows = windows_.size();
        nn::tensor<T> dz({rows_ * windows, classes_});
        std::vector<T> gr(classes_);
        for (std::size_t b = 0; b < rows_; ++b)
            for (std::size_t w = 0; w < windows; ++w) {
                T weighted = 0;
                for (std::size_t c = 0; c < classes_; ++c) {
                    gr[c] = dlogits.row(b)[c] * std::exp(lp(b, w, c) - out_.row(b)[c]) / T(windows);
                    weighted += gr[c];
                }
                for (std::size_t k = 0; k < classes_; ++k)
                    dz.row(b * windows + w)[k] = (gr[k] - std::exp(lp(b, w, k)) * weighted) / T(front_.temperature);
            }
        detail::add_draw(sum_, net_.input_gradient(dz));
    }

    nn::tensor<T> accumulated_gradient() {
        require(sum_.size() > 0, [] { return std::string("deep_voice_waveform_model: accumulated_gradient() with no gradient accumulated"); });
        const std::size_t windows = windows_.size();
        nn::tensor<T> out({rows_, signals_.size() / rows_});
        for (std::size_t b = 0; b < rows_; ++b)
            for (std::size_t w = 0; w < windows; ++w) {
                const auto g = sum_.row(b * windows + w);
                const std::vector<double> df(g.begin(), g.end());
                const auto ds = features_.window_vjp(window(b, w), df);
                std::transform(ds.begin(), ds.end(), out.row(b).begin() + std::ptrdiff_t(windows_[w].first), [](double v) { return T(v); });
            }
        sum_ = {};
        return out;
    }

    nn::tensor<T> input_gradient(const nn::tensor<T>& dlogits) {
        accumulate_gradient(dlogits);
        return accumulated_gradient();
    }

private:
    bool same_signals(const nn::tensor<T>& x) const {
        return cached_ && x.dim(0) == rows_ && x.size() == signals_.size() && std::equal(x.values().begin(), x.values().end(), signals_.begin());
    }

    void cut(std::size_t samples) {
        const auto shortest = std::size_t(std::ceil(front_.min_window_seconds * front_.rate));
        windows_.clear();
        for (std::size_t first = 0; first < samples; first += front_.rate)
            if (const std::size_t n = std::min<std::size_t>(front_.rate, samples - first); n >= shortest) windows_.emplace_back(first, n);
        require(!windows_.empty(), [&] {
            return "deep_voice_waveform_model: a signal of " + std::to_string(samples) + " samples at " + std::to_string(front_.rate) +
                   " Hz has no window of " + number(front_.min_window_seconds) + " s or more";
        });
    }

    std::span<const double> window(std::size_t b, std::size_t w) const {
        return std::span<const double>(signals_).subspan(b * (signals_.size() / rows_) + windows_[w].first, windows_[w].second);
    }

    T lp(std::size_t b, std::size_t w, std::size_t c) const { return log_p_[(b * windows_.size() + w) * classes_ + c]; }

    network<T> net_;
    deep_voice_front_end front_;
    audio::deep_voice_extractor<double> features_;
    std::vector<std::pair<std::size_t, std::size_t>> windows_;
    std::vector<double> signals_;
    std::vector<T> log_p_;
    nn::tensor<T> out_;
    nn::tensor<T> features_of_windows_, sum_; // the network's input, and the draws' summed cotangents at it
    std::size_t rows_ = 0, classes_ = 0;
    bool cached_ = false;
};

static_assert(front_end_model<deep_voice_waveform_model<double>>, "robust::deep_voice_waveform_model is what every attack takes");

} // namespace qhybrid::robust
