// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Square attack (Andriushchenko, Croce, Flammarion & Hein, ECCV 2020): random search that needs
// only the model's outputs, so gradient masking cannot stop it. Each query changes a window of side
// s at a random place and keeps the change if the loss grows (or the sample is fooled).
// s = round(sqrt(p H W)), p halving from p_init at 10, 50, 200, 500, 1000, 2000, 4000, 6000 and
// 8000 of 10,000 queries (rescaled to the budget). Inputs are [batch, C, H, W], [batch, H, W] or
// [batch, D]; for the last the windows are runs of round(p D) features.
// - L-inf (Algorithms 1-2): start at vertical stripes (each column of each channel at x +- epsilon);
//   a query sets its window (s at least 1, at most H - 1) to x +- epsilon with one random sign per
//   channel, redrawn while the window would not change.
// - L2 (Algorithm 3): start at a grid of min(H, W) / 5-sided tiles, each a signed square_profile,
//   scaled to norm epsilon. A query draws two windows (s at least 3, odd, at most min(H, W)): per
//   channel the perturbation's mass in both moves into the first, as a new signed profile plus the
//   first window's old content (each of unit norm), with what the box clipped off the budget
//   restored; the second window is cleared; the whole is rescaled to norm epsilon and clipped.
// Defaults are AutoAttack's: 5,000 queries, p_init 0.8, the margin loss. A sample stops once
// fooled; every query of a sample draws from its own stream (seed, id), windows included (the
// authors draw one window for the whole batch).
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct square_options {
    threat t;
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

// The L2 attack's "pseudo-Gaussian" bump, of unit norm, row-major `rows` x `cols`: at Chebyshev
// distance m from the centre (rows / 2, cols / 2), sum_{k = m}^{K - 1} 1 / (k + 1)^2 with
// K = max(rows, cols) / 2 + 1 (the paper's concentric rectangles of weight 1 / (k + 1)^2).
inline std::vector<double> square_bump(std::size_t rows, std::size_t cols) {
    std::vector<double> out(rows * cols);
    const std::size_t ci = rows / 2, cj = cols / 2, rings = std::max(rows, cols) / 2 + 1;
    double length = 0;
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const std::size_t m = std::max(i > ci ? i - ci : ci - i, j > cj ? j - cj : cj - j);
            double& v = out[i * cols + j];
            for (std::size_t k = m; k < rings; ++k) v += 1.0 / double((k + 1) * (k + 1));
            length += v * v;
        }
    for (double& v : out) v /= std::sqrt(length);
    return out;
}

// The L2 attack's window content, of unit norm, row-major `rows` x `cols`: a bump on the upper
// rows / 2 rows and minus a bump on the others; `transposed` splits it into left and right halves
// instead (tests/reference/square_reference.csv has the authors' values of both).
inline std::vector<double> square_profile(std::size_t rows, std::size_t cols, bool transposed = false) {
    if (transposed) {
        const auto t = square_profile(cols, rows);
        std::vector<double> out(t.size());
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) out[i * cols + j] = t[j * rows + i];
        return out;
    }
    const std::size_t upper = rows / 2;
    auto out = square_bump(upper, cols);
    for (double v : square_bump(rows - upper, cols)) out.push_back(-v);
    const double scale = 1 / std::sqrt(2.0 - (upper == 0)); // two unit halves, or one
    for (double& v : out) v *= scale;
    return out;
}

