// SPDX-License-Identifier: Apache-2.0
#pragma once
// SPSA, the gradient-free attack of Uesato, O'Donoghue, Kohli & van den Oord (ICML 2018,
// Algorithm 1): the loss's gradient estimated from the outputs alone, as the mean over
// `directions` random Rademacher vectors v of (L(x + delta v) - L(x - delta v)) / (2 delta) v,
// then an Adam step (Kingma & Ba's Algorithm 1) on the perturbation, projected onto the threat's
// L-inf ball and box. Defaults as CleverHans's implementation: delta = 0.01, learning rate 0.01,
// 128 evaluations a step (64 pairs), the margin loss; 100 steps. A sample stops once fooled;
// its directions come from its own stream (seed, id, step).
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct spsa_options {
    threat t; // L-inf
    std::size_t steps = 100;
    std::size_t directions = 64; // pairs of evaluations per step
    double delta = 0.01;
    double learning_rate = 0.01;
    attack_loss loss = attack_loss::margin;
    std::span<const std::size_t> targets = {};
    std::size_t eot = 1;
    std::uint64_t seed = 0;
    std::uint64_t first_sample = 0;
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> spsa(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const spsa_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "spsa");
    require(o.t.p == norm::linf && o.steps > 0 && o.directions > 0 && o.delta > 0 && o.learning_rate > 0 && o.eot > 0, [&] {
        return "spsa: " + std::string(to_string(o.t.p)) + ", " + std::to_string(o.steps) + " steps, " + std::to_string(o.directions) +
               " directions, delta " + number(o.delta) + ", learning rate " + number(o.learning_rate) +
               " (implemented for L-inf; needs positive counts, delta and rate)";
    });
    const std::size_t n = labels.size(), width = x.row_size(), pairs = o.directions;
    attack_result<T> out{x, std::vector<std::uint8_t>(n, 0), std::vector<T>(n)};
    nn::shape_t probe_shape = x.shape();
    probe_shape[0] = 2 * pairs;
    std::vector<double> m(x.size(), 0), v(x.size(), 0), g(width), signs(pairs * width);
    for (std::size_t b = 0; b < n; ++b) {
        const std::uint64_t id = o.first_sample + b;
        rng model_gen = detail::sample_model_stream(o.seed, id);
        const std::vector<std::size_t> label(2 * pairs, labels[b]), target(o.targets.empty() ? 0 : 2 * pairs, o.targets.empty() ? 0 : o.targets[b]);
        const std::vector<std::uint64_t> ids(2 * pairs, id);
        const nn::tensor<T> one = nn::gather_rows(x, std::vector<std::size_t>{b});
        const std::vector<std::size_t> one_label{labels[b]}, one_target = o.targets.empty() ? std::vector<std::size_t>{} : std::vector<std::size_t>{o.targets[b]};
        const std::vector<std::uint64_t> one_id{id};
        auto judge = [&] {
            const nn::tensor<T> now = nn::gather_rows(out.adversarial, std::vector<std::size_t>{b});
            const auto e = detail::evaluate(model, now, attack_batch<T>{one, one_label, one_target, one_id}, o.loss, model_gen, false, o.eot);
            out.forward_evaluations += o.eot;
            out.fooled[b] = e.fooled[0], out.loss[b] = e.loss.values[0];
        };
        judge();
        for (std::size_t s = 0; s < o.steps && !out.fooled[b]; ++s) {
            rng gen = rng::stream(o.seed, id, s);
            nn::tensor<T> probes(probe_shape);
            for (std::size_t k = 0; k < pairs; ++k)
                for (std::size_t j = 0; j < width; ++j) {
                    const double sign = gen.uniform() < 0.5 ? -1.0 : 1.0;
                    signs[k * width + j] = sign;
                    probes.row(2 * k)[j] = T(out.adversarial.row(b)[j] + o.delta * sign);
                    probes.row(2 * k + 1)[j] = T(out.adversarial.row(b)[j] - o.delta * sign);
                }
            const auto e = detail::evaluate(model, probes, attack_batch<T>{probes, label, target, ids}, o.loss, model_gen, false, o.eot);
            out.forward_evaluations += 2 * pairs * o.eot;
            std::fill(g.begin(), g.end(), 0.0);
            for (std::size_t k = 0; k < pairs; ++k) {
                const double slope = (double(e.loss.values[2 * k]) - double(e.loss.values[2 * k + 1])) / (2 * o.delta);
                for (std::size_t j = 0; j < width; ++j) g[j] += slope * signs[k * width + j] / double(pairs);
            }
            const double t = double(s + 1), scale1 = 1 - std::pow(0.9, t), scale2 = 1 - std::pow(0.999, t);
            auto adv = out.adversarial.row(b);
            for (std::size_t j = 0; j < width; ++j) {
                double& mj = m[b * width + j];
                double& vj = v[b * width + j];
                mj = 0.9 * mj + 0.1 * g[j];
                vj = 0.999 * vj + 0.001 * g[j] * g[j];
                adv[j] = T(adv[j] + o.learning_rate * (mj / scale1) / (std::sqrt(vj / scale2) + 1e-8));
            }
            o.t.project(adv, x.row(b));
            judge();
        }
    }
    return out;
}

} // namespace qhybrid::robust
