// SPDX-License-Identifier: Apache-2.0
#pragma once
// Selective synaptic dampening (Foster, Schoepf, Brintrup, AAAI 2024): no training; the weights
// that matter much more to the forget set than to the whole training set are shrunk. With []_D
// and []_f the diagonal Fisher information on the training set (retain and forget) and on the
// forget set (importance.hpp), every weight with []_f > alpha []_D becomes
//   theta * min(lambda []_D / []_f, 1).
// The paper's defaults: alpha 10, lambda 1. (The authors of QPAudioEraser call a different
// method "synaptic dampening": a step against the forget set's mean gradient.)
#include "qhybrid/unlearn/importance.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <algorithm>
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

} // namespace qhybrid::unlearn