namespace detail {

// Where a sample's features sit: [C, H, W] (H = 1 for [D]).
struct square_geometry {
    std::size_t channels, height, width;
    std::size_t at(std::size_t c, std::size_t h, std::size_t w) const { return (c * height + h) * width + w; }
    bool flat() const { return height == 1; }
    // The side of the windows for a fraction p of the features, between `least` and `most`.
    std::size_t side(double p, std::size_t least, std::size_t most) const {
        const double s = flat() ? p * double(width) : std::sqrt(p * double(height * width));
        const std::size_t hi = std::max(most, std::size_t{1});
        return std::clamp<std::size_t>(std::size_t(std::llround(s)), std::min(least, hi), hi);
    }
};

// x + delta scaled to norm epsilon, in the box.
template <class T>
void place_l2(std::span<T> out, std::span<const T> x, const std::vector<double>& delta, const threat& t) {
    double length = 0;
    for (double v : delta) length += v * v;
    const double scale = length > 0 ? t.epsilon / std::sqrt(length) : 0;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::clamp(T(double(x[i]) + scale * delta[i]), T(t.lo), T(t.hi));
}

// The L2 start: tiles of side min(H, W) / 5 (at least 1) centred on the input, each a profile with
// a random sign per channel (a random orientation per tile), scaled to norm epsilon.
template <class T>
void square_l2_start(std::span<T> out, std::span<const T> x, const square_geometry& g, const threat& t, rng& gen) {
    std::vector<double> delta(x.size());
    const std::size_t tile = std::max<std::size_t>((g.flat() ? g.width : std::min(g.height, g.width)) / 5, 1);
    const std::size_t tile_rows = g.flat() ? 1 : tile, across = g.height / tile_rows, along = g.width / tile;
    const std::size_t top = (g.height - across * tile_rows) / 2, left = (g.width - along * tile) / 2;
    for (std::size_t i = 0; i < across; ++i)
        for (std::size_t j = 0; j < along; ++j) {
            const auto shape = square_profile(tile_rows, tile, g.flat() || gen.uniform() < 0.5);
            for (std::size_t c = 0; c < g.channels; ++c) {
                const double sign = gen.uniform() < 0.5 ? -1.0 : 1.0;
                for (std::size_t h = 0; h < tile_rows; ++h)
                    for (std::size_t w = 0; w < tile; ++w)
                        delta[g.at(c, top + i * tile_rows + h, left + j * tile + w)] = sign * shape[h * tile + w];
            }
        }
    place_l2(out, x, delta, t);
}

// An L2 query's candidate from the current point `current` (Algorithm 3, see the header).
template <class T>
void square_l2_query(std::span<T> out, std::span<const T> x, std::span<const T> current, const square_geometry& g, const threat& t,
                     double p, rng& gen) {
    const std::size_t most = g.flat() ? g.width : std::min(g.height, g.width);
    std::size_t side = g.side(p, 3, most);
    if (side % 2 == 0 && side < most) ++side;
    side = std::min(side, most);
    const std::size_t rows = g.flat() ? 1 : side;
    const std::size_t top1 = g.flat() ? 0 : gen.below(g.height - side + 1), left1 = gen.below(g.width - side + 1);
    const std::size_t top2 = g.flat() ? 0 : gen.below(g.height - side + 1), left2 = gen.below(g.width - side + 1);
    auto in = [&](std::size_t top, std::size_t left, std::size_t h, std::size_t w) {
        return h >= top && h < top + rows && w >= left && w < left + side;
    };
    std::vector<double> delta(x.size());
    double total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) delta[i] = double(current[i]) - double(x[i]), total += delta[i] * delta[i];
    const auto shape = square_profile(rows, side, g.flat() || gen.uniform() < 0.5);
    const double spare = std::max(t.epsilon * t.epsilon - total, 0.0) / double(g.channels);
    for (std::size_t c = 0; c < g.channels; ++c) {
        double first = 0, both = 0;
        for (std::size_t h = 0; h < g.height; ++h)
            for (std::size_t w = 0; w < g.width; ++w) {
                const double d2 = delta[g.at(c, h, w)] * delta[g.at(c, h, w)];
                if (in(top1, left1, h, w)) first += d2;
                if (in(top1, left1, h, w) || in(top2, left2, h, w)) both += d2;
            }
        const double sign = gen.uniform() < 0.5 ? -1.0 : 1.0, old_scale = 1 / (1e-10 + std::sqrt(first));
        std::vector<double> update(rows * side);
        double length = 0;
        for (std::size_t h = 0; h < rows; ++h)
            for (std::size_t w = 0; w < side; ++w) {
                double& u = update[h * side + w];
                u = sign * shape[h * side + w] + delta[g.at(c, top1 + h, left1 + w)] * old_scale;
                length += u * u;
            }
        const double scale = length > 0 ? std::sqrt((spare + both) / length) : 0;
        for (std::size_t h = top2; h < top2 + rows; ++h)
            for (std::size_t w = left2; w < left2 + side; ++w) delta[g.at(c, h, w)] = 0;
        for (std::size_t h = 0; h < rows; ++h)
            for (std::size_t w = 0; w < side; ++w) delta[g.at(c, top1 + h, left1 + w)] = update[h * side + w] * scale;
    }
    place_l2(out, x, delta, t);
}

