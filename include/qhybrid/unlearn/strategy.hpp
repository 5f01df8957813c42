// SPDX-License-Identifier: Apache-2.0
#pragma once
// What an unlearning strategy is: a policy that takes a trained network and the request (the
// training data split into what to keep and what to forget) and changes the network in place.
// The data are read, never changed. Strategies: retrain.hpp (the gold standard), finetuning.hpp
// (fine-tuning, gradient ascent, NegGrad+, random labels), qpaudioeraser.hpp.
// Usage:
//   unlearn::neggrad_plus<double> s{{.epochs = 5}};
//   s.unlearn(net, {.retain = retain, .forget = forget});
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/nn/train.hpp"
#include "qhybrid/unlearn/class_set.hpp"

#include <algorithm>
#include <concepts>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

template <class T>
struct request {
    const nn::labelled<T>& retain;
    const nn::labelled<T>& forget;
};

// The rows of `set` labelled in `labels` (equal) or labelled otherwise: the forget set of a
// request, and its retain set.
template <class T>
nn::labelled<T> with_label(const nn::labelled<T>& set, const class_set& labels, bool equal = true) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < set.size(); ++i)
        if (labels.contains(set.y[i]) == equal) rows.push_back(i);
    return nn::subset(set, rows);
}

// The retain samples, then the forget samples, as one set.
template <class T>
nn::labelled<T> joined(const request<T>& r) {
    require(r.retain.x.rank() == r.forget.x.rank() && r.retain.x.row_size() == r.forget.x.row_size(), [&] {
        return "unlearn: retain samples of shape " + nn::to_string(r.retain.x.shape()) + ", forget samples of shape " +
               nn::to_string(r.forget.x.shape());
    });
    auto shape = r.retain.x.shape();
    shape[0] = r.retain.size() + r.forget.size();
    nn::labelled<T> out{nn::tensor<T>(shape), r.retain.y};
    std::copy(r.retain.x.values().begin(), r.retain.x.values().end(), out.x.values().begin());
    std::copy(r.forget.x.values().begin(), r.forget.x.values().end(), out.x.values().begin() + long(r.retain.x.size()));
    out.y.insert(out.y.end(), r.forget.y.begin(), r.forget.y.end());
    return out;
}

template <class S, class T = double>
concept strategy = requires(S& s, nn::sequential<T>& net, const request<T>& r) {
    { s.name() } -> std::convertible_to<std::string>;
    s.unlearn(net, r);
};

} // namespace qhybrid::unlearn
