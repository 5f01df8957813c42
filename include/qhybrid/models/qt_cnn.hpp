// SPDX-License-Identifier: Apache-2.0
#pragma once
// qt_cnn<N, Blocks, TargetNet, T, Source>: Quantum-Train (QT-CNN, Lin et al., ICASSP 2025). A
// classical network with M <= 2^N weights is not trained directly; its weights are generated:
//
//   |psi(theta)> = ry_cnot_blocks<N, Blocks>(theta) |0>,   p_k = |<k|psi>|^2
//   x_k  = p_k, or with the probability transform (beta tanh(gamma 2^(N-1) p_k))^alpha, centred
//   w_k  = s_t(k) * G(b_k, x_k)        k < M; b_k = basis state k's bits as +-1 (bit q -> 1 - 2 bit)
//
// G is the mapping MLP (N + 1 -> hidden -> 1, ReLU) and s_t one scale per weight tensor t of the
// target; by default G's outputs are centred per tensor first (w_k = s_t (G_k - mean_t G), see
// qt_options::centre_tensors). The trainable parameters are theta, G and the scales; the loss gradient on the
// generated weights flows back through the scales and G to dL/dp, and the probability VJP of
// the quantum core (one adjoint sweep) gives dL/dtheta.
//
// Source (qt_sources.hpp) says where p comes from: circuit_probabilities, the QNN above, or
// rbm_probabilities, a classical generator with the same N * Blocks parameters (the ablation,
// rbm_qt_cnn); everything after p is the same code.
//
// qt_cnn is a layer: forward generates the weights and runs the target network, so nn::fit
// trains it like any model. generated() returns the target as an ordinary classical network. It
// is nn::staged: data-parallel training generates the weights once a step for all its shards.
//
// TargetNet provides `parameter_count` and `build<T>(rng&, args...)` (see deep_voice_cnn).
#include "qhybrid/core/rng.hpp"
#include "qhybrid/models/qt_sources.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/nn/staged.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace qhybrid::models {

// The Quantum-Train probability post-processing x = (beta tanh(gamma 2^(N-1) p))^alpha, minus its
// mean over the 2^N basis states. 2^(N-1) p is 1/2 for a uniform distribution.
struct probability_transform {
    bool enabled = false;
    double beta = 1, gamma = 1, alpha = 1;
};

struct qt_options {
    std::size_t mapping_hidden = 20;
    probability_transform transform = {};
    // Subtract, per target tensor, the mean of G's outputs before scaling. The weights of one
    // tensor are consecutive basis states, which share their high bits, so G gives them a common
    // offset; uncentred, a whole tensor often starts with one sign and the ReLU target is dead.
    bool centre_tensors = true;
};

template <std::size_t N, std::size_t Blocks, class TargetNet, class T = double,
          template <std::size_t, std::size_t, class> class Source = circuit_probabilities>
class qt_cnn : public nn::layer_base<qt_cnn<N, Blocks, TargetNet, T, Source>, T>, public nn::staged<T> {
    static constexpr std::size_t dimension = std::size_t{1} << N, weights = TargetNet::parameter_count;
    static_assert(weights <= dimension, "qhybrid: qt_cnn needs 2^N basis states for the target's weights");
    using source_type = Source<N, Blocks, T>;

public:
    static constexpr std::size_t qubits = N, blocks = Blocks;

