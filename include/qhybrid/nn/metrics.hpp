// SPDX-License-Identifier: Apache-2.0
#pragma once
// How well a binary detector separates the classes and how honest its probabilities are: the ROC
// curve and its area, the equal error rate, the expected calibration error with its reliability
// bins, and the confusion matrix. A score is P(positive); a label is 1 for the positive class
// (for DEEP-VOICE, FAKE) and 0 otherwise.
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::nn {

struct roc_point {
    double threshold, fpr, tpr; // predict positive when score >= threshold
};

namespace detail {

inline void require_scored(std::span<const double> scores, std::span<const std::size_t> labels, const char* who) {
    require(scores.size() == labels.size() && !scores.empty(), [&] {
        return std::string(who) + ": " + std::to_string(scores.size()) + " scores for " + std::to_string(labels.size()) +
               " labels";
    });
    for (std::size_t i = 0; i < scores.size(); ++i) {
        require(std::isfinite(scores[i]),
                [&] { return std::string(who) + ": score " + std::to_string(i) + " is " + number(scores[i]); });
        require(labels[i] <= 1, [&] {
            return std::string(who) + ": label " + std::to_string(i) + " is " + std::to_string(labels[i]) + ", not 0 or 1";
        });
    }
}

} // namespace detail

// Every distinct score as a threshold, highest first, from (0, 0) (threshold +inf) to (1, 1):
// sklearn's roc_curve(drop_intermediate=False). Needs both classes.
inline std::vector<roc_point> roc_curve(std::span<const double> scores, std::span<const std::size_t> labels) {
    detail::require_scored(scores, labels, "roc_curve");
    const std::size_t positives = std::size_t(std::count(labels.begin(), labels.end(), std::size_t{1}));
    const std::size_t negatives = labels.size() - positives;
    require(positives > 0 && negatives > 0, [&] {
        return "roc_curve: needs both classes, got " + std::to_string(positives) + " positive and " +
               std::to_string(negatives) + " negative samples";
    });
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
    std::vector<roc_point> curve{{INFINITY, 0.0, 0.0}};
    std::size_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        (labels[order[i]] ? tp : fp) += 1;
        if (i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]]) // ties form one step
            curve.push_back({scores[order[i]], double(fp) / double(negatives), double(tp) / double(positives)});
    }
    return curve;
}

// The area under the ROC curve (trapezoids, so a tie between classes counts one half): the
// probability that a random positive scores above a random negative.
inline double roc_auc(std::span<const roc_point> curve) {
    double area = 0;
    for (std::size_t i = 1; i < curve.size(); ++i)
        area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2;
    return area;
}

// The equal error rate: where the false-positive rate equals the false-negative rate 1 - TPR,
// linearly interpolated between the two ROC points that bracket it; `at` is that point (its
// threshold interpolated the same way, +inf mapped to the first finite threshold).
struct equal_error {
    double rate;
    roc_point at;
};

inline equal_error equal_error_rate(std::span<const roc_point> curve) {
    require(curve.size() >= 2, [] { return std::string("equal_error_rate: an ROC curve needs two points"); });
    // g = FPR - FNR rises from -1 at (0, 0) to +1 at (1, 1); find where it crosses zero.
    auto g = [](const roc_point& p) { return p.fpr - (1 - p.tpr); };
    std::size_t i = 1;
    while (i + 1 < curve.size() && g(curve[i]) < 0) ++i;
    const roc_point &a = curve[i - 1], &b = curve[i];
    const double t = g(b) == g(a) ? 0.0 : -g(a) / (g(b) - g(a));
    const double ta = std::isfinite(a.threshold) ? a.threshold : b.threshold;
    const roc_point at{ta + t * (b.threshold - ta), a.fpr + t * (b.fpr - a.fpr), a.tpr + t * (b.tpr - a.tpr)};
    return {at.fpr, at};
}

// One bin of a reliability diagram: the samples whose confidence lies in (lo, hi].
struct reliability_bin {
    double lo, hi;
    std::size_t count = 0;
    double confidence = 0, accuracy = 0; // means over the bin's samples (0 when empty)
};

