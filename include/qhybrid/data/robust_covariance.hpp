// SPDX-License-Identifier: Apache-2.0
#pragma once
// A robust location and covariance of rows of features, and the Mahalanobis distance it defines:
// the minimum covariance determinant estimator (MCD) by FastMCD's concentration steps (Rousseeuw
// and Van Driessen 1999), then the consistency correction and one reweighting step as in
// scikit-learn's MinCovDet. A plain covariance is dragged by the very outliers it should expose;
// the MCD is fitted on the h rows whose covariance has the smallest determinant (h = 75% of the
// rows by default, so up to a quarter of them may be anything).
//
// FastMCD: from `starts` random subsets of p + 1 rows, each C-step takes the h rows nearest to the
// current estimate and refits on them, which never raises the determinant; two steps per start,
// then the 10 best run to convergence. Deterministic for a given generator state.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

struct mcd_options {
    double support_fraction = 0.75; // h / n
    std::size_t starts = 30;
};

class robust_covariance {
public:
    robust_covariance() = default;
    // From a location and the lower Cholesky factor L (covariance L L^T), e.g. as saved.
    robust_covariance(std::vector<double> location, std::vector<double> cholesky) : location_(std::move(location)), l_(std::move(cholesky)) {
        const std::size_t p = location_.size();
        require(p > 0 && l_.size() == p * p, [&] {
            return "robust_covariance: a location of " + std::to_string(p) + " values needs a " + std::to_string(p) + " x " +
                   std::to_string(p) + " Cholesky factor, got " + std::to_string(l_.size()) + " values";
        });
        for (std::size_t i = 0; i < p; ++i) {
            require(std::isfinite(location_[i]), [&] { return "robust_covariance: location " + std::to_string(i) + " is " + number(location_[i]); });
            require(l_[i * p + i] > 0 && std::isfinite(l_[i * p + i]),
                    [&] { return "robust_covariance: Cholesky diagonal " + std::to_string(i) + " is " + number(l_[i * p + i]); });
            for (std::size_t j = 0; j < p; ++j)
                require(std::isfinite(l_[i * p + j]) && (j <= i || l_[i * p + j] == 0),
                        [&] { return "robust_covariance: the Cholesky factor is not lower triangular and finite at (" +
                                     std::to_string(i) + ", " + std::to_string(j) + ")"; });
        }
    }

    std::size_t dimension() const noexcept { return location_.size(); }
    const std::vector<double>& location() const noexcept { return location_; }
    const std::vector<double>& cholesky() const noexcept { return l_; }

    // (x - mu)^T Sigma^-1 (x - mu) = |L^-1 (x - mu)|^2.
    double distance2(std::span<const double> x) const {
        const std::size_t p = dimension();
        require(x.size() == p, [&] { return "robust_covariance: a row of " + std::to_string(x.size()) + " values, expected " + std::to_string(p); });
        double sum = 0;
        std::vector<double> y(p);
        for (std::size_t i = 0; i < p; ++i) {
            double v = x[i] - location_[i];
            for (std::size_t j = 0; j < i; ++j) v -= l_[i * p + j] * y[j];
            y[i] = v / l_[i * p + i];
            sum += y[i] * y[i];
        }
        return sum;
    }

private:
    std::vector<double> location_, l_;
};

namespace detail {

// Mean and lower Cholesky factor of the covariance (divided by m) of the rows `which`; nullopt
// when the covariance is not positive definite (a pivot below 1e-12 of its feature's mean square).
struct gaussian_fit {
    std::vector<double> mean, l;
    double log_det = 0;
};

inline std::optional<gaussian_fit> fit_gaussian(std::span<const double> rows, std::size_t p, std::span<const std::size_t> which) {
    gaussian_fit g{std::vector<double>(p, 0.0), std::vector<double>(p * p, 0.0)};
    const double m = double(which.size());
    for (auto r : which)
        for (std::size_t j = 0; j < p; ++j) g.mean[j] += rows[r * p + j] / m;
    std::vector<double> cov(p * p, 0.0);
    for (auto r : which)
        for (std::size_t i = 0; i < p; ++i) {
            const double di = rows[r * p + i] - g.mean[i];
            for (std::size_t j = 0; j <= i; ++j) cov[i * p + j] += di * (rows[r * p + j] - g.mean[j]) / m;
        }
    for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double v = cov[i * p + j];
            for (std::size_t k = 0; k < j; ++k) v -= g.l[i * p + k] * g.l[j * p + k];
            if (i == j) {
                // Relative to the feature's magnitude: a constant feature leaves rounding noise.
                if (!(v > 1e-12 * (cov[i * p + i] + g.mean[i] * g.mean[i]) && v > 0)) return std::nullopt;
                g.l[i * p + i] = std::sqrt(v);
                g.log_det += 2 * std::log(g.l[i * p + i]);
            } else {
                g.l[i * p + j] = v / g.l[j * p + j];
            }
        }
    return g;
}

// Squared distances of every row from a fit.
inline std::vector<double> distances2(std::span<const double> rows, std::size_t p, const gaussian_fit& g) {
    const robust_covariance c(g.mean, g.l);
    std::vector<double> d(rows.size() / p);
    for (std::size_t r = 0; r < d.size(); ++r) d[r] = c.distance2(rows.subspan(r * p, p));
    return d;
}

