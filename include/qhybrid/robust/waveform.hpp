// SPDX-License-Identifier: Apache-2.0
#pragma once
// A classifier of log-mel spectrograms seen from the waveform, so attacks perturb samples, as an
// attacker of a voice model does, not features. Each row of the input is a signal of fixed
// length; the front end is librosa's: |STFT|^2, a mel filterbank, power_to_db, then (v - mean)
// / sd; the network reads [batch, 1, frames, mels] images. The input gradient runs back through
// the network and the front end's backward passes (audio/stft.hpp, audio/mel.hpp).
//
//   robust::waveform_model model(net, {.stft = {.n_fft = 512, .hop_length = 128}, .rate = 8000,
//                                      .mel = {.n_mels = 40}, .mean = m, .sd = s});
//   auto res = robust::pgd(model, signals, labels, {.t = {.epsilon = 1e-3, .lo = -1, .hi = 1}});
#include "qhybrid/audio/mel.hpp"
#include "qhybrid/robust/model.hpp"

namespace qhybrid::robust {

struct log_mel_front_end {
    audio::stft_options stft;
    double rate = 8000;
    audio::mel_options mel;
    audio::db_options db;
    double mean = 0, sd = 1; // the standardisation the network was trained with
};

template <class T>
class waveform_model {
public:
    using value_type = T;

    waveform_model(nn::layer<T>& net, const log_mel_front_end& front)
        : net_(net), front_(front), plan_(front.stft), mel_(front.rate, front.stft.n_fft, front.mel) {
        require(front.sd > 0 && std::isfinite(front.mean), [&] {
            return "waveform_model: standardisation mean " + number(front.mean) + ", sd " + number(front.sd);
        });
    }

    nn::tensor<T> logits(const nn::tensor<T>& x, rng& gen) {
        require(x.rank() == 2 && x.dim(0) > 0, [&] { return "waveform_model: signals of shape " + nn::to_string(x.shape()) + ", expected [batch, samples]"; });
        if (!same_signals(x)) { // EOT's draws of one input share its front end
            signals_.assign(x.values().begin(), x.values().end());
            length_ = x.dim(1), mels_.clear(), sum_ = {};
            for (std::size_t b = 0; b < x.dim(0); ++b) {
                const std::vector<double> signal(x.row(b).begin(), x.row(b).end());
                auto m = mel_.apply(plan_.spectrogram(signal));
                const auto db = audio::power_to_db(m, front_.db);
                if (b == 0) images_ = nn::tensor<T>({x.dim(0), 1, db.frames, db.width});
                for (std::size_t i = 0; i < db.values.size(); ++i) images_.row(b)[i] = T((db.values[i] - front_.mean) / front_.sd);
                mels_.push_back(std::move(m));
            }
        }
        return net_.logits(images_, gen);
    }

    void accumulate_gradient(const nn::tensor<T>& dlogits) {
        require(!mels_.empty(), [] { return std::string("waveform_model: a gradient before logits()"); });
        detail::add_draw(sum_, net_.input_gradient(dlogits));
    }

    nn::tensor<T> accumulated_gradient() {
        require(sum_.size() > 0, [] { return std::string("waveform_model: accumulated_gradient() with no gradient accumulated"); });
        nn::tensor<T> out({mels_.size(), length_});
        for (std::size_t b = 0; b < mels_.size(); ++b) {
            audio::frame_matrix<double> ddb(mels_[b].frames, mels_[b].width);
            for (std::size_t i = 0; i < ddb.values.size(); ++i) ddb.values[i] = double(sum_.row(b)[i]) / front_.sd;
            const auto dsignal = plan_.spectrogram_vjp(std::span<const double>(signals_).subspan(b * length_, length_),
                                                       mel_.vjp(audio::power_to_db_vjp(mels_[b], ddb, front_.db)));
            for (std::size_t i = 0; i < length_; ++i) out.row(b)[i] = T(dsignal[i]);
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
        return !mels_.empty() && x.dim(0) == mels_.size() && x.dim(1) == length_ &&
               std::equal(x.values().begin(), x.values().end(), signals_.begin(), signals_.end());
    }

    network<T> net_;
    log_mel_front_end front_;
    audio::stft_plan<double> plan_;
    audio::mel_filterbank<double> mel_;
    std::vector<double> signals_;
    std::size_t length_ = 0;
    std::vector<audio::frame_matrix<double>> mels_;
    nn::tensor<T> images_, sum_; // the network's input, and the draws' summed cotangents at it
};

static_assert(front_end_model<waveform_model<double>>, "robust::waveform_model is what every attack takes");

} // namespace qhybrid::robust
