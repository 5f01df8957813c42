// SPDX-License-Identifier: Apache-2.0
#pragma once
// DeepFool (Moosavi-Dezfooli, Fawzi & Frossard, CVPR 2016, Algorithm 2): the smallest step that
// crosses the nearest decision boundary of the model linearised at the current point, repeated
// until the class changes. At x_i, for each candidate class k (the `candidates` classes with the
// highest clean logits other than the label y), w_k = grad(z_k - z_y) and f_k = z_k - z_y; the
// nearest is l = argmin |f_k| / |w_k|_q and the step r_i = (|f_l| / |w_l|_q + 1e-4) times the unit
// direction of w_l (q = 2 and w / |w|_2 for L2; q = 1 and sign(w) for L-inf, the dual norm). The
// point is x + (1 + overshoot) sum r_i, kept in the box. Defaults are the authors': 50
// iterations, overshoot 0.02, 10 candidate classes. DeepFool seeks the smallest perturbation, so
// it has no budget: robust::distance measures what it found. Its loss is the margin
// max_{k != y} z_k - z_y, positive once the class has changed.
#include "qhybrid/robust/attack.hpp"

#include <numeric>

namespace qhybrid::robust {

struct deepfool_options {
    norm p = norm::l2;
    std::size_t max_iterations = 50;
    double overshoot = 0.02;
    std::size_t candidates = 10; // classes tried, those with the highest clean logits (the label excluded)
    double lo = 0, hi = 1;       // the box of valid inputs
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> deepfool(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const deepfool_options& o) {
    const threat box{.p = o.p, .epsilon = 0, .lo = o.lo, .hi = o.hi};
    detail::check_attack_input(x, labels, {}, box, "deepfool");
    require(o.max_iterations > 0 && o.candidates > 0 && o.overshoot >= 0, [&] {
        return "deepfool: " + std::to_string(o.max_iterations) + " iterations, " + std::to_string(o.candidates) + " candidates, overshoot " +
               number(o.overshoot) + " (needs at least 1 iteration and candidate, overshoot >= 0)";
    });
    const std::size_t n = labels.size(), width = x.row_size();
    rng gen(0); // deterministic models ignore it
    attack_result<T> out{x, std::vector<std::uint8_t>(n, 0), std::vector<T>(n, T(0))};
    nn::tensor<T> total(x.shape()); // sum of the steps r_i
    std::vector<std::vector<std::size_t>> tried(n);
    std::vector<std::size_t> active(n);
    std::iota(active.begin(), active.end(), std::size_t{0});
    for (std::size_t it = 0; it <= o.max_iterations && !active.empty(); ++it) {
        const nn::tensor<T> adv = nn::gather_rows(out.adversarial, active);
        const nn::tensor<T> z = model.logits(adv, gen);
        out.forward_evaluations += active.size();
        const auto predicted = nn::argmax_rows(z);
        std::vector<std::size_t> still;
        for (std::size_t i = 0; i < active.size(); ++i) {
            const std::size_t b = active[i];
            out.fooled[b] = predicted[i] != labels[b];
            T other = -std::numeric_limits<T>::infinity();
            for (std::size_t k = 0; k < z.dim(1); ++k)
                if (k != labels[b]) other = std::max(other, z.row(i)[k]);
            out.loss[b] = other - z.row(i)[labels[b]]; // the margin loss: positive once fooled
            if (!out.fooled[b]) still.push_back(i);
        }
        if (it == 0) // the candidate classes, from the clean logits
            for (std::size_t i = 0; i < active.size(); ++i) {
                std::vector<std::size_t> order(z.dim(1));
                std::iota(order.begin(), order.end(), std::size_t{0});
                std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t c) { // ties: the lower class first
                    return z.row(i)[a] > z.row(i)[c] || (z.row(i)[a] == z.row(i)[c] && a < c);
                });
                for (std::size_t k : order)
                    if (k != labels[active[i]] && tried[active[i]].size() < o.candidates) tried[active[i]].push_back(k);
            }
        if (still.empty() || it == o.max_iterations) break;
        std::vector<std::size_t> next;
        for (std::size_t i : still) next.push_back(active[i]);
        const nn::tensor<T> at = nn::gather_rows(out.adversarial, next);
        // The nearest linearised boundary of each sample, over its candidates.
        std::vector<double> best(next.size(), std::numeric_limits<double>::infinity());
        nn::tensor<T> step(at.shape());
        const std::size_t most = std::min(o.candidates, z.dim(1) - 1);
        for (std::size_t c = 0; c < most; ++c) {
            const nn::tensor<T> zc = model.logits(at, gen);
            nn::tensor<T> cotangent(zc.shape());
            for (std::size_t i = 0; i < next.size(); ++i)
                cotangent.row(i)[tried[next[i]][c]] += T(1), cotangent.row(i)[labels[next[i]]] -= T(1);
            const nn::tensor<T> w = model.input_gradient(cotangent);
            out.gradient_evaluations += next.size();
            for (std::size_t i = 0; i < next.size(); ++i) {
                const auto wi = w.row(i);
                const double f = double(zc.row(i)[tried[next[i]][c]] - zc.row(i)[labels[next[i]]]);
                double dual = 0, l2 = 0;
                for (T v : wi) dual += o.p == norm::l2 ? double(v) * double(v) : std::abs(double(v)), l2 += double(v) * double(v);
                if (o.p == norm::l2) dual = std::sqrt(dual);
                if (dual == 0) continue;
                const double distance = std::abs(f) / dual;
                if (distance >= best[i]) continue;
                best[i] = distance;
                for (std::size_t j = 0; j < width; ++j)
                    step.row(i)[j] = T((distance + 1e-4) * (o.p == norm::l2 ? double(wi[j]) / std::sqrt(l2) : double((wi[j] > 0) - (wi[j] < 0))));
            }
        }
        for (std::size_t i = 0; i < next.size(); ++i) {
            const std::size_t b = next[i];
            for (std::size_t j = 0; j < width; ++j) {
                total.row(b)[j] += step.row(i)[j];
                out.adversarial.row(b)[j] = std::clamp(T(x.row(b)[j] + (1 + o.overshoot) * total.row(b)[j]), T(o.lo), T(o.hi));
            }
        }
        active = std::move(next);
    }
    return out;
}

} // namespace qhybrid::robust
