// SPDX-License-Identifier: Apache-2.0
#pragma once
// Two strategies that change weights by their Fisher information, without training.
//
// Selective synaptic dampening (Foster, Schoepf, Brintrup, AAAI 2024): the weights
// that matter much more to the forget set than to the whole training set are shrunk. With []_D
// and []_f the diagonal Fisher information on the training set (retain and forget) and on the
// forget set (importance.hpp), every weight with []_f > alpha []_D becomes
//   theta * min(lambda []_D / []_f, 1).
// The paper's defaults: alpha 10, lambda 1. (The authors of QPAudioEraser call a different
// method "synaptic dampening": a step against the forget set's mean gradient.)
//
// Fisher forgetting (Golatkar, Achille, Soatto, CVPR 2020): Gaussian noise on every weight, large
// where the retain set's Fisher information F_r is small (the weight does not matter to what is
// kept): theta += sqrt(alpha min(1 / (F_r + 1e-8), cap)) n, n ~ N(0, 1). This is the variance form
// of the authors' code (alpha 3e-6, cap 1e3), which SCRUB's and SalUn's comparisons use; the
// paper writes the noise's scale as (lambda sigma^2)^(1/4) F^(-1/4). Choose alpha on validation data.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/unlearn/importance.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace qhybrid::unlearn {

template <class T>
struct synaptic_dampening {
    double alpha = 10, lambda = 1;
    std::size_t batch_size = 1; // of the Fisher estimates

    std::string name() const { return "SSD"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(alpha > 0 && lambda > 0, [&] { return "synaptic_dampening: alpha " + number(alpha) + ", lambda " + number(lambda); });
        const importance all = squared_gradients(net, joined(r), batch_size), forget = squared_gradients(net, r.forget, batch_size);
        auto params = net.parameters();
        for (std::size_t k = 0; k < params.size(); ++k)
            for (std::size_t i = 0; i < params[k].value->size(); ++i)
                if (forget[k][i] > alpha * all[k][i]) (*params[k].value)[i] *= T(std::min(lambda * all[k][i] / forget[k][i], 1.0));
    }
};

template <class T>
struct fisher_forgetting {
    double alpha = 3e-6, cap = 1e3;
    std::size_t batch_size = 1; // of the Fisher estimate
    std::uint64_t seed = 1;     // the noise

    std::string name() const { return "Fisher forgetting"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(alpha >= 0 && cap > 0, [&] { return "fisher_forgetting: alpha " + number(alpha) + ", cap " + number(cap); });
        const importance fisher = squared_gradients(net, r.retain, batch_size);
        rng gen(seed);
        auto params = net.parameters();
        for (std::size_t k = 0; k < params.size(); ++k)
            for (std::size_t i = 0; i < params[k].value->size(); ++i)
                (*params[k].value)[i] += T(std::sqrt(alpha * std::min(1 / (fisher[k][i] + 1e-8), cap)) * gen.normal());
    }
};

} // namespace qhybrid::unlearn
