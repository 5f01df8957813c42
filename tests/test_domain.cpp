// The training-domain summary: the MCD (data/robust_covariance.hpp) against known Gaussians,
// clean and with a fifth of the rows replaced by outliers (where the plain mean and covariance
// fail), its affine equivariance, the chi-squared quantiles against scipy; the domain test's
// false-alarm rate on fresh rows of the training distribution, and its explanations.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/data/domain.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace d = qhybrid::data;
using Catch::Contains;

namespace {

constexpr std::size_t p = 5;

// A fixed mixing matrix A (lower triangular, positive diagonal): rows are mu + A z, z ~ N(0, I),
// so the covariance is A A^T and its Cholesky factor A itself.
const double mixing[p * p] = {2.0,  0,   0,    0,   0,   //
                              0.5,  1.0, 0,    0,   0,   //
                              -1.0, 0.3, 0.5,  0,   0,   //
                              0.2,  0.1, -0.4, 3.0, 0,   //
                              1.0,  -2., 0.3,  0.2, 0.7};
const double mu[p] = {1, -2, 0.5, 10, 0};

std::vector<double> gaussian_rows(std::size_t n, qhybrid::rng& gen) {
    std::vector<double> rows(n * p);
    for (std::size_t r = 0; r < n; ++r) {
        double z[p];
        for (auto& v : z) v = gen.normal();
        for (std::size_t i = 0; i < p; ++i) {
            double v = mu[i];
            for (std::size_t j = 0; j <= i; ++j) v += mixing[i * p + j] * z[j];
            rows[r * p + i] = v;
        }
    }
    return rows;
}

// The standard deviation of feature i: the norm of row i of A.
double sd(std::size_t i) {
    double s = 0;
    for (std::size_t j = 0; j <= i; ++j) s += mixing[i * p + j] * mixing[i * p + j];
    return std::sqrt(s);
}

// Squared Mahalanobis distance under the true mu and A A^T.
double true_distance2(std::span<const double> x) {
    return d::robust_covariance(std::vector<double>(mu, mu + p), std::vector<double>(mixing, mixing + p * p)).distance2(x);
}

} // namespace

TEST_CASE("chi2_quantile: Wilson-Hilferty within 1e-3 of scipy") {
    // scipy.stats.chi2.ppf(q, p), scipy 1.10.
    const struct {
        std::size_t p;
        double median, upper;
    } cases[] = {{10, 9.34181776559197, 20.483177350807388},
                 {26, 25.336458117477264, 41.92317009635392},
                 {50, 49.33493673397683, 71.42019518750642}};
    for (const auto& c : cases) {
        CHECK(d::detail::chi2_quantile(0.0, c.p) == Approx(c.median).epsilon(1e-3));
        CHECK(d::detail::chi2_quantile(1.959963984540054, c.p) == Approx(c.upper).epsilon(1e-3));
    }
}

TEST_CASE("fit_mcd: a clean Gaussian gives its mean and covariance") {
    // 4,000 rows: the location lands within 0.1 sd of mu (about 5 standard errors of the
    // reweighted MCD) and the distances within 6% of the true ones on average.
    qhybrid::rng gen(1);
    const auto rows = gaussian_rows(4000, gen);
    qhybrid::rng fit_gen(2);
    const auto mcd = d::fit_mcd(rows, p, fit_gen);
    for (std::size_t i = 0; i < p; ++i) CHECK(mcd.location()[i] == Approx(mu[i]).margin(0.1 * sd(i)));
    double ratio = 0;
    for (std::size_t r = 0; r < 4000; ++r) {
        const std::span<const double> x(rows.data() + r * p, p);
        ratio += mcd.distance2(x) / true_distance2(x) / 4000;
    }
    CHECK(ratio == Approx(1).margin(0.06));
}

TEST_CASE("fit_mcd: a fifth of outliers moves the plain mean, not the MCD") {
    qhybrid::rng gen(3);
    auto rows = gaussian_rows(3000, gen);
    for (std::size_t r = 0; r < 600; ++r) // 20%: a tight cluster far off in features 0 and 3
        for (std::size_t i = 0; i < p; ++i) rows[r * p + i] = mu[i] + (i == 0 ? 25.0 : i == 3 ? -40.0 : 0.0) + 0.1 * gen.normal();
    double plain_shift = 0;
    for (std::size_t r = 0; r < 3000; ++r) plain_shift += (rows[r * p] - mu[0]) / 3000;
    CHECK(plain_shift > 4); // the plain mean of feature 0 moves by 5
    qhybrid::rng fit_gen(4);
    const auto mcd = d::fit_mcd(rows, p, fit_gen);
    for (std::size_t i = 0; i < p; ++i) CHECK(mcd.location()[i] == Approx(mu[i]).margin(0.1 * sd(i)));
    std::size_t flagged_outliers = 0, flagged_inliers = 0;
    const double cutoff = d::detail::chi2_quantile(1.959963984540054, p);
    for (std::size_t r = 0; r < 3000; ++r) {
        const bool far = mcd.distance2(std::span<const double>(rows.data() + r * p, p)) > cutoff;
        (r < 600 ? flagged_outliers : flagged_inliers) += far;
    }
    CHECK(flagged_outliers == 600);
    CHECK(flagged_inliers < 2400 * 0.05); // about 2.5% of a Gaussian lies beyond chi2's 97.5% quantile
}

