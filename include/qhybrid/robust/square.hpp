// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Square attack, L-inf (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020, Algorithms 1-2):
// random search that needs only the model's outputs, so gradient masking cannot stop it.
// Start at vertical stripes (each column of each channel at x +- epsilon); then, per query,
// draw a window of side s at a random place, set it to x +- epsilon with one random sign per
// channel (redrawn while the window would not change), and keep the change if the loss grows.
// s = round(sqrt(p H W)) (at least 1, at most H - 1), p halving from p_init at 10, 50, 200, 500,
// 1000, 2000, 4000, 6000 and 8000 of 10,000 queries (rescaled to the budget). Inputs are
// [batch, C, H, W], [batch, H, W] or [batch, D]; for the last the windows are runs of
// round(p D) features. Defaults are AutoAttack's: 5,000 queries, p_init 0.8, the margin loss.
// A sample stops once fooled; every query of a sample draws from its own stream (seed, id).
#include "qhybrid/robust/attack.hpp"


namespace qhybrid::robust {

struct square_options {
    threat t; // L-inf
    std::size_t queries = 5000;
    double p_init = 0.8;
    attack_loss loss = attack_loss::margin;
    std::span<const std::size_t> targets = {};
    std::size_t eot = 1; // draws of a random model's randomness averaged per query
    std::uint64_t seed = 0;
    std::uint64_t first_sample = 0;
};

// The fraction of features a query changes at query `i` of `n`.
inline double square_fraction(double p_init, std::size_t i, std::size_t n) {
    const std::size_t at = std::size_t(double(i) / double(n) * 10000);
    double p = p_init;
    for (std::size_t threshold : {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000})
        if (at > threshold) p /= 2;
    return p;
}

template <attack_model M, class T = typename M::value_type>
attack_result<T> square(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const square_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "square");
    require(o.t.p == norm::linf && o.queries > 0 && o.p_init > 0 && o.p_init <= 1 && o.eot > 0, [&] {
        return "square: " + std::string(to_string(o.t.p)) + ", " + std::to_string(o.queries) + " queries, p_init " + number(o.p_init) +
               ", " + std::to_string(o.eot) + " EOT draws (implemented for L-inf; needs queries and draws >= 1, p_init in (0, 1])";
    });
    const auto& s = x.shape();
    const std::size_t channels = s.size() == 4 ? s[1] : 1, height = s.size() >= 3 ? s[s.size() - 2] : 1, width = s.back();
    require(channels * height * width == x.row_size(), [&] { return "square: inputs of shape " + nn::to_string(s) + " are not [batch, C, H, W], [batch, H, W] or [batch, D]"; });
    const std::size_t n = labels.size();
    const std::vector<std::uint64_t> ids = [&] {
        std::vector<std::uint64_t> v(n);
        for (std::size_t b = 0; b < n; ++b) v[b] = o.first_sample + b;
        return v;
    }();
    rng model_gen = detail::model_stream(o.seed, 0);
    std::vector<rng> gens;
    for (std::size_t b = 0; b < n; ++b) gens.push_back(rng::stream(o.seed, ids[b], 0));
    auto at = [&](std::size_t c, std::size_t h, std::size_t w) { return (c * height + h) * width + w; };
    const double eps = o.t.epsilon;

    attack_result<T> out{x, {}, {}};
    for (std::size_t b = 0; b < n; ++b) // vertical stripes
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t w = 0; w < width; ++w) {
                const double sign = gens[b].uniform() < 0.5 ? -eps : eps;
                for (std::size_t h = 0; h < height; ++h)
                    out.adversarial.row(b)[at(c, h, w)] = std::clamp(T(x.row(b)[at(c, h, w)] + sign), T(o.t.lo), T(o.t.hi));
            }
    auto e = detail::evaluate(model, out.adversarial, attack_batch<T>{x, labels, o.targets, ids}, o.loss, model_gen, false, o.eot);
    out.fooled = std::move(e.fooled), out.loss = std::move(e.loss.values);
    out.forward_evaluations = n * o.eot;
    const bool flat = height == 1;
    for (std::size_t i = 1; i < o.queries; ++i) {
        std::vector<std::size_t> rows;
        for (std::size_t b = 0; b < n; ++b)
            if (!out.fooled[b]) rows.push_back(b);
        if (rows.empty()) break;
        const double p = square_fraction(o.p_init, i, o.queries);
        const std::size_t side = flat ? std::clamp<std::size_t>(std::size_t(std::llround(p * double(width))), 1, std::max<std::size_t>(width - 1, 1))
                                      : std::clamp<std::size_t>(std::size_t(std::llround(std::sqrt(p * double(height * width)))), 1,
                                                                std::max<std::size_t>(std::min(height, width) - 1, 1));
        nn::tensor<T> candidate = nn::gather_rows(out.adversarial, rows);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const std::size_t b = rows[r];
            rng& gen = gens[b];
            const std::size_t top = flat ? 0 : std::size_t(gen.below(height - side + 1)), left = std::size_t(gen.below(width - side + 1));
            const std::size_t rows_in_window = flat ? 1 : side;
            for (int attempt = 0; attempt < 100; ++attempt) { // a window that changes nothing wastes a query
                bool changed = false;
                for (std::size_t c = 0; c < channels; ++c) {
                    const double sign = gen.uniform() < 0.5 ? -eps : eps;
                    for (std::size_t h = top; h < top + rows_in_window; ++h)
                        for (std::size_t w = left; w < left + side; ++w) {
                            const T v = std::clamp(T(x.row(b)[at(c, h, w)] + sign), T(o.t.lo), T(o.t.hi));
                            changed |= v != out.adversarial.row(b)[at(c, h, w)];
                            candidate.row(r)[at(c, h, w)] = v;
                        }
                }
                if (changed) break;
            }
        }
        std::vector<std::size_t> sub_labels, sub_targets;
        std::vector<std::uint64_t> sub_ids;
        for (std::size_t b : rows) {
            sub_labels.push_back(labels[b]), sub_ids.push_back(ids[b]);
            if (!o.targets.empty()) sub_targets.push_back(o.targets[b]);
        }
        const nn::tensor<T> clean = nn::gather_rows(x, rows);
        const auto q = detail::evaluate(model, candidate, attack_batch<T>{clean, sub_labels, sub_targets, sub_ids}, o.loss, model_gen, false, o.eot);
        out.forward_evaluations += rows.size() * o.eot;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const std::size_t b = rows[r];
            if (!(q.loss.values[r] > out.loss[b]) && !q.fooled[r]) continue;
            std::copy(candidate.row(r).begin(), candidate.row(r).end(), out.adversarial.row(b).begin());
            out.loss[b] = q.loss.values[r], out.fooled[b] = q.fooled[r];
        }
    }
    return out;
}

} // namespace qhybrid::robust
