// SPDX-License-Identifier: Apache-2.0
#pragma once
// APGD, auto-PGD (Croce & Hein, ICML 2020, Algorithm 1): PGD with momentum and a step size that
// adapts per sample, so that its result does not hinge on a step-size guess.
//   x1 = P(x0 + eta grad(x0)); then z = P(xk + eta grad(xk)), x(k+1) = P(xk + alpha (z - xk) +
//   (1 - alpha)(xk - x(k-1))), eta starting at 2 epsilon (the steps are the threat's steepest
//   ascent directions: sign for L-inf, normalised for L2).
// At the checkpoints w_j = ceil(p_j N) (p_0 = 0, p_1 = 0.22, p_(j+1) = p_j + max(p_j - p_(j-1) -
// 0.03, 0.06)), checked as soon as x(w_j) is known, a sample's step is halved and it goes back to
// its best point when (1) its loss rose in fewer than rho of the steps since the last checkpoint,
// or (2) its step was not halved at the last checkpoint and its best loss has not grown since.
// The defaults are the paper's: 100 steps, rho = alpha = 0.75. The result is the first point
// that fools the model, else the point of highest loss. The random start is uniform in the ball.
#include "qhybrid/robust/attack.hpp"

#include <cmath>

namespace qhybrid::robust {

struct apgd_options {
    threat t;
    std::size_t steps = 100;
    double rho = 0.75;   // the share of rising steps below which the step is halved
    double alpha = 0.75; // the weight of the new step against the last one (1: no momentum)
    bool random_start = true;
    std::size_t restarts = 1;
    attack_loss loss = attack_loss::cross_entropy;
    std::span<const std::size_t> targets = {}; // one per sample: a targeted attack (APGD-T)
    std::size_t eot = 1;                       // draws of a random model's randomness averaged per evaluation
    std::uint64_t seed = 0;
    std::uint64_t first_sample = 0;
    std::span<const std::uint64_t> ids = {}; // the samples' ids, when not first_sample + row
};

// The iterations after which APGD checks its step size, in increasing order (the last <= steps).
inline std::vector<std::size_t> apgd_checkpoints(std::size_t steps) {
    std::vector<std::size_t> w;
    for (double before = 0, p = 0.22; p <= 1; ) {
        w.push_back(std::size_t(std::ceil(p * double(steps) - 1e-9)));
        const double next = p + std::max(p - before - 0.03, 0.06);
        before = p, p = next;
    }
    return w;
}

template <attack_model M, class T = typename M::value_type>
attack_result<T> apgd(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const apgd_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "apgd");
    require(o.steps > 0 && o.restarts > 0 && o.eot > 0 && o.rho >= 0 && o.rho <= 1 && o.alpha > 0 && o.alpha <= 1, [&] {
        return "apgd: " + std::to_string(o.steps) + " steps, " + std::to_string(o.restarts) + " restarts, rho " + number(o.rho) +
               ", alpha " + number(o.alpha) + ", " + std::to_string(o.eot) + " EOT draws (needs steps, restarts and draws >= 1, rho in [0, 1], alpha in (0, 1])";
    });
    const auto checkpoints = apgd_checkpoints(o.steps);
    return detail::over_restarts(x, labels, o.targets, o.first_sample, o.ids, o.restarts, [&](const attack_batch<T>& batch, std::size_t r) {
        const std::size_t n = batch.labels.size();
        rng model_gen = detail::model_stream(o.seed, r);
        nn::tensor<T> adv = detail::starting_points(batch, o.t, o.random_start, o.seed, r);
        auto e = detail::evaluate(model, adv, batch, o.loss, model_gen, true, o.eot);
        attack_result<T> out{adv, e.fooled, e.loss.values, n * o.steps * o.eot, n * o.eot}; // the first fooling point, else the best
        nn::tensor<T> best_grad = e.gradient, grad = std::move(e.gradient), before = adv;
        std::vector<T> last_loss = e.loss.values, best_at_check = e.loss.values;
        std::vector<double> eta(n, 2 * o.t.epsilon);
        std::vector<std::size_t> rises(n, 0);
        std::vector<std::uint8_t> halved_at_check(n, 0);
        std::vector<T> row(x.row_size());
        std::size_t next_check = 0, last_check = 0;
        for (std::size_t k = 0; k < o.steps; ++k) {
            for (std::size_t b = 0; b < n; ++b) {
                const auto xk = adv.row(b), prev = before.row(b);
                std::copy(xk.begin(), xk.end(), row.begin());
                o.t.ascend(std::span<T>(row), std::span<const T>(grad.row(b)), eta[b]);
                o.t.project(std::span<T>(row), batch.x.row(b));
                if (k > 0)
                    for (std::size_t i = 0; i < row.size(); ++i)
                        row[i] = T(xk[i] + o.alpha * (row[i] - xk[i]) + (1 - o.alpha) * (xk[i] - prev[i]));
                o.t.project(std::span<T>(row), batch.x.row(b));
                std::copy(xk.begin(), xk.end(), prev.begin());
                std::copy(row.begin(), row.end(), xk.begin());
            }
            e = detail::evaluate(model, adv, batch, o.loss, model_gen, k + 1 < o.steps, o.eot);
            for (std::size_t b = 0; b < n; ++b) {
                rises[b] += e.loss.values[b] > last_loss[b];
                last_loss[b] = e.loss.values[b];
                const bool better = e.loss.values[b] > out.loss[b];
                if (!out.fooled[b] && (e.fooled[b] || better)) {
                    std::copy(adv.row(b).begin(), adv.row(b).end(), out.adversarial.row(b).begin());
                    out.fooled[b] = e.fooled[b], out.loss[b] = e.loss.values[b];
                }
                if (better && k + 1 < o.steps) std::copy(e.gradient.row(b).begin(), e.gradient.row(b).end(), best_grad.row(b).begin());
            }
            if (k + 1 < o.steps) grad = std::move(e.gradient);
            if (next_check < checkpoints.size() && k + 1 == checkpoints[next_check]) {
                const double window = double(checkpoints[next_check] - last_check);
                for (std::size_t b = 0; b < n; ++b) {
                    const bool rare_rises = double(rises[b]) < o.rho * window;
                    const bool stalled = !halved_at_check[b] && out.loss[b] <= best_at_check[b];
                    halved_at_check[b] = rare_rises || stalled;
                    best_at_check[b] = out.loss[b], rises[b] = 0;
                    if (!halved_at_check[b] || out.fooled[b]) continue;
                    eta[b] /= 2;
                    std::copy(out.adversarial.row(b).begin(), out.adversarial.row(b).end(), adv.row(b).begin());
                    std::copy(best_grad.row(b).begin(), best_grad.row(b).end(), grad.row(b).begin());
                    last_loss[b] = out.loss[b];
                }
                last_check = checkpoints[next_check++];
            }
        }
        return out;
    });
}

} // namespace qhybrid::robust
