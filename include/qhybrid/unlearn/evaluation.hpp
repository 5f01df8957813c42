// SPDX-License-Identifier: Apache-2.0
#pragma once
// An unlearned network judged as a privacy reviewer would, in one call: the paper's metrics on
// held-out samples (metrics.hpp), membership inference with the forgotten training samples as
// members and held-out samples of the same class as non-members (the loss-threshold attack, and
// offline LiRA when OUT shadow networks are given), a linear probe on the features the last layer
// reads, and relearn time. Each figure means something only next to the retrained network's.
//
//   unlearn::forgetting_task<double> task{train, test, {retain, forget}, forget_test, f};
//   unlearn::out_shadows shadows;                        // networks retrained without f
//   for (auto& s : shadow_networks) shadows.add(s, task);
//   const auto report = unlearn::judge(net, task, original_fa, shadows);
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/unlearn/membership.hpp"
#include "qhybrid/unlearn/metrics.hpp"
#include "qhybrid/unlearn/probe.hpp"
#include "qhybrid/unlearn/relearn.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace qhybrid::unlearn {

template <class T>
struct forgetting_task {
    const nn::labelled<T>& train; // every training sample, retain and forget: the probe's fitting rows
    const nn::labelled<T>& test;  // held-out samples of every class
    request<T> split;             // the training samples to keep and to forget: the members
    const nn::labelled<T>& forget_test; // held-out samples of the forgotten class: the non-members
    std::size_t forget_class;
};

namespace detail {

template <class T>
std::vector<double> from_logits(nn::sequential<T>& net, const nn::labelled<T>& set, bool confidence) {
    const auto z = net.forward(set.x, nn::mode::eval);
    std::vector<double> out;
    for (std::size_t i = 0; i < set.size(); ++i) {
        const auto row = z.row(i);
        const std::size_t y = set.y[i];
        require(y < row.size(), [&] { return "unlearn: sample " + std::to_string(i) + " has label " + std::to_string(y) + " of " + std::to_string(row.size()) + " classes"; });
        double top = -std::numeric_limits<double>::infinity(), sum = 0;
        for (std::size_t j = 0; j < row.size(); ++j)
            if (!confidence || j != y) top = std::max(top, double(row[j]));
        for (std::size_t j = 0; j < row.size(); ++j)
            if (!confidence || j != y) sum += std::exp(double(row[j]) - top);
        const double log_sum = top + std::log(sum);
        out.push_back(confidence ? double(row[y]) - log_sum : log_sum - double(row[y]));
    }
    return out;
}

} // namespace detail

// Softmax probabilities of a network's outputs, in evaluation mode.
template <class T>
nn::tensor<T> probabilities(nn::sequential<T>& net, const nn::tensor<T>& x) {
    const auto z = net.forward(x, nn::mode::eval);
    nn::tensor<T> p(z.shape());
    nn::softmax_rows<T>(z.values(), z.dim(1), p.values(), false);
    return p;
}

// Each sample's cross-entropy, log sum_j exp z_j - z_y, and LiRA's statistic, the logit of the
// probability of its label, z_y - log sum_{j != y} exp z_j (= log p_y - log(1 - p_y), exact where
// p_y rounds to 1), both from the logits z.
template <class T>
std::vector<double> sample_losses(nn::sequential<T>& net, const nn::labelled<T>& set) {
    return detail::from_logits(net, set, false);
}

template <class T>
std::vector<double> label_confidences(nn::sequential<T>& net, const nn::labelled<T>& set) {
    return detail::from_logits(net, set, true);
}

// LiRA's OUT statistics of the members and non-members, one value per shadow network.
struct out_shadows {
    std::vector<std::vector<double>> members, nonmembers;

    template <class T>
    void add(nn::sequential<T>& shadow, const forgetting_task<T>& task) {
        const auto m = label_confidences(shadow, task.split.forget), n = label_confidences(shadow, task.forget_test);
        members.resize(m.size()), nonmembers.resize(n.size());
        for (std::size_t i = 0; i < m.size(); ++i) members[i].push_back(m[i]);
        for (std::size_t i = 0; i < n.size(); ++i) nonmembers[i].push_back(n[i]);
    }
    std::size_t count() const noexcept { return members.empty() ? 0 : members.front().size(); }
};

struct forgetting_report {
    forgetting_scores scores;              // on the held-out samples
    membership_result loss_attack;
    std::optional<membership_result> lira; // with 2 or more shadow networks
    double probe = 0;                      // balanced accuracy on the held-out samples, percent
    relearn_result relearn;
};

template <class T>
forgetting_report judge(nn::sequential<T>& net, const forgetting_task<T>& task, double original_fa, const out_shadows& shadows = {},
                        const relearn_options& relearn = {}) {
    const std::size_t f = task.forget_class;
    forgetting_report r;
    r.scores = forgetting_metrics(probabilities(net, task.test.x), task.test.y, f, original_fa);
    r.loss_attack = loss_threshold(sample_losses(net, task.split.forget), sample_losses(net, task.forget_test));
    if (shadows.count() >= 2)
        r.lira = membership(lira_offline_scores(label_confidences(net, task.split.forget), shadows.members),
                            lira_offline_scores(label_confidences(net, task.forget_test), shadows.nonmembers));
    const logistic_probe probe(penultimate(net, task.train.x), task.train.y, f);
    r.probe = 100 * probe.balanced_accuracy(penultimate(net, task.test.x), task.test.y, f);
    r.relearn = relearn_time(net, task.split, relearn);
    return r;
}

} // namespace qhybrid::unlearn