struct calibration_report {
    double ece = 0; // sum over bins of count / n * |accuracy - confidence|
    std::vector<reliability_bin> bins;
};

// Expected calibration error as Guo et al. (2017) define it: the confidence of a prediction is
// max(p, 1 - p), its accuracy whether the predicted class (p >= 0.5) is the label, and
// confidences fall into `bins` equal-width bins ((m - 1) / M, m / M] of [0, 1] (15 in the paper;
// for two classes the bins below 1/2 stay empty).
inline calibration_report calibration(std::span<const double> scores, std::span<const std::size_t> labels,
                                      std::size_t bins = 15) {
    detail::require_scored(scores, labels, "calibration");
    require(bins >= 1 && bins <= 1000, [&] { return "calibration: " + std::to_string(bins) + " bins, not 1 .. 1000"; });
    for (std::size_t i = 0; i < scores.size(); ++i)
        require(scores[i] >= 0 && scores[i] <= 1,
                [&] { return "calibration: score " + std::to_string(i) + " is " + number(scores[i]) + ", not a probability"; });
    calibration_report r;
    for (std::size_t b = 0; b < bins; ++b) r.bins.push_back({double(b) / double(bins), double(b + 1) / double(bins)});
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const bool positive = scores[i] >= 0.5;
        const double confidence = positive ? scores[i] : 1 - scores[i];
        const double m = std::ceil(confidence * double(bins)); // bin m covers ((m - 1) / M, m / M]
        auto& bin = r.bins[std::size_t(std::clamp(m, 1.0, double(bins))) - 1];
        ++bin.count;
        bin.confidence += confidence;
        bin.accuracy += double(positive == (labels[i] == 1));
    }
    for (auto& bin : r.bins)
        if (bin.count) {
            bin.confidence /= double(bin.count), bin.accuracy /= double(bin.count);
            r.ece += double(bin.count) / double(scores.size()) * std::abs(bin.accuracy - bin.confidence);
        }
    return r;
}

// counts[t * classes + p]: samples of true class t predicted as p.
struct confusion_matrix {
    std::size_t classes = 0;
    std::vector<std::size_t> counts;

    std::size_t operator()(std::size_t truth, std::size_t predicted) const { return counts[truth * classes + predicted]; }
};

inline confusion_matrix confusion(std::span<const std::size_t> truth, std::span<const std::size_t> predicted,
                                  std::size_t classes) {
    require(truth.size() == predicted.size(), [&] {
        return "confusion: " + std::to_string(truth.size()) + " labels for " + std::to_string(predicted.size()) +
               " predictions";
    });
    confusion_matrix m{classes, std::vector<std::size_t>(classes * classes, 0)};
    for (std::size_t i = 0; i < truth.size(); ++i) {
        require(truth[i] < classes && predicted[i] < classes, [&] {
            return "confusion: sample " + std::to_string(i) + " has class " + std::to_string(truth[i]) + " -> " +
                   std::to_string(predicted[i]) + ", not below " + std::to_string(classes);
        });
        ++m.counts[truth[i] * classes + predicted[i]];
    }
    return m;
}

// Everything above for one binary detector's scores.
struct detection_report {
    std::size_t samples = 0;
    double accuracy = 0, auc = 0;
    equal_error eer{};
    calibration_report calibration;
    confusion_matrix confusion;
    std::vector<roc_point> roc;
};

inline detection_report evaluate_detection(std::span<const double> scores, std::span<const std::size_t> labels,
                                           std::size_t calibration_bins = 15) {
    detection_report r;
    r.samples = scores.size();
    r.roc = roc_curve(scores, labels);
    r.auc = roc_auc(r.roc);
    r.eer = equal_error_rate(r.roc);
    r.calibration = calibration(scores, labels, calibration_bins);
    std::vector<std::size_t> predicted(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) predicted[i] = scores[i] >= 0.5;
    r.confusion = confusion(labels, predicted, 2);
    r.accuracy = double(r.confusion(0, 0) + r.confusion(1, 1)) / double(r.samples);
    return r;
}

} // namespace qhybrid::nn
