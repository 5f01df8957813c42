// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every attack shares: the batch it is given (clean inputs inside the threat's box, a label
// each, optionally a target class each), the result it returns, one evaluation of the model
// (logits, attack loss, gradient, which samples are fooled), and the restart loop: each restart
// attacks only the samples no earlier restart fooled, and a sample keeps its first fooling result,
// else its highest loss.
#include "qhybrid/nn/train.hpp"
#include "qhybrid/robust/losses.hpp"
#include "qhybrid/robust/model.hpp"
#include "qhybrid/robust/threat.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace qhybrid::robust {

// The share of ones among per-sample verdicts.
inline double share(std::span<const std::uint8_t> verdicts) {
    return double(std::count(verdicts.begin(), verdicts.end(), std::uint8_t(1))) / double(verdicts.size());
}

template <class T>
struct attack_result {
    nn::tensor<T> adversarial;        // inside the ball around the clean inputs, and the box
    std::vector<std::uint8_t> fooled; // untargeted: the model's class is not the label; targeted: it is the target
    std::vector<T> loss;              // the attack loss at `adversarial`
    std::size_t gradient_evaluations = 0; // samples times forward+backward passes
    std::size_t forward_evaluations = 0;  // samples times forward passes without a backward

    double fooled_rate() const { return share(fooled); }
};

// An attack's clean batch: inputs [batch, ...], labels, and targets (empty: untargeted); ids name
// the samples (they key each sample's random streams, so results do not depend on batching).
template <class T>
struct attack_batch {
    const nn::tensor<T>& x;
    std::span<const std::size_t> labels, targets;
    std::span<const std::uint64_t> ids;
};

// The length of each row's perturbation, in the threat's norm.
template <class T>
std::vector<T> distance(const nn::tensor<T>& clean, const nn::tensor<T>& adversarial, norm p) {
    require(clean.shape() == adversarial.shape(), [&] {
        return "distance: shapes " + nn::to_string(clean.shape()) + " and " + nn::to_string(adversarial.shape());
    });
    std::vector<T> out(clean.dim(0));
    for (std::size_t b = 0; b < out.size(); ++b) {
        double d = 0;
        for (std::size_t i = 0; i < clean.row_size(); ++i) {
            const double v = std::abs(double(adversarial.row(b)[i] - clean.row(b)[i]));
            d = p == norm::linf ? std::max(d, v) : d + v * v;
        }
        out[b] = T(p == norm::linf ? d : std::sqrt(d));
    }
    return out;
}