// An L-inf query's candidate: a window of `current` set to x +- epsilon (one sign per channel).
template <class T>
void square_linf_query(std::span<T> out, std::span<const T> x, std::span<const T> current, const square_geometry& g, const threat& t,
                       double p, rng& gen) {
    const std::size_t side = g.side(p, 1, (g.flat() ? g.width : std::min(g.height, g.width)) - 1), rows = g.flat() ? 1 : side;
    const std::size_t top = g.flat() ? 0 : gen.below(g.height - side + 1), left = gen.below(g.width - side + 1);
    std::copy(current.begin(), current.end(), out.begin());
    for (int attempt = 0; attempt < 100; ++attempt) { // a window that changes nothing wastes a query
        bool changed = false;
        for (std::size_t c = 0; c < g.channels; ++c) {
            const double sign = gen.uniform() < 0.5 ? -t.epsilon : t.epsilon;
            for (std::size_t h = top; h < top + rows; ++h)
                for (std::size_t w = left; w < left + side; ++w) {
                    const std::size_t i = g.at(c, h, w);
                    out[i] = std::clamp(T(x[i] + sign), T(t.lo), T(t.hi));
                    changed |= out[i] != current[i];
                }
        }
        if (changed) break;
    }
}

} // namespace detail

template <attack_model M, class T = typename M::value_type>
attack_result<T> square(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const square_options& o) {
    detail::check_attack_input(x, labels, o.targets, o.t, "square");
    require(o.queries > 0 && o.p_init > 0 && o.p_init <= 1 && o.eot > 0, [&] {
        return "square: " + std::to_string(o.queries) + " queries, p_init " + number(o.p_init) + ", " + std::to_string(o.eot) +
               " EOT draws (needs queries and draws >= 1, p_init in (0, 1])";
    });
    const auto& s = x.shape();
    const detail::square_geometry g{s.size() == 4 ? s[1] : 1, s.size() >= 3 ? s[s.size() - 2] : 1, s.back()};
    require(g.channels * g.height * g.width == x.row_size(),
            [&] { return "square: inputs of shape " + nn::to_string(s) + " are not [batch, C, H, W], [batch, H, W] or [batch, D]"; });
    const bool l2 = o.t.p == norm::l2;
    const std::size_t n = labels.size();
    const std::vector<std::uint64_t> ids = [&] {
        std::vector<std::uint64_t> v(n);
        for (std::size_t b = 0; b < n; ++b) v[b] = o.first_sample + b;
        return v;
    }();
    rng model_gen = detail::model_stream(o.seed, 0);
    std::vector<rng> gens;
    for (std::size_t b = 0; b < n; ++b) gens.push_back(rng::stream(o.seed, ids[b], 0));

    attack_result<T> out{x, {}, {}};
    for (std::size_t b = 0; b < n; ++b) {
        if (l2) {
            detail::square_l2_start(out.adversarial.row(b), x.row(b), g, o.t, gens[b]);
            continue;
        }
        for (std::size_t c = 0; c < g.channels; ++c) // vertical stripes
            for (std::size_t w = 0; w < g.width; ++w) {
                const double sign = gens[b].uniform() < 0.5 ? -o.t.epsilon : o.t.epsilon;
                for (std::size_t h = 0; h < g.height; ++h)
                    out.adversarial.row(b)[g.at(c, h, w)] = std::clamp(T(x.row(b)[g.at(c, h, w)] + sign), T(o.t.lo), T(o.t.hi));
            }
    }
    auto e = detail::evaluate(model, out.adversarial, attack_batch<T>{x, labels, o.targets, ids}, o.loss, model_gen, false, o.eot);
    out.fooled = std::move(e.fooled), out.loss = std::move(e.loss.values);
    out.forward_evaluations = n * o.eot;
    for (std::size_t i = 1; i < o.queries; ++i) {
        std::vector<std::size_t> rows;
        for (std::size_t b = 0; b < n; ++b)
            if (!out.fooled[b]) rows.push_back(b);
        if (rows.empty()) break;
        const double p = square_fraction(o.p_init, i, o.queries);
        nn::tensor<T> candidate = nn::gather_rows(out.adversarial, rows);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const std::size_t b = rows[r];
            const std::span<const T> current = out.adversarial.row(b);
            if (l2) detail::square_l2_query(candidate.row(r), x.row(b), current, g, o.t, p, gens[b]);
            else detail::square_linf_query(candidate.row(r), x.row(b), current, g, o.t, p, gens[b]);
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
