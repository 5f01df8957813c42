// SPDX-License-Identifier: Apache-2.0
#pragma once
// Unlearning by fine-tuning on a weighted cross-entropy over retain and forget samples: every step
// takes a minibatch of the stepped set and, when the forget set is weighted, one of the forget set
// (cycled), and steps Adam on
//   w_retain CE(retain batch) + w_forget CE(forget batch).
// - fine_tune: w = (1, 0), on the retain set (Warnecke et al.'s "fine-tuning");
// - gradient_ascent: -CE on the forget set alone (Thudi et al.; the authors' "negative gradient");
// - neggrad_plus: (beta, -(1 - beta)) (Kurmanji et al. 2023); beta = 1 is fine_tune, bit for bit;
// - random_labels: each forget sample relabelled at random to another class, then fine-tuned on
//   retain and relabelled forget samples together (Graves et al.'s "amnesiac" relabelling);
// - salun: random labels updating only the salient weights, the `keep` share with the largest
//   |gradient| of the forget set's cross-entropy (Fan et al., ICLR 2024; 0.5 in the paper);
// - l1_sparse: fine-tuning on the retain set with gamma |theta|_1 added (Jia et al., NeurIPS 2023,
//   who decay gamma linearly; constant here).
// Epochs count passes over the stepped set. Batch norm layers update their statistics on every
// batch they see in training mode, forget batches included.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/optimizers.hpp"
#include "qhybrid/unlearn/importance.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

struct tuning_options {
    std::size_t epochs = 5, batch_size = 32;
    double lr = 1e-3;
    std::uint64_t seed = 1; // minibatch orders and relabelling
};

namespace detail {

// Does nothing to the gradients before a step.
struct no_hook {
    template <class Net>
    void operator()(Net&) const noexcept {}
};

// Steps Adam over `stepped` with the loss w_stepped CE(stepped batch) + w_forget CE(forget batch);
// `hook(net)` may change the gradients before each step (a mask, a penalty's subgradient).
template <class T, class Hook = no_hook>
void tune(nn::sequential<T>& net, const nn::labelled<T>& stepped, double w_stepped, std::type_identity_t<const nn::labelled<T>*> forget, double w_forget,
          const tuning_options& o, Hook hook = {}) {
    require(stepped.size() > 0 && o.epochs > 0 && o.batch_size > 0 && (w_forget == 0 || (forget && forget->size() > 0)), [&] {
        return "unlearn: " + std::to_string(stepped.size()) + " samples to step over, " + std::to_string(o.epochs) + " epochs, batch " +
               std::to_string(o.batch_size) + (w_forget != 0 && (!forget || forget->size() == 0) ? ", and no forget samples" : "");
    });
    nn::adam<T> opt(net.parameters(), {.lr = o.lr});
    rng gen(o.seed);
    data::minibatches batches(stepped.size(), o.batch_size);
    std::optional<data::minibatches> forget_batches;
    if (w_forget != 0) forget_batches.emplace(forget->size(), o.batch_size);
    std::size_t next_forget = 0;
    const auto pass = [&](const nn::labelled<T>& set, std::span<const std::size_t> rows, double weight) {
        std::vector<std::size_t> y(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) y[i] = set.y[rows[i]];
        auto l = nn::cross_entropy<T>(net.forward(nn::gather_rows(set.x, rows), nn::mode::train), y);
        for (auto& g : l.grad.values()) g *= T(weight);
        net.backward(l.grad);
    };
    for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
        batches.shuffle(gen);
        for (const std::span<const std::size_t> rows : batches) {
            net.zero_grad();
            pass(stepped, rows, w_stepped);
            if (forget_batches) {
                if (next_forget == 0) forget_batches->shuffle(gen);
                pass(*forget, (*forget_batches)[next_forget], w_forget);
                next_forget = (next_forget + 1) % forget_batches->size();
            }
            hook(net);
            opt.step();
        }
    }
}

} // namespace detail

template <class T>
struct fine_tune {
    tuning_options o;
    std::string name() const { return "fine-tuning"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const { detail::tune(net, r.retain, 1, nullptr, 0, o); }
};

template <class T>
struct gradient_ascent {
    tuning_options o;
    std::string name() const { return "gradient ascent"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const { detail::tune(net, r.forget, -1, nullptr, 0, o); }
};

template <class T>
struct neggrad_plus {
    tuning_options o;
    double beta = 0.9; // the retain loss's weight; choose it on validation data
    std::string name() const { return "NegGrad+"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(beta >= 0 && beta <= 1, [&] { return "neggrad_plus: beta " + number(beta) + " is not in [0, 1]"; });
        detail::tune(net, r.retain, beta, &r.forget, -(1 - beta), o);
    }
};

// The retain samples, then the forget samples each relabelled at random to another class.
template <class T>
nn::labelled<T> relabelled(const request<T>& r, std::size_t classes, std::uint64_t seed) {
    require(classes >= 2, [&] { return "random labels: " + std::to_string(classes) + " classes (needs 2 or more)"; });
    nn::labelled<T> mixed = joined(r);
    rng gen = rng::stream(seed, 1); // the relabelling's own stream; the batch order uses the seed itself
    for (std::size_t i = r.retain.size(); i < mixed.size(); ++i) {
        const std::size_t label = mixed.y[i];
        require(label < classes, [&] { return "random labels: label " + std::to_string(label) + " of " + std::to_string(classes) + " classes"; });
        const auto other = std::size_t(gen.below(classes - 1)); // any class but the label
        mixed.y[i] = other < label ? other : other + 1;
    }
    return mixed;
}

template <class T>
struct random_labels {
    tuning_options o;
    std::size_t classes = 0; // of the network's output
    std::string name() const { return "random labels"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const { detail::tune(net, relabelled(r, classes, o.seed), 1, nullptr, 0, o); }
};

template <class T>
struct salun {
    tuning_options o;
    std::size_t classes = 0; // of the network's output
    double keep = 0.5;       // the share of weights updated
    std::string name() const { return "SalUn"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(keep > 0 && keep <= 1, [&] { return "salun: keep " + number(keep) + " is not in (0, 1]"; });
        importance saliency = mean_gradient(net, r.forget);
        std::vector<double> all;
        for (auto& v : saliency)
            for (double& x : v) all.push_back(x = std::abs(x));
        const std::size_t kept = std::max<std::size_t>(1, std::size_t(std::llround(keep * double(all.size()))));
        std::nth_element(all.begin(), all.begin() + long(kept - 1), all.end(), std::greater<>());
        const double threshold = all[kept - 1]; // ties at it are kept too
        detail::tune(net, relabelled(r, classes, o.seed), 1, nullptr, 0, o, [&](nn::sequential<T>& n) {
            auto params = n.parameters();
            for (std::size_t k = 0; k < params.size(); ++k)
                for (std::size_t i = 0; i < params[k].grad->size(); ++i)
                    if (saliency[k][i] < threshold) (*params[k].grad)[i] = 0; // Adam leaves a weight with no gradient where it is
        });
    }
};

template <class T>
struct l1_sparse {
    tuning_options o;
    double gamma = 5e-4;
    std::string name() const { return "l1-sparse"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        detail::tune(net, r.retain, 1, nullptr, 0, o, [&](nn::sequential<T>& n) {
            for (auto& p : n.parameters())
                for (std::size_t i = 0; i < p.value->size(); ++i) {
                    const T w = (*p.value)[i];
                    (*p.grad)[i] += T(gamma) * T((w > 0) - (w < 0));
                }
        });
    }
};

} // namespace qhybrid::unlearn
