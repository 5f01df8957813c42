// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Carlini-Wagner L2 attack (Carlini & Wagner, IEEE S&P 2017, section V.A): the smallest L2
// perturbation that changes the class, found by minimising |x' - x|_2^2 + c f(x') over
// x' = lo + (hi - lo)(tanh(w) + 1) / 2 (the box, by a change of variable), with
//   f = max(z_y - max_{i != y} z_i, -kappa)      untargeted,
//   f = max(max_{i != t} z_i - z_t, -kappa)      targeted, towards t,
// by Adam (Kingma & Ba's Algorithm 1, lr 0.01), and a binary search over c per sample: from c =
// 1e-3, halve the bracket after a success, multiply c by 10 after a failure while no success is
// known. A sample stops early when its loss has not fallen by 0.01% over a tenth of the
// iterations (the authors' rule, applied to each sample, so that batching changes nothing).
// The result is the closest point that was classified as wanted (with margin kappa), else the
// clean input. Defaults: the paper's 9 search steps and c = 1e-3; 1,000 iterations a step where
// the paper used 10,000. Its loss is the margin max_{k != y} z_k - z_y (untargeted) at the result.
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct carlini_wagner_options {
    std::size_t search_steps = 9;
    std::size_t iterations = 1000;
    double learning_rate = 0.01;
    double initial_c = 1e-3;
    double kappa = 0; // the confidence margin
    bool abort_early = true;
    double lo = 0, hi = 1;
    std::span<const std::size_t> targets = {};
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> carlini_wagner(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const carlini_wagner_options& o) {
    const threat box{.p = norm::l2, .epsilon = 0, .lo = o.lo, .hi = o.hi};
    detail::check_attack_input(x, labels, o.targets, box, "carlini_wagner");
    require(o.search_steps > 0 && o.iterations > 0 && o.learning_rate > 0 && o.initial_c > 0 && o.kappa >= 0, [&] {
        return "carlini_wagner: " + std::to_string(o.search_steps) + " search steps, " + std::to_string(o.iterations) +
               " iterations, learning rate " + number(o.learning_rate) + ", c " + number(o.initial_c) + ", kappa " + number(o.kappa) +
               " (needs positive counts, rate and c, kappa >= 0)";
    });
    const std::size_t n = labels.size(), width = x.row_size();
    const bool targeted = !o.targets.empty();
    const double half = (o.hi - o.lo) / 2;
    rng gen(0);
    auto to_box = [&](T w) { return T(o.lo + half * (std::tanh(double(w)) + 1)); };
    // The class the attack wants away from (untargeted) or towards, and the best other class.
    auto margin = [&](std::span<const T> z, std::size_t b, std::size_t& other) {
        const std::size_t wanted = targeted ? o.targets[b] : labels[b];
        other = wanted == 0 ? 1 : 0;
        for (std::size_t k = 0; k < z.size(); ++k)
            if (k != wanted && z[k] > z[other]) other = k;
        return targeted ? double(z[other] - z[wanted]) : double(z[wanted] - z[other]); // f before the clamp at -kappa
    };
    auto succeeded = [&](double f) { return f < -o.kappa; };

    attack_result<T> out{x, std::vector<std::uint8_t>(n, 0), std::vector<T>(n, T(0))};
    std::vector<double> c(n, o.initial_c), lower(n, 0), upper(n, 1e10), best_l2(n, std::numeric_limits<double>::infinity());
    nn::tensor<T> w0(x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) w0[i] = T(std::atanh(((double(x[i]) - o.lo) / half - 1) * 0.999999)); // finite at the box's faces
    const std::size_t check_every = std::max<std::size_t>(1, o.iterations / 10);
    for (std::size_t step = 0; step < o.search_steps; ++step) {
        nn::tensor<T> w = w0, m(x.shape()), v(x.shape());
        std::vector<std::uint8_t> found(n, 0), running(n, 1);
        std::vector<double> previous(n, std::numeric_limits<double>::infinity());
        for (std::size_t it = 0; it < o.iterations; ++it) {
            std::vector<std::size_t> rows;
            for (std::size_t b = 0; b < n; ++b)
                if (running[b]) rows.push_back(b);
            if (rows.empty()) break;
            nn::tensor<T> adv(nn::gather_rows(x, rows).shape());
            for (std::size_t i = 0; i < rows.size(); ++i)
                for (std::size_t j = 0; j < width; ++j) adv.row(i)[j] = to_box(w.row(rows[i])[j]);
            const nn::tensor<T> z = model.logits(adv, gen);
            nn::tensor<T> cotangent(z.shape());
            std::vector<double> loss(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const std::size_t b = rows[i];
                std::size_t other = 0;
                const double f = margin(z.row(i), b, other), l2 = [&] {
                    double s = 0;
                    for (std::size_t j = 0; j < width; ++j) s += double(adv.row(i)[j] - x.row(b)[j]) * double(adv.row(i)[j] - x.row(b)[j]);
                    return s;
                }();
                loss[i] = l2 + c[b] * std::max(f, -o.kappa);
                if (succeeded(f)) {
                    found[b] = 1;
                    if (l2 < best_l2[b]) {
                        best_l2[b] = l2, out.fooled[b] = 1, out.loss[b] = T(-f);
                        std::copy(adv.row(i).begin(), adv.row(i).end(), out.adversarial.row(b).begin());
                    }
                }
                if (f > -o.kappa) { // the clamp is not active: f's gradient flows
                    const std::size_t wanted = targeted ? o.targets[b] : labels[b];
                    cotangent.row(i)[wanted] += T(targeted ? -c[b] : c[b]);
                    cotangent.row(i)[other] += T(targeted ? c[b] : -c[b]);
                }
            }
            const nn::tensor<T> dz = model.input_gradient(cotangent);
            out.gradient_evaluations += rows.size();
            const double t = double(it + 1), scale1 = 1 - std::pow(0.9, t), scale2 = 1 - std::pow(0.999, t);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const std::size_t b = rows[i];
                for (std::size_t j = 0; j < width; ++j) {
                    const double th = std::tanh(double(w.row(b)[j]));
                    const double g = (2 * double(adv.row(i)[j] - x.row(b)[j]) + double(dz.row(i)[j])) * half * (1 - th * th);
                    m.row(b)[j] = T(0.9 * m.row(b)[j] + 0.1 * g);
                    v.row(b)[j] = T(0.999 * v.row(b)[j] + 0.001 * g * g);
                    w.row(b)[j] -= T(o.learning_rate * (m.row(b)[j] / scale1) / (std::sqrt(v.row(b)[j] / scale2) + 1e-8));
                }
                if (o.abort_early && (it + 1) % check_every == 0) {
                    if (loss[i] > previous[b] * 0.9999) running[b] = 0;
                    previous[b] = loss[i];
                }
            }
        }
        for (std::size_t b = 0; b < n; ++b) { // the binary search over c
            if (found[b]) upper[b] = std::min(upper[b], c[b]);
            else lower[b] = std::max(lower[b], c[b]);
            c[b] = upper[b] < 1e10 ? (lower[b] + upper[b]) / 2 : c[b] * 10;
        }
    }
    out.forward_evaluations = 0;
    for (std::size_t b = 0; b < n; ++b)
        if (!out.fooled[b]) { // the clean input, and its margin
            nn::tensor<T> one = nn::gather_rows(x, std::vector<std::size_t>{b});
            std::size_t other = 0;
            out.loss[b] = T(-margin(model.logits(one, gen).row(0), b, other));
            ++out.forward_evaluations;
        }
    return out;
}

} // namespace qhybrid::robust
