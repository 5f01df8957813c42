// SPDX-License-Identifier: Apache-2.0
#pragma once
// Relearn time: how many steps of ordinary training bring the forgotten samples back? A network
// that only hid them at its output relearns them in a few steps; one that never learnt them (the
// retrained network) must learn them. Training goes on as the original training did, Adam on
// minibatches of the whole training set (retain and forget samples together), and the accuracy on
// the forget samples is checked before the first step, every `check_every` steps after, and at
// max_steps.
// The network is copied; the caller's is not changed.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/optimizers.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace qhybrid::unlearn {

struct relearn_options {
    double threshold = 0.9; // accuracy on the forget samples that counts as relearnt
    std::size_t batch_size = 32, max_steps = 2000, check_every = 10;
    double lr = 1e-3;
    std::uint64_t seed = 1;
};

struct relearn_result {
    std::size_t steps = 0; // the first check at which the threshold was met, or max_steps
    bool relearnt = false; // false: max_steps passed first (steps is then a lower bound)
    bool operator==(const relearn_result&) const = default;
};

template <class T>
relearn_result relearn_time(nn::sequential<T> net, const request<T>& r, const relearn_options& o = {}) {
    require(r.forget.size() > 0 && o.batch_size > 0 && o.check_every > 0 && o.threshold > 0 && o.threshold <= 1, [&] {
        return "relearn_time: " + std::to_string(r.forget.size()) + " forget samples, batch " + std::to_string(o.batch_size) + ", a check every " +
               std::to_string(o.check_every) + " steps, threshold " + number(o.threshold);
    });
    const auto all = joined(r);
    const auto forget_accuracy = [&] {
        const auto predicted = nn::argmax_rows(nn::predict(net, r.forget.x));
        std::size_t right = 0;
        for (std::size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == r.forget.y[i];
        return double(right) / double(predicted.size());
    };
    nn::adam<T> opt(net.parameters(), {.lr = o.lr});
    rng gen(o.seed);
    data::minibatches batches(all.size(), o.batch_size);
    std::size_t steps = 0;
    for (;;) {
        batches.shuffle(gen);
        for (const std::span<const std::size_t> rows : batches) {
            if ((steps % o.check_every == 0 || steps == o.max_steps) && forget_accuracy() >= o.threshold) return {steps, true};
            if (steps == o.max_steps) return {steps, false};
            net.zero_grad();
            const auto batch = nn::subset(all, rows);
            const auto l = nn::cross_entropy<T>(net.forward(batch.x, nn::mode::train), batch.y);
            net.backward(l.grad);
            opt.step();
            ++steps;
        }
    }
}

} // namespace qhybrid::unlearn
