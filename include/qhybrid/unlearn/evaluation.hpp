// SPDX-License-Identifier: Apache-2.0
#pragma once
// An unlearned network judged as a privacy reviewer would, in one call: the paper's metrics on
// held-out samples (metrics.hpp), membership inference with the forgotten training samples as
// members and held-out samples of the same class as non-members (the loss-threshold attack;
// offline LiRA when OUT shadow networks are given, online LiRA when IN ones are given too), a
// linear probe on the features the last layer reads, and relearn time. Each figure means
// something only next to the retrained network's.
//
//   unlearn::forgetting_task<double> task{train, test, {retain, forget}, forget_test, f};
//   unlearn::lira_shadows shadows;
//   for (auto& s : retrained_without_f) shadows.add_out(s, task);
//   for (auto& s : trained_with_every_candidate) shadows.add_in(s, task); // optional
//   const auto report = unlearn::judge(net, task, original_fa, shadows);
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/train.hpp"
#include "qhybrid/unlearn/membership.hpp"
#include "qhybrid/unlearn/metrics.hpp"
#include "qhybrid/unlearn/probe.hpp"
#include "qhybrid/unlearn/relearn.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace qhybrid::unlearn {

template <class T>
struct forgetting_task {
    const nn::labelled<T>& train; // every training sample, retain and forget: the probe's fitting rows
    const nn::labelled<T>& test;  // held-out samples of every class
    request<T> split;             // the training samples to keep and to forget: the members
    const nn::labelled<T>& forget_test; // held-out samples of the forgotten class: the non-members
    class_set forgotten;
};

namespace detail {

template <class T>
std::vector<double> from_logits(nn::sequential<T>& net, const nn::labelled<T>& set, bool confidence) {
    const auto z = nn::predict(net, set.x);
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
    const auto z = nn::predict(net, x);
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

// LiRA's shadow statistics of the members and non-members, one value per shadow network: OUT
// networks never trained on any candidate (retrained without the class), IN networks trained on
// every one of them, members and non-members alike (so that for each candidate the IN and OUT
// sides differ by that candidate's presence, as online LiRA needs).
struct lira_shadows {
    struct side {
        std::vector<std::vector<double>> members, nonmembers;
        std::size_t count() const noexcept { return members.empty() ? 0 : members.front().size(); }
        std::vector<std::vector<double>> candidates() const { // members, then non-members
            auto all = members;
            all.insert(all.end(), nonmembers.begin(), nonmembers.end());
            return all;
        }
    };
    side in, out;

    template <class T>
    void add_out(nn::sequential<T>& shadow, const forgetting_task<T>& task) { add(out, shadow, task); }
    template <class T>
    void add_in(nn::sequential<T>& shadow, const forgetting_task<T>& task) { add(in, shadow, task); }

private:
    template <class T>
    static void add(side& to, nn::sequential<T>& shadow, const forgetting_task<T>& task) {
        const auto m = label_confidences(shadow, task.split.forget), n = label_confidences(shadow, task.forget_test);
        to.members.resize(m.size()), to.nonmembers.resize(n.size());
        for (std::size_t i = 0; i < m.size(); ++i) to.members[i].push_back(m[i]);
        for (std::size_t i = 0; i < n.size(); ++i) to.nonmembers[i].push_back(n[i]);
    }
};

struct forgetting_report {
    forgetting_scores scores;              // on the held-out samples
    membership_result loss_attack;
    std::optional<membership_result> lira;        // offline, with 2 or more OUT shadow networks
    std::optional<membership_result> lira_online; // with 2 or more IN ones too
    double probe = 0;                      // balanced accuracy on the held-out samples, percent
    relearn_result relearn;
};

template <class T>
forgetting_report judge(nn::sequential<T>& net, const forgetting_task<T>& task, double original_fa, const lira_shadows& shadows = {},
                        const relearn_options& relearn = {}) {
    const class_set& f = task.forgotten;
    forgetting_report r;
    r.scores = forgetting_metrics(probabilities(net, task.test.x), task.test.y, f, original_fa);
    r.loss_attack = loss_threshold(sample_losses(net, task.split.forget), sample_losses(net, task.forget_test));
    if (shadows.out.count() >= 2) {
        // Every candidate scored at once: with a handful of shadows each side has one variance
        // (LiRA's fixed variance), pooled over members and non-members alike, as an attacker who
        // does not know which is which must pool it.
        auto observed = label_confidences(net, task.split.forget);
        const std::size_t members = observed.size();
        const auto nonmembers = label_confidences(net, task.forget_test);
        observed.insert(observed.end(), nonmembers.begin(), nonmembers.end());
        const auto attack = [&](const std::vector<double>& scores) {
            return membership(std::span(scores).first(members), std::span(scores).subspan(members));
        };
        const auto out = shadows.out.candidates();
        r.lira = attack(lira_offline_scores(observed, out));
        if (shadows.in.count() >= 2) r.lira_online = attack(lira_scores(observed, shadows.in.candidates(), out));
    }
    const logistic_probe probe(penultimate(net, task.train.x), task.train.y, f);
    r.probe = 100 * probe.balanced_accuracy(penultimate(net, task.test.x), task.test.y, f);
    r.relearn = relearn_time(net, task.split, relearn);
    return r;
}

} // namespace qhybrid::unlearn