    // The target is built by TargetNet::build<T>(gen, target_args...), then the source draws theta
    // (the circuit: uniform in [-pi, pi)), G is initialised like PyTorch's Linear, and each scale
    // so that the generated tensor starts with the magnitude (root mean square) of the target's
    // own initialisation.
    template <class... TargetArgs>
    qt_cnn(rng& gen, const qt_options& o, TargetArgs&&... target_args)
        : o_(o), target_(TargetNet::template build<T>(gen, std::forward<TargetArgs>(target_args)...)),
          theta_({source_type::num_params}), dtheta_({source_type::num_params}), map_in_({weights, N + 1}) {
        require(target_.parameter_count() == weights, [&] {
            return "qt_cnn: the target network has " + std::to_string(target_.parameter_count()) +
                   " weights, its parameter_count says " + std::to_string(weights);
        });
        const auto& t = o.transform;
        require(o.mapping_hidden > 0 && (!t.enabled || (t.beta > 0 && t.gamma > 0 && t.alpha > 0)),
                [] { return std::string("qt_cnn: the mapping needs hidden units, the transform positive beta, gamma, alpha"); });
        source_type::initialise(gen, theta_.values());
        mapping_.template add<nn::dense<T>>(N + 1, o.mapping_hidden, gen)
            .template add<nn::relu<T>>()
            .template add<nn::dense<T>>(o.mapping_hidden, 1, gen);
        for (std::size_t k = 0; k < weights; ++k)
            for (std::size_t q = 0; q < N; ++q) map_in_[k * (N + 1) + q] = bit_sign<T>(k, q);

        const auto targets = target_.parameters();
        for (const auto& p : targets) sizes_.push_back(p.value->size());
        scale_ = nn::tensor<T>({targets.size()});
        dscale_ = nn::tensor<T>({targets.size()});
        scale_.fill(T(1));
        run_source();
        shape_outputs();
        std::size_t at = 0;
        for (std::size_t t = 0; t < targets.size(); ++t) {
            const auto init = targets[t].value->values();
            const double want = rms(init.data(), init.size()), have = rms(h_.data() + at, init.size());
            if (want > 0 && have > 0) scale_[t] = T(want / have);
            at += init.size();
        }
    }

    nn::tensor<T> forward(const nn::tensor<T>& x, nn::mode m) override {
        generate();
        return target_.forward(x, m);
    }

    nn::tensor<T> backward(const nn::tensor<T>& dy) override {
        target_.zero_grad();
        nn::tensor<T> dx = target_.backward(dy);
        generation_backward();
        return dx;
    }

    // nn::staged: the weights generated once, the target's gradients summed over the shards.
    nn::layer<T>& begin_step() override {
        generate();
        target_.zero_grad();
        return target_;
    }
    void end_step() override { generation_backward(); }

    std::vector<nn::parameter<T>> parameters() override {
        std::vector<nn::parameter<T>> all{{std::string(source_type::parameter_name), &theta_, &dtheta_}};
        for (auto p : mapping_.parameters()) {
            p.name = "mapping." + p.name;
            all.push_back(std::move(p));
        }
        all.push_back({"scale", &scale_, &dscale_});
        return all;
    }
    // The target's buffers (its fixed feature scaling) are saved with the model.
    std::vector<nn::tensor<T>*> buffers() override { return target_.buffers(); }
    void reseed(std::uint64_t key) override { target_.reseed(key); }

    std::string describe() const override {
        const auto& t = o_.transform;
        return "qt_cnn(" + source_type::describe() + ", mapping " +
               std::to_string(N + 1) + " -> " + std::to_string(o_.mapping_hidden) + " -> 1, " +
               (t.enabled ? "transform beta " + std::to_string(t.beta) + " gamma " + std::to_string(t.gamma) +
                                " alpha " + std::to_string(t.alpha)
                          : std::string("raw probabilities")) +
               (o_.centre_tensors ? ", centred" : "") +
               ", target " + target_.describe() + ")";
    }

    // Trainable values: the source's N * Blocks, the mapping MLP and one scale per target tensor.
    std::size_t trainable_count() {
        std::size_t n = 0;
        for (const auto& p : parameters()) n += p.value->size();
        return n;
    }

