// SPDX-License-Identifier: Apache-2.0
#pragma once
// The gold standard every unlearning method is judged against: the network trained from scratch
// on the retain set alone, with the recipe of the original (a fresh network from `fresh`, Adam,
// early stopping on `validation` when given). Its forget samples are non-members by construction.
#include "qhybrid/nn/optimizers.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <functional>
#include <string>

namespace qhybrid::unlearn {

template <class T>
struct retrain {
    std::function<nn::sequential<T>()> fresh; // the original's architecture, freshly initialised
    nn::fit_options fit{.epochs = 30, .batch_size = 32, .seed = 1, .patience = 5, .progress = false};
    double lr = 1e-3;
    const nn::labelled<T>* validation = nullptr; // without it, every epoch runs and the last is kept

    std::string name() const { return "retrain"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(bool(fresh), [] { return std::string("retrain: no way to build a fresh network"); });
        net = fresh();
        nn::adam<T> opt(net.parameters(), {.lr = lr});
        nn::fit(net, opt, r.retain, validation, fit);
    }
};

} // namespace qhybrid::unlearn
