// SPDX-License-Identifier: Apache-2.0
#pragma once
// Membership inference, the test an unlearning claim must pass: can an attacker who sees the
// unlearned model tell the forgotten samples (members of the original training set) from samples
// it never trained on? The answer is judged against the model retrained without them, whose
// forgotten samples are non-members by construction.
//
// - loss_threshold: members tend to have lower loss (Yeom et al. 2018); the score of a sample is
//   minus its loss.
// - lira_scores: the likelihood-ratio attack (Carlini et al. 2022, "LiRA") on a sample's
//   logit-scaled confidence phi = log(p / (1 - p)), p the model's probability of the true label:
//   shadow models trained with the sample (IN) and without it (OUT) give two Gaussians, and the
//   score is log N(phi; IN) - log N(phi; OUT). With few shadow models a single variance per side,
//   pooled over the samples, replaces each sample's own (the paper's "fixed variance").
// - lira_offline_scores: LiRA's offline form, with OUT shadow models alone (models trained without
//   the candidates, e.g. retrained ones): the score is how many deviations phi lies above the OUT
//   Gaussian's mean, which orders samples as the paper's one-sided test 1 - Phi(.) does.
//
// Both are summarised by the ROC's area and the true-positive rate at a false-positive rate below
// 1% (Carlini et al.: the rate that matters is the one at which an attacker is rarely wrong).
#include "qhybrid/core/error.hpp"
#include "qhybrid/nn/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

struct membership_result {
    double auc = 0;            // probability that a random member scores above a random non-member
    double tpr_at_low_fpr = 0; // the highest TPR at an FPR below `low_fpr`
};

// Members' and non-members' scores (higher: more likely a member).
inline membership_result membership(std::span<const double> members, std::span<const double> nonmembers, double low_fpr = 0.01) {
    require(!members.empty() && !nonmembers.empty() && low_fpr > 0 && low_fpr <= 1, [&] {
        return "membership: " + std::to_string(members.size()) + " members, " + std::to_string(nonmembers.size()) +
               " non-members, false-positive rate " + number(low_fpr) + " (needs both sets and a rate in (0, 1])";
    });
    std::vector<double> scores(members.begin(), members.end());
    scores.insert(scores.end(), nonmembers.begin(), nonmembers.end());
    std::vector<std::size_t> labels(members.size(), 1);
    labels.resize(scores.size(), 0);
    const auto curve = nn::roc_curve(scores, labels);
    membership_result r{nn::roc_auc(curve), 0};
    for (const auto& p : curve)
        if (p.fpr < low_fpr) r.tpr_at_low_fpr = std::max(r.tpr_at_low_fpr, p.tpr);
    return r;
}

// The loss-threshold attack: a member is a sample of low loss.
inline membership_result loss_threshold(std::span<const double> member_losses, std::span<const double> nonmember_losses,
                                        double low_fpr = 0.01) {
    std::vector<double> m(member_losses.size()), n(nonmember_losses.size());
    std::transform(member_losses.begin(), member_losses.end(), m.begin(), [](double l) { return -l; });
    std::transform(nonmember_losses.begin(), nonmember_losses.end(), n.begin(), [](double l) { return -l; });
    return membership(m, n, low_fpr);
}

// LiRA's statistic of a probability: log(p / (1 - p)), computed as log p - log(1 - p) with p
// clamped to [1e-300, 1 - 1e-16] so that certainty stays finite.
inline double logit_confidence(double p) {
    require(p >= 0 && p <= 1, [&] { return "logit_confidence: " + number(p) + " is not a probability"; });
    p = std::clamp(p, 1e-300, 1 - 1e-16);
    return std::log(p) - std::log1p(-p);
}

// A Gaussian fitted to shadow models' statistics of one sample.
struct gaussian {
    double mean = 0, variance = 0;
};

inline gaussian fit_gaussian(std::span<const double> values) {
    require(values.size() >= 2, [&] { return "fit_gaussian: " + std::to_string(values.size()) + " values (needs 2 or more)"; });
    double mean = 0;
    for (double v : values) mean += v;
    mean /= double(values.size());
    double sq = 0;
    for (double v : values) sq += (v - mean) * (v - mean);
    return {mean, sq / double(values.size() - 1)};
}

namespace detail {

// A Gaussian per sample, each with its own variance or all with their mean variance.
inline std::vector<gaussian> fit_gaussians(std::span<const std::vector<double>> values, bool fixed_variance) {
    std::vector<gaussian> g;
    double pooled = 0;
    for (const auto& v : values) g.push_back(fit_gaussian(v)), pooled += g.back().variance;
    pooled /= double(values.size());
    if (fixed_variance)
        for (auto& x : g) x.variance = pooled;
    return g;
}

} // namespace detail

// LiRA scores of samples: observed[i] the target model's statistic of sample i, in[i] and out[i]
// the shadow models' statistics with and without it. With fixed_variance each side's variance is
// the mean of its samples' variances.
inline std::vector<double> lira_scores(std::span<const double> observed, std::span<const std::vector<double>> in,
                                       std::span<const std::vector<double>> out, bool fixed_variance = true) {
    require(in.size() == observed.size() && out.size() == observed.size() && !observed.empty(), [&] {
        return "lira_scores: " + std::to_string(observed.size()) + " samples, " + std::to_string(in.size()) + " IN and " +
               std::to_string(out.size()) + " OUT shadow sets";
    });
    const auto gin = detail::fit_gaussians(in, fixed_variance), gout = detail::fit_gaussians(out, fixed_variance);
    const auto log_density = [](double x, double mean, double variance) {
        variance = std::max(variance, 1e-30); // identical shadow statistics: a spike, not a NaN
        return -0.5 * std::log(2 * std::numbers::pi * variance) - (x - mean) * (x - mean) / (2 * variance);
    };
    std::vector<double> scores(observed.size());
    for (std::size_t i = 0; i < observed.size(); ++i)
        scores[i] = log_density(observed[i], gin[i].mean, gin[i].variance) - log_density(observed[i], gout[i].mean, gout[i].variance);
    return scores;
}

// Offline LiRA: (phi - mean_OUT) / sd_OUT per sample.
inline std::vector<double> lira_offline_scores(std::span<const double> observed, std::span<const std::vector<double>> out,
                                               bool fixed_variance = true) {
    require(out.size() == observed.size() && !observed.empty(), [&] {
        return "lira_offline_scores: " + std::to_string(observed.size()) + " samples, " + std::to_string(out.size()) + " OUT shadow sets";
    });
    const auto g = detail::fit_gaussians(out, fixed_variance);
    std::vector<double> scores(observed.size());
    for (std::size_t i = 0; i < observed.size(); ++i) scores[i] = (observed[i] - g[i].mean) / std::sqrt(std::max(g[i].variance, 1e-30));
    return scores;
}

} // namespace qhybrid::unlearn