namespace detail {

template <class T>
void check_attack_input(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::span<const std::size_t> targets,
                        const threat& t, const char* who) {
    t.check();
    require(x.rank() >= 2 && x.dim(0) == labels.size() && x.dim(0) > 0, [&] {
        return std::string(who) + ": inputs of shape " + nn::to_string(x.shape()) + " for " + std::to_string(labels.size()) +
               " labels (needs [batch, ...], one label a row)";
    });
    require(targets.empty() || targets.size() == labels.size(), [&] {
        return std::string(who) + ": " + std::to_string(targets.size()) + " targets for " + std::to_string(labels.size()) + " samples";
    });
    for (std::size_t b = 0; b < targets.size(); ++b)
        require(targets[b] != labels[b], [&] {
            return std::string(who) + ": sample " + std::to_string(b) + " has target " + std::to_string(targets[b]) + ", its own label";
        });
    for (std::size_t i = 0; i < x.size(); ++i)
        require(std::isfinite(double(x[i])) && x[i] >= t.lo && x[i] <= t.hi, [&] {
            return std::string(who) + ": value " + number(double(x[i])) + " of sample " + std::to_string(i / x.row_size()) +
                   " (entry " + std::to_string(i % x.row_size()) + ") is outside the threat's box [" + number(t.lo) + ", " +
                   number(t.hi) + "]";
        });
}

// The model at `adv`: the attack loss per sample, which samples are fooled, and with `backward`
// the loss's input gradient. With eot > 1 each is averaged over `eot` draws of the model's
// randomness (expectation over transformation, Athalye et al. 2018): the loss and its gradient,
// and the class probabilities that decide which samples are fooled.
template <class T>
struct evaluation {
    sample_losses<T> loss;
    std::vector<std::uint8_t> fooled;
    nn::tensor<T> gradient;
};

template <attack_model M, class T = typename M::value_type>
evaluation<T> evaluate(M& model, const nn::tensor<T>& adv, const attack_batch<T>& batch, attack_loss l, rng& gen, bool backward,
                       std::size_t eot = 1) {
    evaluation<T> e;
    nn::tensor<T> probabilities;
    for (std::size_t draw = 0; draw < eot; ++draw) {
        const nn::tensor<T> z = model.logits(adv, gen);
        auto loss = loss_of(l, z, batch.labels, batch.targets);
        nn::tensor<T> gradient;
        if (backward) {
            if constexpr (front_end_model<M>)
                model.accumulate_gradient(loss.gradient); // summed over the draws, then one backward pass below
            else
                gradient = model.input_gradient(loss.gradient);
        }
        if (eot == 1) {
            e = {std::move(loss), {}, std::move(gradient)};
            probabilities = z;
            break;
        }
        nn::tensor<T> p(z.shape());
        nn::softmax_rows<T>(z.values(), z.dim(1), p.values(), false);
        if (draw == 0) {
            e = {std::move(loss), {}, std::move(gradient)};
            probabilities = std::move(p);
            continue;
        }
        for (std::size_t i = 0; i < p.size(); ++i) probabilities[i] += p[i];
        for (std::size_t b = 0; b < e.loss.values.size(); ++b) e.loss.values[b] += loss.values[b];
        for (std::size_t i = 0; i < gradient.size(); ++i) e.gradient[i] += gradient[i];
    }
    if constexpr (front_end_model<M>)
        if (backward) e.gradient = model.accumulated_gradient();
    require(!backward || e.gradient.shape() == adv.shape(), [&] {
        return "attack: the model's input gradient has shape " + nn::to_string(e.gradient.shape()) + ", the inputs " +
               nn::to_string(adv.shape());
    });
    if (eot > 1) {
        for (auto& v : e.loss.values) v /= T(eot);
        for (auto& v : e.gradient.values()) v /= T(eot);
    }
    e.loss.gradient = {}; // the logits' cotangent of one draw means nothing once draws are averaged
    const auto predicted = nn::argmax_rows(probabilities);
    e.fooled.resize(predicted.size());
    for (std::size_t b = 0; b < predicted.size(); ++b)
        e.fooled[b] = batch.targets.empty() ? predicted[b] != batch.labels[b] : predicted[b] == batch.targets[b];
    return e;
}

// The generator of a random model's draws in restart r. A call's draws must not depend on the
// rows it is given (QNAD's weights, a projection per call), so that a block of the batch, attacked
// alone, sees the draws the whole batch saw: the attacks that query a batch make the same calls
// in the same order for any block of it (a call a step, while any row of it is unfooled).
inline rng model_stream(std::uint64_t seed, std::size_t restart) { return rng::stream(seed, std::numeric_limits<std::uint64_t>::max(), restart); }

// The generator of a random model's draws for one sample, for attacks that query the model one
// sample at a time: a sample's draws do not depend on the samples before it.
inline rng sample_model_stream(std::uint64_t seed, std::uint64_t id) { return rng::stream(seed, id, std::numeric_limits<std::uint64_t>::max()); }

// Where restart r starts: the clean inputs, or a uniform draw from each sample's ball (its stream
// keyed by seed, sample id, restart).
template <class T>
nn::tensor<T> starting_points(const attack_batch<T>& batch, const threat& t, bool random, std::uint64_t seed, std::size_t restart) {
    nn::tensor<T> adv = batch.x;
    if (random)
        for (std::size_t b = 0; b < batch.labels.size(); ++b) {
            rng gen = rng::stream(seed, batch.ids[b], restart);
            t.random_start(adv.row(b), batch.x.row(b), gen);
        }
    return adv;
}

// Runs once(batch, restart) -> attack_result for restarts 0, 1, ... on the samples still unfooled.
// Row b's id is ids[b], or first_sample + b when ids is empty.
template <class T, class Once>
attack_result<T> over_restarts(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::span<const std::size_t> targets,
                               std::uint64_t first_sample, std::span<const std::uint64_t> given_ids, std::size_t restarts, Once&& once) {
    require(given_ids.empty() || given_ids.size() == labels.size(), [&] {
        return "attack: " + std::to_string(given_ids.size()) + " sample ids for " + std::to_string(labels.size()) + " samples";
    });
    const std::size_t n = labels.size();
    attack_result<T> out{x, std::vector<std::uint8_t>(n, 0), std::vector<T>(n, -std::numeric_limits<T>::infinity())};
    std::vector<std::size_t> rows(n);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    for (std::size_t r = 0; r < restarts && !rows.empty(); ++r) {
        const nn::tensor<T> sub = nn::gather_rows(x, rows);
        std::vector<std::size_t> sub_labels, sub_targets;
        std::vector<std::uint64_t> ids;
        for (std::size_t row : rows) {
            sub_labels.push_back(labels[row]), ids.push_back(given_ids.empty() ? first_sample + row : given_ids[row]);
            if (!targets.empty()) sub_targets.push_back(targets[row]);
        }
        const attack_result<T> res = once(attack_batch<T>{sub, sub_labels, sub_targets, ids}, r);
        out.gradient_evaluations += res.gradient_evaluations, out.forward_evaluations += res.forward_evaluations;
        std::vector<std::size_t> unfooled;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::size_t row = rows[i];
            if (res.fooled[i] || res.loss[i] > out.loss[row]) {
                std::copy(res.adversarial.row(i).begin(), res.adversarial.row(i).end(), out.adversarial.row(row).begin());
                out.fooled[row] = res.fooled[i], out.loss[row] = res.loss[i];
            }
            if (!res.fooled[i]) unfooled.push_back(row);
        }
        rows = std::move(unfooled);
    }
    return out;
}

} // namespace detail
} // namespace qhybrid::robust
