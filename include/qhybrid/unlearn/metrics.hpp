// SPDX-License-Identifier: Apache-2.0
#pragma once
// QPAudioEraser's metrics of forgetting class F (arXiv 2507.22208, section 3.2, and the authors'
// compute_biometric_metrics), in percent, from a model's class probabilities on test samples:
//   FA  forget accuracy: forget samples (label F) predicted F;
//   RA  retain accuracy: the other samples predicted right;
//   IL  information leakage: the mean probability of F on forget samples;
//   FAR other samples predicted F;
//   FRR the paper's text: forget samples not predicted F (100 - FA); its tables and code use
//       100 - RA, kept apart as frr_tables so that the published numbers can be traced;
//   PER forgetting relative to the original model's FA0: (FA0 - FA) / FA0, clamped to [0, 100]
//       (0 when FA0 is 0);
//   ERB the harmonic mean of 100 - FA and RA: 2 (100 - FA) RA / ((100 - FA) + RA).
// Forgetting a class makes FA 0 for the model retrained without it too: every figure is to be
// read against the retrained model's (membership.hpp has the test a privacy claim needs).
// Several classes forgotten at once (a class_set F) generalise each figure as the paper's would
// read on their union: a forget sample is one labelled in F, FA counts it predicted as its own
// class, IL is the probability of its own class, FAR counts other samples predicted in F.
#include "qhybrid/core/error.hpp"
#include "qhybrid/nn/tensor.hpp"
#include "qhybrid/unlearn/class_set.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

namespace qhybrid::unlearn {

struct forgetting_scores {
    double fa = 0, ra = 0, il = 0, far = 0, frr = 0, frr_tables = 0, per = 0, erb = 0;
};

// `probabilities` [samples, classes], rows summing to 1; `original_fa` the original model's FA.
template <class T>
forgetting_scores forgetting_metrics(const nn::tensor<T>& probabilities, std::span<const std::size_t> labels, const class_set& forget,
                                     double original_fa) {
    require(probabilities.rank() == 2 && probabilities.dim(0) == labels.size() && forget.largest() < probabilities.dim(1) &&
                original_fa >= 0 && original_fa <= 100,
            [&] {
                return "forgetting_metrics: probabilities of shape " + nn::to_string(probabilities.shape()) + " for " +
                       std::to_string(labels.size()) + " labels, forget class " + forget.describe() + ", original FA " +
                       number(original_fa);
            });
    const std::size_t classes = probabilities.dim(1);
    double forget_n = 0, forget_hit = 0, leak = 0, other_n = 0, other_right = 0, other_as_forget = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        require(labels[i] < classes, [&] { return "forgetting_metrics: label " + std::to_string(labels[i]) + " of sample " + std::to_string(i); });
        const auto row = probabilities.row(i);
        const auto predicted = std::size_t(std::max_element(row.begin(), row.end()) - row.begin());
        if (forget.contains(labels[i])) {
            forget_n += 1, forget_hit += predicted == labels[i], leak += double(row[labels[i]]);
        } else {
            other_n += 1, other_right += predicted == labels[i], other_as_forget += forget.contains(predicted);
        }
    }
    require(forget_n > 0 && other_n > 0, [&] {
        return "forgetting_metrics: " + number(forget_n) + " forget and " + number(other_n) + " other samples (needs both)";
    });
    forgetting_scores s;
    s.fa = 100 * forget_hit / forget_n, s.ra = 100 * other_right / other_n, s.il = 100 * leak / forget_n;
    s.far = 100 * other_as_forget / other_n, s.frr = 100 - s.fa, s.frr_tables = 100 - s.ra;
    s.per = original_fa == 0 ? 0 : std::clamp(100 * (original_fa - s.fa) / original_fa, 0.0, 100.0);
    const double forgotten = 100 - s.fa;
    s.erb = forgotten + s.ra == 0 ? 0 : 2 * forgotten * s.ra / (forgotten + s.ra);
    return s;
}

} // namespace qhybrid::unlearn
