// SPDX-License-Identifier: Apache-2.0
#pragma once
// k-means clustering: k-means++ seeding (Arthur & Vassilvitskii 2007) from a qhybrid::rng, then
// Lloyd's iterations until no row changes cluster or an iteration cap is reached. Deterministic:
// the same rows, k and seed give the same clusters bit for bit. Ties go to the lower index (a row
// equally near two centroids joins the first; k-means++ takes the first row whose cumulative
// weight passes the draw). A cluster left without rows keeps its centroid, as scipy's kmeans2.
// Usage:
//   rng gen(1);
//   const auto c = data::kmeans(rows, columns, 20, gen);   // c.cluster[r] in [0, 20)
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

struct kmeans_result {
    std::size_t k = 0, columns = 0;
    std::vector<double> centroids;     // [k, columns], row-major
    std::vector<std::size_t> cluster;  // per row, in [0, k)
    std::vector<std::size_t> sizes;    // rows per cluster
    std::vector<double> objective;     // per iteration: sum of squared distances of the rows to their centroids
    std::size_t iterations = 0;        // assignment steps run
    bool converged = false;            // the last assignment step changed no row
};

namespace detail {

inline double squared_distance(const double* a, const double* b, std::size_t columns) noexcept {
    double s = 0;
    for (std::size_t c = 0; c < columns; ++c) {
        const double d = a[c] - b[c];
        s += d * d;
    }
    return s;
}

inline void require_rows(std::span<const double> rows, std::size_t columns, const char* who) {
    require(columns > 0 && !rows.empty() && rows.size() % columns == 0, [&] {
        return std::string(who) + ": " + std::to_string(rows.size()) + " values are not whole rows of " +
               std::to_string(columns) + " columns";
    });
    for (std::size_t i = 0; i < rows.size(); ++i)
        require(std::isfinite(rows[i]), [&] {
            return std::string(who) + ": row " + std::to_string(i / columns) + ", column " + std::to_string(i % columns) +
                   " is " + number(rows[i]);
        });
}

inline void require_k(std::size_t rows, std::size_t k, const char* who) {
    require(k >= 1 && k <= rows, [&] {
        return std::string(who) + ": k = " + std::to_string(k) + " for " + std::to_string(rows) + " rows (needs 1 <= k <= rows)";
    });
}

} // namespace detail

// k rows drawn by k-means++: the first uniformly, each next one with probability proportional to
// its squared distance from the nearest centroid chosen so far. Needs k distinct rows.
inline std::vector<double> kmeans_plus_plus(std::span<const double> rows, std::size_t columns, std::size_t k, rng& gen) {
    detail::require_rows(rows, columns, "kmeans_plus_plus");
    detail::require_k(rows.size() / columns, k, "kmeans_plus_plus");
    const std::size_t n = rows.size() / columns;
    std::vector<double> centroids;
    centroids.reserve(k * columns);
    auto add = [&](std::size_t r) { centroids.insert(centroids.end(), rows.begin() + long(r * columns), rows.begin() + long((r + 1) * columns)); };
    add(std::size_t(gen.below(n)));
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    for (std::size_t j = 1; j < k; ++j) {
        const double* last = centroids.data() + (j - 1) * columns;
        double total = 0;
        for (std::size_t r = 0; r < n; ++r) {
            nearest[r] = std::min(nearest[r], detail::squared_distance(rows.data() + r * columns, last, columns));
            total += nearest[r];
        }
        require(total > 0, [&] {
            return "kmeans_plus_plus: k = " + std::to_string(k) + " but the rows hold only " + std::to_string(j) +
                   " distinct points";
        });
        const double draw = gen.uniform() * total;
        double cumulative = 0;
        std::size_t pick = n;
        for (std::size_t r = 0; r < n && pick == n; ++r)
            if (nearest[r] > 0 && (cumulative += nearest[r]) > draw) pick = r;
        if (pick == n) // rounding left the draw above the last sum: take the last row with weight
            for (std::size_t r = n; r-- > 0 && pick == n;)
                if (nearest[r] > 0) pick = r;
        add(pick);
    }
    return centroids;
}

// Lloyd's iterations from the given centroids: assign every row to its nearest centroid, move
// each centroid to the mean of its rows, until no row changes cluster (converged) or
// `max_iterations` assignment steps have run. The objective never increases from one step to
// the next.
inline kmeans_result lloyd(std::span<const double> rows, std::size_t columns, std::span<const double> initial_centroids,
                           std::size_t max_iterations = 300) {
    detail::require_rows(rows, columns, "lloyd");
    detail::require_rows(initial_centroids, columns, "lloyd (initial centroids)");
    require(max_iterations >= 1, [] { return std::string("lloyd: max_iterations 0; at least one step is needed"); });
    const std::size_t n = rows.size() / columns, k = initial_centroids.size() / columns;
    kmeans_result out;
    out.k = k, out.columns = columns;
    out.centroids.assign(initial_centroids.begin(), initial_centroids.end());
    out.cluster.assign(n, k); // k: no cluster yet, so the first step always counts as a change
    std::vector<double> sums(k * columns);
    while (out.iterations < max_iterations) {
        ++out.iterations;
        bool changed = false;
        double objective = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const double* x = rows.data() + r * columns;
            std::size_t best = 0;
            double best_d = detail::squared_distance(x, out.centroids.data(), columns);
            for (std::size_t j = 1; j < k; ++j) {
                const double d = detail::squared_distance(x, out.centroids.data() + j * columns, columns);
                if (d < best_d) best = j, best_d = d;
            }
            changed |= out.cluster[r] != best;
            out.cluster[r] = best;
            objective += best_d;
        }
        out.objective.push_back(objective);
        if (!changed) {
            out.converged = true;
            break;
        }
        std::fill(sums.begin(), sums.end(), 0.0);
        out.sizes.assign(k, 0);
        for (std::size_t r = 0; r < n; ++r) {
            const std::size_t j = out.cluster[r];
            ++out.sizes[j];
            for (std::size_t c = 0; c < columns; ++c) sums[j * columns + c] += rows[r * columns + c];
        }
        for (std::size_t j = 0; j < k; ++j)
            if (out.sizes[j] > 0) // an empty cluster keeps its centroid
                for (std::size_t c = 0; c < columns; ++c) out.centroids[j * columns + c] = sums[j * columns + c] / double(out.sizes[j]);
    }
    out.sizes.assign(k, 0);
    for (std::size_t j : out.cluster) ++out.sizes[j];
    return out;
}

// k-means++ seeding from `gen`, then Lloyd's iterations.
inline kmeans_result kmeans(std::span<const double> rows, std::size_t columns, std::size_t k, rng& gen,
                            std::size_t max_iterations = 300) {
    detail::require_rows(rows, columns, "kmeans");
    detail::require_k(rows.size() / columns, k, "kmeans");
    require(max_iterations >= 1, [] { return std::string("kmeans: max_iterations 0; at least one step is needed"); });
    const auto start = kmeans_plus_plus(rows, columns, k, gen);
    return lloyd(rows, columns, start, max_iterations);
}

} // namespace qhybrid::data