TEST_CASE("fit_mcd is affine equivariant: distances do not change under x -> B x + c") {
    qhybrid::rng gen(5);
    const auto rows = gaussian_rows(800, gen);
    std::vector<double> moved(rows.size());
    const double scale[p] = {1e4, 1e-3, -2, 7, 0.5}; // features of very different magnitudes, as DEEP-VOICE's
    for (std::size_t r = 0; r < 800; ++r)
        for (std::size_t i = 0; i < p; ++i)
            moved[r * p + i] = scale[i] * rows[r * p + i] + (i + 1 < p ? 0.3 * rows[r * p + i + 1] : 0.0) + 100.0 * double(i);
    qhybrid::rng g1(6), g2(6);
    const auto a = d::fit_mcd(rows, p, g1), b = d::fit_mcd(moved, p, g2);
    double worst = 0;
    for (std::size_t r = 0; r < 800; ++r) {
        const double da = a.distance2(std::span<const double>(rows.data() + r * p, p));
        const double db = b.distance2(std::span<const double>(moved.data() + r * p, p));
        worst = std::max(worst, std::abs(da - db) / da);
    }
    CHECK(worst < 1e-8); // measured 2.1e-9: the scales span 1e-3 to 1e4
}

TEST_CASE("fit_domain: false alarms near 1 - coverage on fresh rows, and explanations") {
    qhybrid::rng gen(7);
    const auto train = gaussian_rows(5000, gen);
    qhybrid::rng fit_gen(8);
    const auto domain = d::fit_domain(train, {"a", "b", "c", "d", "e"}, fit_gen, 0.99);
    const auto fresh = gaussian_rows(20000, gen);
    std::size_t flagged = 0;
    for (std::size_t r = 0; r < 20000; ++r) flagged += !domain.judge(std::span<const double>(fresh.data() + r * p, p)).inside;
    CHECK(double(flagged) / 20000 == Approx(0.01).margin(0.006));

    for (std::size_t i = 0; i < p; ++i) { // the ranges are the 0.5% and 99.5% quantiles of each feature
        CHECK(domain.low[i] == Approx(mu[i] - 2.5758 * sd(i)).margin(0.15 * sd(i)));
        CHECK(domain.high[i] == Approx(mu[i] + 2.5758 * sd(i)).margin(0.15 * sd(i)));
        CHECK(domain.median[i] == Approx(mu[i]).margin(0.05 * sd(i)));
    }
    std::vector<double> row(mu, mu + p);
    row[3] = 1000; // far above feature d's range
    const auto j = domain.judge(row);
    CHECK_FALSE(j.inside);
    CHECK(j.feature == 3);
    CHECK_THAT(domain.explain(row, j), Contains("d 1000 lies above the training range ["));
    // Inside every range, but against the correlation of a and c (c ~ -a / 2 + ...).
    std::vector<double> odd(mu, mu + p);
    odd[0] = mu[0] + 4, odd[2] = mu[2] + 2.2;
    const auto k = domain.judge(odd);
    CHECK_FALSE(k.inside);
    CHECK(k.excess == 0);
    CHECK_THAT(domain.explain(odd, k), Contains("an unusual combination of features"));
}

TEST_CASE("quantile is numpy's linear interpolation") {
    CHECK(d::quantile({3, 1, 2, 4}, 0.5) == 2.5);
    CHECK(d::quantile({3, 1, 2, 4}, 0.0) == 1);
    CHECK(d::quantile({3, 1, 2, 4}, 1.0) == 4);
    CHECK(d::quantile({10, 0}, 0.25) == 2.5); // numpy.quantile([10, 0], 0.25)
    CHECK(d::quantile({5}, 0.9) == 5);
}

TEST_CASE("robust estimates: bad input is a clear error") {
    qhybrid::rng gen(9);
    std::vector<double> rows(10 * p, 1.0);
    CHECK_THROWS_WITH(d::fit_mcd(rows, p, gen), Contains("more than 2 x 5 of them"));
    auto many = gaussian_rows(100, gen);
    for (std::size_t r = 0; r < 100; ++r) many[r * p + 2] = 4; // a constant feature
    CHECK_THROWS_WITH(d::fit_mcd(many, p, gen), Contains("fewer than 5 dimensions (a constant or collinear feature)"));
    many[7] = NAN;
    CHECK_THROWS_WITH(d::fit_mcd(many, p, gen), Contains("row 1, feature 2 is nan"));
    CHECK_THROWS_WITH(d::robust_covariance({0, 0}, {1, 0, 0, -1}), Contains("Cholesky diagonal 1 is -1"));
    CHECK_THROWS_WITH(d::robust_covariance({0, 0}, {1, 2, 0, 1}), Contains("not lower triangular and finite at (0, 1)"));
    CHECK_THROWS_WITH(d::robust_covariance({0}, {1, 0}), Contains("needs a 1 x 1 Cholesky factor, got 2 values"));
    const auto domain = d::fit_domain(gaussian_rows(200, gen), {"a", "b", "c", "d", "e"}, gen);
    CHECK_THROWS_WITH(domain.judge(std::vector<double>{1, 2}), Contains("a row of 2 features, expected 5"));
    CHECK_THROWS_WITH(domain.judge(std::vector<double>{1, 2, NAN, 0, 0}), Contains("feature c is nan"));
}