    // The target network with the weights the current parameters generate.
    nn::sequential<T> generated() {
        generate();
        return target_;
    }

private:
    // From the target's weight gradients to the gradients of theta, G and the scales (added).
    void generation_backward() {
        nn::tensor<T> dg({weights, 1});
        std::size_t at = 0, t = 0;
        for (const auto& p : target_.parameters()) {
            const auto dw = p.grad->values();
            T mean = 0;
            for (std::size_t i = 0; i < dw.size(); ++i) {
                dg[at + i] = scale_[t] * dw[i];
                dscale_[t] += dw[i] * h_[at + i];
                mean += dg[at + i];
            }
            if (centred(t))
                for (std::size_t i = 0; i < dw.size(); ++i) dg[at + i] -= mean / T(dw.size());
            at += dw.size(), ++t;
        }
        const nn::tensor<T> din = mapping_.backward(dg);
        std::vector<T> dp(dimension, T(0));
        for (std::size_t k = 0; k < weights; ++k) dp[k] = din[k * (N + 1) + N];
        transform_backward(dp);
        source_.vjp(theta_.values(), dp, dtheta_.values());
    }

    // Runs the source, then G, and writes the scaled weights into the target.
    void generate() {
        run_source();
        shape_outputs();
        std::size_t k = 0, t = 0;
        for (auto& param : target_.parameters()) {
            for (auto& w : param.value->values()) w = scale_[t] * h_[k++];
            ++t;
        }
    }

    bool centred(std::size_t tensor) const noexcept { return o_.centre_tensors && sizes_[tensor] > 1; }

    // h = G's outputs, centred per target tensor if asked.
    void shape_outputs() {
        const nn::tensor<T> g = mapping_output();
        h_.assign(g.values().begin(), g.values().end());
        std::size_t at = 0;
        for (std::size_t t = 0; t < sizes_.size(); at += sizes_[t++]) {
            if (!centred(t)) continue;
            T mean = 0;
            for (std::size_t i = 0; i < sizes_[t]; ++i) mean += h_[at + i];
            for (std::size_t i = 0; i < sizes_[t]; ++i) h_[at + i] -= mean / T(sizes_[t]);
        }
    }

    // p and G's probability inputs x.
    void run_source() {
        p_ = source_.probabilities(theta_.values());
        x_ = p_;
        const auto& t = o_.transform;
        if (!t.enabled) return;
        const T stretch = T(t.gamma) * T(dimension / 2);
        T mean = 0;
        for (auto& x : x_) {
            x = T(std::pow(t.beta * std::tanh(double(stretch * x)), t.alpha));
            mean += x;
        }
        mean /= T(dimension);
        for (auto& x : x_) x -= mean;
    }

    nn::tensor<T> mapping_output() {
        for (std::size_t k = 0; k < weights; ++k) map_in_[k * (N + 1) + N] = x_[k];
        return mapping_.forward(map_in_, nn::mode::train);
    }

    // dL/dx -> dL/dp through the transform.
    void transform_backward(std::vector<T>& d) const {
        const auto& t = o_.transform;
        if (!t.enabled) return;
        T mean = 0;
        for (T v : d) mean += v;
        mean /= T(dimension);
        const double stretch = t.gamma * double(dimension / 2);
        for (std::size_t k = 0; k < dimension; ++k) {
            const double th = std::tanh(stretch * double(p_[k])), u = t.beta * th;
            const double du = u > 0 ? t.alpha * std::pow(u, t.alpha - 1) : (t.alpha == 1 ? 1.0 : 0.0);
            d[k] = T(double(d[k] - mean) * du * t.beta * stretch * (1 - th * th));
        }
    }

    static double rms(const T* v, std::size_t n) {
        double sq = 0;
        for (std::size_t i = 0; i < n; ++i) sq += double(v[i]) * double(v[i]);
        return std::sqrt(sq / double(n));
    }

    qt_options o_;
    nn::sequential<T> target_, mapping_;
    nn::tensor<T> theta_, dtheta_, scale_, dscale_, map_in_; // theta_: the source's parameters
    std::vector<T> p_, x_;        // probabilities, and G's input made from them, per basis state
    std::vector<T> h_;            // G's outputs as the scales see them
    std::vector<std::size_t> sizes_; // of the target's tensors, in parameter order
    source_type source_;
};

// QT-CNN with the circuit replaced by a classical generator of as many parameters (the ablation).
template <std::size_t N, std::size_t Blocks, class TargetNet, class T = double>
using rbm_qt_cnn = qt_cnn<N, Blocks, TargetNet, T, rbm_probabilities>;

} // namespace qhybrid::models