// The h rows nearest to a fit.
inline std::vector<std::size_t> nearest(const std::vector<double>& d2, std::size_t h) {
    std::vector<std::size_t> order(d2.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(h - 1), order.end(),
                     [&](std::size_t a, std::size_t b) { return d2[a] < d2[b] || (d2[a] == d2[b] && a < b); });
    order.resize(h);
    std::sort(order.begin(), order.end()); // the fit's sums run in row order: the same bits on every run
    return order;
}

// The quantile of the chi-squared distribution with p degrees of freedom at the standard normal
// quantile z, by Wilson and Hilferty's cube-root approximation (relative error below 1e-3 for
// p >= 10 at the median and at 97.5%).
inline double chi2_quantile(double z, std::size_t p) {
    const double k = double(p), c = 2 / (9 * k);
    return k * std::pow(1 - c + z * std::sqrt(c), 3);
}

inline double median(std::vector<double> v) {
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(mid), v.end());
    const double upper = v[mid];
    if (v.size() % 2) return upper;
    return (*std::max_element(v.begin(), v.begin() + std::ptrdiff_t(mid)) + upper) / 2;
}

// Scales a fit's covariance by `factor` (its Cholesky factor by sqrt(factor)).
inline void scale_covariance(gaussian_fit& g, double factor) {
    for (auto& v : g.l) v *= std::sqrt(factor);
}

} // namespace detail

// Fits the MCD to row-major `rows` of `columns` features. Needs more rows than 2 x columns.
inline robust_covariance fit_mcd(std::span<const double> rows, std::size_t columns, rng& gen, const mcd_options& o = {}) {
    const std::size_t p = columns, n = p ? rows.size() / p : 0;
    require(p > 0 && rows.size() == n * p && n > 2 * p, [&] {
        return "fit_mcd: " + std::to_string(rows.size()) + " values as rows of " + std::to_string(p) +
               " features; the MCD needs whole rows and more than 2 x " + std::to_string(p) + " of them";
    });
    for (std::size_t i = 0; i < rows.size(); ++i)
        require(std::isfinite(rows[i]), [&] {
            return "fit_mcd: row " + std::to_string(i / p) + ", feature " + std::to_string(i % p) + " is " + number(rows[i]);
        });
    require(o.support_fraction >= 0.5 && o.support_fraction <= 1 && o.starts >= 1, [&] {
        return "fit_mcd: support fraction " + number(o.support_fraction) + " is not in [0.5, 1], or no starts";
    });
    const std::size_t h = std::max(p + 1, std::size_t(std::ceil(o.support_fraction * double(n))));

    // A C-step: the fit on the h rows nearest to g (nullopt if their covariance is singular).
    auto c_step = [&](const detail::gaussian_fit& g) { return detail::fit_gaussian(rows, p, detail::nearest(detail::distances2(rows, p, g), h)); };
    // C-steps from a fit on h rows while the determinant falls (at most `steps`).
    auto concentrate = [&](detail::gaussian_fit g, std::size_t steps) {
        for (std::size_t s = 0; s < steps; ++s) {
            auto next = c_step(g);
            if (!next || next->log_det >= g.log_det) break;
            g = std::move(*next);
        }
        return g;
    };

    std::vector<detail::gaussian_fit> candidates;
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    for (std::size_t s = 0; s < o.starts; ++s) {
        // A random subset of p + 1 rows, grown until its covariance is positive definite.
        gen.shuffle(std::span<std::size_t>(all));
        std::optional<detail::gaussian_fit> start;
        for (std::size_t m = p + 1; !start && m <= n; m = std::min(n, 2 * m)) {
            std::vector<std::size_t> subset(all.begin(), all.begin() + std::ptrdiff_t(m));
            std::sort(subset.begin(), subset.end());
            start = detail::fit_gaussian(rows, p, subset);
            if (m == n) break;
        }
        require(start.has_value(), [&] {
            return "fit_mcd: the " + std::to_string(n) + " rows span fewer than " + std::to_string(p) +
                   " dimensions (a constant or collinear feature); drop it first";
        });
        // The first step from the small subset is always taken: only fits on h rows compare.
        if (auto first = c_step(*start)) candidates.push_back(concentrate(std::move(*first), 1));
    }
    require(!candidates.empty(), [&] {
        return "fit_mcd: every start led to a singular covariance: the rows span fewer than " + std::to_string(p) + " dimensions";
    });
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.log_det < b.log_det; });
    candidates.resize(std::min<std::size_t>(10, candidates.size()));
    detail::gaussian_fit best = concentrate(candidates.front(), 100);
    for (std::size_t c = 1; c < candidates.size(); ++c) {
        auto g = concentrate(candidates[c], 100);
        if (g.log_det < best.log_det) best = std::move(g);
    }

    // Consistency: the median squared distance of Gaussian rows is chi2_p's median. Then refit on
    // the rows within chi2_p's 97.5% quantile and correct once more.
    const double median_chi2 = detail::chi2_quantile(0.0, p), cutoff = detail::chi2_quantile(1.959963984540054, p);
    detail::scale_covariance(best, detail::median(detail::distances2(rows, p, best)) / median_chi2);
    const auto d2 = detail::distances2(rows, p, best);
    std::vector<std::size_t> kept;
    for (std::size_t r = 0; r < n; ++r)
        if (d2[r] <= cutoff) kept.push_back(r);
    if (auto reweighted = kept.size() > p ? detail::fit_gaussian(rows, p, kept) : std::nullopt) {
        detail::scale_covariance(*reweighted, detail::median(detail::distances2(rows, p, *reweighted)) / median_chi2);
        best = std::move(*reweighted);
    }
    return robust_covariance(std::move(best.mean), std::move(best.l));
}

} // namespace qhybrid::data
