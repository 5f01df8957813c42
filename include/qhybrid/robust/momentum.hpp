// SPDX-License-Identifier: Apache-2.0
#pragma once
// Momentum attacks, made to transfer from a surrogate model to another:
// - mi_fgsm (Dong et al., CVPR 2018, Algorithm 1): g <- mu g + grad / |grad|_1, then a step of
//   alpha = epsilon / steps along g's steepest ascent direction (sign for L-inf), projected;
// - with `variance_samples` N > 0, VMI-FGSM (Wang & He, CVPR 2021, Algorithm 1): the normalised
//   term is grad + v, where v is the mean gradient at N points x + r, r uniform in
//   [-beta epsilon, beta epsilon]^d (not projected), minus the gradient at x, from the previous step.
// Defaults are the papers': 10 steps, mu = 1; N = 20 and beta = 1.5 for VMI. The result is the
// last step's point; the neighbours of each sample come from its own stream (seed, id, draw).
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct momentum_options {
    threat t;
    std::size_t steps = 10;
    double step_size = 0;             // alpha; 0: epsilon / steps, the papers' (torchattacks takes its own)
    double decay = 1.0;               // mu
    std::size_t variance_samples = 0; // N: 0 for MI-FGSM, 20 in VMI-FGSM
    double variance_radius = 1.5;     // beta, in units of epsilon
    attack_loss loss = attack_loss::cross_entropy;
    std::span<const std::size_t> targets = {};
    std::uint64_t seed = 0;
    std::uint64_t first_sample = 0;
    std::span<const std::uint64_t> ids = {}; // the samples' ids, when not first_sample + row
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> mi_fgsm(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const momentum_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "mi_fgsm");
    require(o.steps > 0 && o.decay >= 0 && o.variance_radius >= 0 && o.step_size >= 0, [&] {
        return "mi_fgsm: " + std::to_string(o.steps) + " steps, decay " + number(o.decay) + ", variance radius " +
               number(o.variance_radius) + ", step size " + number(o.step_size) + " (needs steps >= 1 and the others >= 0)";
    });
    return detail::over_restarts(x, labels, o.targets, o.first_sample, o.ids, 1, [&](const attack_batch<T>& batch, std::size_t) {
        const std::size_t n = batch.labels.size(), width = x.row_size();
        rng model_gen = detail::model_stream(o.seed, 0);
        nn::tensor<T> adv = batch.x, g(batch.x.shape()), v(batch.x.shape()), neighbours(batch.x.shape());
        const double alpha = o.step_size > 0 ? o.step_size : o.t.epsilon / double(o.steps);
        for (std::size_t s = 0; s < o.steps; ++s) {
            const auto e = detail::evaluate(model, adv, batch, o.loss, model_gen, true);
            for (std::size_t b = 0; b < n; ++b) {
                double l1 = 0;
                for (std::size_t i = 0; i < width; ++i) l1 += std::abs(double(e.gradient.row(b)[i] + v.row(b)[i]));
                for (std::size_t i = 0; i < width; ++i)
                    g.row(b)[i] = T(o.decay * g.row(b)[i] + (l1 > 0 ? (e.gradient.row(b)[i] + v.row(b)[i]) / l1 : 0.0));
            }
            if (o.variance_samples > 0) { // v for the next step: the neighbours' mean gradient minus this one
                v.fill(T(0));
                for (std::size_t k = 0; k < o.variance_samples; ++k) {
                    for (std::size_t b = 0; b < n; ++b) {
                        rng gen = rng::stream(o.seed, batch.ids[b], s * o.variance_samples + k);
                        const double r = o.variance_radius * o.t.epsilon;
                        for (std::size_t i = 0; i < width; ++i) neighbours.row(b)[i] = T(adv.row(b)[i] + gen.uniform(-r, r));
                    }
                    const auto around = detail::evaluate(model, neighbours, batch, o.loss, model_gen, true);
                    for (std::size_t i = 0; i < v.size(); ++i) v[i] += around.gradient[i] / T(o.variance_samples);
                }
                for (std::size_t i = 0; i < v.size(); ++i) v[i] -= e.gradient[i];
            }
            for (std::size_t b = 0; b < n; ++b) {
                o.t.ascend(adv.row(b), std::span<const T>(g.row(b)), alpha);
                o.t.project(adv.row(b), batch.x.row(b));
            }
        }
        auto e = detail::evaluate(model, adv, batch, o.loss, model_gen, false);
        return attack_result<T>{std::move(adv), std::move(e.fooled), std::move(e.loss.values), n * o.steps * (1 + o.variance_samples), n};
    });
}

} // namespace qhybrid::robust
