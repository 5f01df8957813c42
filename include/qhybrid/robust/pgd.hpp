// SPDX-License-Identifier: Apache-2.0
#pragma once
// Attacks that climb the loss in steps along its steepest ascent direction, projected onto the
// threat's ball and box after each step:
// - pgd (Madry et al., ICLR 2018): a uniform random start in the ball, `steps` steps of
//   `step_size` (by default 2.5 epsilon / steps, theirs), `restarts` times; for each sample the
//   first restart that fools the model is kept, else the one whose final loss is highest. The
//   basic iterative method (BIM, Kurakin et al. 2017) is pgd without the random start;
// - fgsm (Goodfellow et al., ICLR 2015; FGM for L2): one step of size epsilon from the clean input.
// Every sample's random start comes from its own stream, keyed by (seed, sample id, restart), so
// an attack gives the same bits however the samples are batched.
#include "qhybrid/nn/train.hpp"
#include "qhybrid/robust/losses.hpp"
#include "qhybrid/robust/model.hpp"
#include "qhybrid/robust/threat.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace qhybrid::robust {

template <class T>
struct attack_result {
    nn::tensor<T> adversarial;        // the inputs the attack returns, inside the ball and the box
    std::vector<std::uint8_t> fooled; // 1 where the model's class on them is not the label
    std::size_t gradients = 0;        // forward + backward passes per sample
    std::size_t forwards = 0;         // forward passes alone, per sample
};

struct pgd_options {
    threat t;
    std::size_t steps = 10;
    double step_size = 0; // 0: 2.5 epsilon / steps
    bool random_start = true;
    std::size_t restarts = 1;
    attack_loss loss = attack_loss::cross_entropy;
    std::uint64_t seed = 0;         // of the random starts and of the model's randomness
    std::uint64_t first_sample = 0; // the id of the batch's first row; ids key the random starts
};

namespace detail {
// The clean inputs are a batch of finite values inside the box, one label each.
template <class T>
void check_attack_input(const nn::tensor<T>& x, std::span<const std::size_t> labels, const threat& t, const char* who) {
    t.check();
    require(x.rank() >= 2 && x.dim(0) == labels.size() && x.dim(0) > 0, [&] {
        return std::string(who) + ": inputs of shape " + nn::to_string(x.shape()) + " for " + std::to_string(labels.size()) +
               " labels (needs [batch, ...], one label a row)";
    });
    for (std::size_t i = 0; i < x.size(); ++i)
        require(std::isfinite(double(x[i])) && x[i] >= t.lo && x[i] <= t.hi, [&] {
            return std::string(who) + ": value " + number(double(x[i])) + " of sample " + std::to_string(i / x.row_size()) +
                   " (entry " + std::to_string(i % x.row_size()) + ") is outside the threat's box [" + number(t.lo) + ", " +
                   number(t.hi) + "]";
        });
}
} // namespace detail

template <attack_model M, class T = typename M::value_type>
attack_result<T> pgd(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const pgd_options& o) {
    detail::check_attack_input(x, labels, o.t, "pgd");
    require(o.steps > 0 && o.restarts > 0, [&] {
        return "pgd: " + std::to_string(o.steps) + " steps and " + std::to_string(o.restarts) + " restarts (needs at least 1 of each)";
    });
    const double step = o.step_size > 0 ? o.step_size : 2.5 * o.t.epsilon / double(o.steps);
    const std::size_t batch = labels.size();
    attack_result<T> out{x, std::vector<std::uint8_t>(batch, 0), o.steps * o.restarts, o.restarts};
    std::vector<T> best(batch, -std::numeric_limits<T>::infinity());
    for (std::size_t r = 0; r < o.restarts; ++r) {
        rng model_gen = rng::stream(o.seed, std::numeric_limits<std::uint64_t>::max(), r);
        nn::tensor<T> adv = x;
        if (o.random_start)
            for (std::size_t b = 0; b < batch; ++b) {
                rng gen = rng::stream(o.seed, o.first_sample + b, r);
                o.t.random_start(adv.row(b), x.row(b), gen);
            }
        for (std::size_t s = 0; s < o.steps; ++s) {
            const auto losses = loss_of(o.loss, model.logits(adv, model_gen), labels);
            const nn::tensor<T> grad = model.input_gradient(losses.gradient);
            require(grad.shape() == x.shape(), [&] {
                return "pgd: the model's input gradient has shape " + nn::to_string(grad.shape()) + ", the inputs " + nn::to_string(x.shape());
            });
            for (std::size_t b = 0; b < batch; ++b) {
                o.t.ascend(adv.row(b), grad.row(b), step);
                o.t.project(adv.row(b), x.row(b));
            }
        }
        const nn::tensor<T> z = model.logits(adv, model_gen);
        const auto final_loss = loss_of(o.loss, z, labels).values;
        const auto predicted = nn::argmax_rows(z);
        for (std::size_t b = 0; b < batch; ++b) {
            const bool fooled = predicted[b] != labels[b];
            if (out.fooled[b] || (r > 0 && !fooled && final_loss[b] <= best[b])) continue;
            std::copy(adv.row(b).begin(), adv.row(b).end(), out.adversarial.row(b).begin());
            out.fooled[b] = fooled, best[b] = final_loss[b];
        }
    }
    return out;
}

struct fgsm_options {
    threat t;
    attack_loss loss = attack_loss::cross_entropy;
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> fgsm(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const fgsm_options& o) {
    return pgd(model, x, labels, {.t = o.t, .steps = 1, .step_size = o.t.epsilon, .random_start = false, .restarts = 1, .loss = o.loss});
}

} // namespace qhybrid::robust
