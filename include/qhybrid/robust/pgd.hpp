// SPDX-License-Identifier: Apache-2.0
#pragma once
// Attacks that climb the loss in fixed steps along its steepest ascent direction, projected onto
// the threat's ball and box after each step:
// - pgd (Madry et al., ICLR 2018): a uniform random start in the ball, `steps` steps of
//   `step_size` (by default 2.5 epsilon / steps, theirs), `restarts` times (attack.hpp). The basic
//   iterative method (BIM, Kurakin et al. 2017) is pgd without the random start;
// - fgsm (Goodfellow et al., ICLR 2015; FGM for L2): one step of size epsilon from the clean input.
// The result is the last step's point. Targeted when `targets` is given: the attack descends the
// cross-entropy to the target (or climbs the targeted DLR).
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct pgd_options {
    threat t;
    std::size_t steps = 10;
    double step_size = 0; // 0: 2.5 epsilon / steps
    bool random_start = true;
    std::size_t restarts = 1;
    attack_loss loss = attack_loss::cross_entropy;
    std::span<const std::size_t> targets = {}; // one per sample: a targeted attack
    std::size_t eot = 1;                       // draws of a random model's randomness averaged per evaluation
    std::uint64_t seed = 0;                    // of the random starts and of the model's randomness
    std::uint64_t first_sample = 0;
    std::span<const std::uint64_t> ids = {}; // the samples' ids, when not first_sample + row (ids key the random starts)
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> pgd(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const pgd_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "pgd");
    require(o.steps > 0 && o.restarts > 0 && o.eot > 0, [&] {
        return "pgd: " + std::to_string(o.steps) + " steps, " + std::to_string(o.restarts) + " restarts and " + std::to_string(o.eot) +
               " EOT draws (needs at least 1 of each)";
    });
    const double step = o.step_size > 0 ? o.step_size : 2.5 * o.t.epsilon / double(o.steps);
    return detail::over_restarts(x, labels, o.targets, o.first_sample, o.ids, o.restarts, [&](const attack_batch<T>& batch, std::size_t r) {
        const std::size_t n = batch.labels.size();
        rng model_gen = detail::model_stream(o.seed, r);
        nn::tensor<T> adv = detail::starting_points(batch, o.t, o.random_start, o.seed, r);
        for (std::size_t s = 0; s < o.steps; ++s) {
            const auto e = detail::evaluate(model, adv, batch, o.loss, model_gen, true, o.eot);
            for (std::size_t b = 0; b < n; ++b) {
                o.t.ascend(adv.row(b), e.gradient.row(b), step);
                o.t.project(adv.row(b), batch.x.row(b));
            }
        }
        auto e = detail::evaluate(model, adv, batch, o.loss, model_gen, false, o.eot);
        return attack_result<T>{std::move(adv), std::move(e.fooled), std::move(e.loss.values), n * o.steps * o.eot, n * o.eot};
    });
}

struct fgsm_options {
    threat t;
    attack_loss loss = attack_loss::cross_entropy;
    std::span<const std::size_t> targets = {};
    std::size_t eot = 1;
    std::uint64_t seed = 0; // of the model's randomness
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> fgsm(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const fgsm_options& o) {
    return pgd(model, x, labels,
               {.t = o.t, .steps = 1, .step_size = o.t.epsilon, .random_start = false, .restarts = 1, .loss = o.loss, .targets = o.targets,
                .eot = o.eot, .seed = o.seed});
}

} // namespace qhybrid::robust
