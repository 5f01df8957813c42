// SPDX-License-Identifier: Apache-2.0
#pragma once
// The two distributions the reports need: Student's t (intervals and paired tests over seeds) and
// the binomial (McNemar's exact test, a run's accuracy against chance). Written from the
// definitions: t's CDF through the regularised incomplete beta function, evaluated by its
// continued fraction (modified Lentz); the quantile by bisection on the CDF, which is monotone, so
// it converges to the last bit; the binomial CDF as a sum of probabilities in logarithms.
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace qhybrid::stats {

namespace detail {

// The continued fraction of I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2)).
inline double beta_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-16;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (std::abs(d) < tiny ? tiny : d);
    double f = d;
    for (int m = 1; m <= 10000; ++m) {
        for (int half = 0; half < 2; ++half) {
            // d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)), d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
            const double num = half == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                                         : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d;
            d = 1 / (std::abs(d) < tiny ? tiny : d);
            c = 1 + num / c;
            if (std::abs(c) < tiny) c = tiny;
            const double step = c * d;
            f *= step;
            if (half == 1 && std::abs(step - 1) < eps) return f;
        }
    }
    return f;
}

} // namespace detail

// I_x(a, b), the regularised incomplete beta function, for a, b > 0 and 0 <= x <= 1.
inline double incomplete_beta(double a, double b, double x) {
    require(a > 0 && b > 0 && x >= 0 && x <= 1,
            [&] { return "incomplete_beta: needs a, b > 0 and 0 <= x <= 1, not a = " + number(a) + ", b = " + number(b) + ", x = " + number(x); });
    if (x == 0 || x == 1) return x;
    const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return std::exp(log_front) * detail::beta_fraction(a, b, x) / a;
    return 1 - std::exp(log_front) * detail::beta_fraction(b, a, 1 - x) / b;
}

// P(T <= t) for Student's t with `dof` degrees of freedom.
inline double student_t_cdf(double t, double dof) {
    require(dof > 0 && !std::isnan(t), [&] { return "student_t_cdf: needs dof > 0 and a number, not dof = " + number(dof) + ", t = " + number(t); });
    if (std::isinf(t)) return t > 0 ? 1 : 0;
    const double tail = 0.5 * incomplete_beta(dof / 2, 0.5, dof / (dof + t * t)); // P(T > |t|)
    return t > 0 ? 1 - tail : tail;
}

// The t with P(T <= t) = p.
inline double student_t_quantile(double p, double dof) {
    require(p > 0 && p < 1 && dof > 0, [&] { return "student_t_quantile: needs 0 < p < 1 and dof > 0, not p = " + number(p) + ", dof = " + number(dof); });
    if (p == 0.5) return 0;
    if (p < 0.5) return -student_t_quantile(1 - p, dof);
    double low = 0, high = 1;
    while (student_t_cdf(high, dof) < p) high *= 2; // finite: the CDF reaches p < 1
    for (int i = 0; i < 200 && high - low > 4 * std::numeric_limits<double>::epsilon() * high; ++i) {
        const double mid = 0.5 * (low + high);
        (student_t_cdf(mid, dof) < p ? low : high) = mid;
    }
    return 0.5 * (low + high);
}

// P(X <= k) for X ~ Binomial(n, p).
inline double binomial_cdf(std::size_t k, std::size_t n, double p) {
    require(p >= 0 && p <= 1, [&] { return "binomial_cdf: p must lie in [0, 1], not " + number(p); });
    if (k >= n) return 1;
    if (p == 0) return 1;
    if (p == 1) return 0;
    const double log_n = std::lgamma(double(n) + 1), lp = std::log(p), lq = std::log1p(-p);
    double sum = 0;
    for (std::size_t i = 0; i <= k; ++i)
        sum += std::exp(log_n - std::lgamma(double(i) + 1) - std::lgamma(double(n - i) + 1) + double(i) * lp + double(n - i) * lq);
    return std::min(sum, 1.0);
}

} // namespace qhybrid::stats
