// SPDX-License-Identifier: Apache-2.0
#pragma once
// A transfer attack: adversarial inputs made on a surrogate model (any attack, white-box on the
// surrogate), judged by the target model, which the attack never queried. A defence that
// resists white-box attacks but falls to transferred ones was masking its gradients.
//
//   auto made = robust::mi_fgsm(surrogate, x, y, {.t = linf});
//   auto judged = robust::transfer(target, x, y, made);
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct transfer_options {
    attack_loss loss = attack_loss::margin; // the loss reported on the target
    std::span<const std::size_t> targets = {};
    std::size_t eot = 1; // draws of a random target's randomness averaged
    std::uint64_t seed = 0;
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> transfer(M& target, const nn::tensor<T>& x, std::span<const std::size_t> labels, const attack_result<T>& made,
                          const transfer_options& o = {}) {
    require(made.adversarial.shape() == x.shape() && labels.size() == x.dim(0), [&] {
        return "transfer: adversarial inputs of shape " + nn::to_string(made.adversarial.shape()) + " for clean inputs of shape " +
               nn::to_string(x.shape()) + " and " + std::to_string(labels.size()) + " labels";
    });
    rng gen = detail::model_stream(o.seed, 0);
    const std::vector<std::uint64_t> ids(labels.size());
    auto e = detail::evaluate(target, made.adversarial, attack_batch<T>{x, labels, o.targets, ids}, o.loss, gen, false, o.eot);
    return {made.adversarial, std::move(e.fooled), std::move(e.loss.values), made.gradient_evaluations, made.forward_evaluations};
}

} // namespace qhybrid::robust
