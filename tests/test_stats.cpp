// SPDX-License-Identifier: Apache-2.0
// qhybrid::stats against SciPy 1.10 (tests/reference/make_stats_reference.py) and closed forms.
#include "reference_rows.hpp"

#include <qhybrid/stats.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace st = qhybrid::stats;

namespace {

std::vector<std::vector<std::string>> reference_rows(const std::string& kind) { return ref::reference_rows("stats_reference.csv", kind); }

std::vector<double> numbers(const std::string& text) {
    std::vector<double> v;
    std::stringstream s(text);
    for (double x; s >> x;) v.push_back(x);
    return v;
}

// |a - b| <= rel * |b| + abs_tol
bool close(double a, double b, double rel, double abs_tol = 0) { return std::abs(a - b) <= rel * std::abs(b) + abs_tol; }

} // namespace

TEST_CASE("Student's t CDF and quantile agree with SciPy", "[stats]") {
    for (const auto& r : reference_rows("t_cdf")) {
        const double t = std::stod(r[1]), dof = std::stod(r[2]), want = std::stod(r[3]);
        INFO("t = " << t << ", dof = " << dof);
        CHECK(close(st::student_t_cdf(t, dof), want, 1e-12, 1e-15));
    }
    for (const auto& r : reference_rows("t_quantile")) {
        const double p = std::stod(r[1]), dof = std::stod(r[2]), want = std::stod(r[3]);
        INFO("p = " << p << ", dof = " << dof);
        // SciPy 1.10's ppf is itself off by up to 1.7e-9 relative (dof 3, p = 0.995: 5.84090929975643,
        // whose closed-form CDF is 0.995 - 2.4e-11; ours, 5.840909309733332, gives 0.995 to 1e-16),
        // so against it the tolerance is 3e-9; the closed forms below and the round trip are tight.
        const double q = st::student_t_quantile(p, dof);
        CHECK(close(q, want, 3e-9, 1e-14));
        CHECK(close(st::student_t_cdf(q, dof), p, 1e-14));
    }
}

TEST_CASE("closed forms of t: Cauchy at 1 degree of freedom, the familiar 95% quantiles", "[stats]") {
    for (double t : {-7.0, -1.0, 0.25, 3.0}) CHECK(close(st::student_t_cdf(t, 1), 0.5 + std::atan(t) / M_PI, 1e-14, 1e-16));
    CHECK(close(st::student_t_cdf(1.5, 2), 0.5 + 1.5 / (2 * std::sqrt(2 + 1.5 * 1.5)), 1e-14)); // dof 2 closed form
    CHECK(close(st::student_t_quantile(0.975, 4), 2.7764451051977987, 1e-13));
    CHECK(st::student_t_quantile(0.5, 3) == 0);
    const auto cdf3 = [](double t) { // dof 3 and 5: the closed forms of the t CDF
        return 0.5 + (t / (std::sqrt(3.0) * (1 + t * t / 3)) + std::atan(t / std::sqrt(3.0))) / M_PI;
    };
    const auto cdf5 = [](double t) {
        const double x = t / std::sqrt(5.0), u = 1 + x * x;
        return 0.5 + (std::atan(x) + x / u + 2 * x / (3 * u * u)) / M_PI;
    };
    for (double p : {0.0005, 0.025, 0.3, 0.8, 0.975, 0.9995}) {
        CHECK(close(cdf3(st::student_t_quantile(p, 3)), p, 0, 4e-16)); // the closed forms lose bits near 0
        CHECK(close(cdf5(st::student_t_quantile(p, 5)), p, 0, 4e-16));
        CHECK(close(st::student_t_quantile(p, 1), std::tan(M_PI * (p - 0.5)), 1e-13));
        CHECK(close(st::student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-13));
    }
}

TEST_CASE("the binomial CDF and upper tail agree with SciPy", "[stats]") {
    for (const auto& r : reference_rows("binomial_cdf")) {
        const std::size_t k = std::stoul(r[1]), n = std::stoul(r[2]);
        const double p = std::stod(r[3]), want = std::stod(r[4]);
        INFO(k << " of " << n << " at " << p);
        CHECK(close(st::binomial_cdf(k, n, p), want, 1e-11, 1e-300));
    }
    for (const auto& r : reference_rows("binomial_sf")) {
        const std::size_t correct = std::stoul(r[1]), n = std::stoul(r[2]);
        const double chance = std::stod(r[3]), tail = std::stod(r[4]);
        INFO(correct << " of " << n << " at chance " << chance << ": P(X >= correct) = " << tail);
        CHECK(st::above_chance(correct, n, chance, 0.01) == (tail < 0.01));
        CHECK(close(st::binomial_cdf(n - correct, n, 1 - chance), tail, 1e-11, 1e-300));
    }
}

TEST_CASE("t intervals and paired t tests agree with SciPy", "[stats]") {
    for (const auto& r : reference_rows("t_interval")) {
        const auto v = numbers(r[1]);
        const double conf = std::stod(r[2]);
        const auto e = st::t_interval(v, conf);
        INFO(r[1] << " at " << conf);
        const double half = (std::stod(r[4]) - std::stod(r[3])) / 2; // SciPy's quantile: 3e-9 relative, as above
        CHECK(close(e.low, std::stod(r[3]), 1e-14, 3e-9 * half));
        CHECK(close(e.high, std::stod(r[4]), 1e-14, 3e-9 * half));
    }
    for (const auto& r : reference_rows("paired_t")) {
        const auto a = numbers(r[1]), b = numbers(r[2]);
        const auto c = st::paired_t(a, b);
        INFO(r[1] << " vs " << r[2]);
        CHECK(close(c.p_value, std::stod(r[3]), 1e-10, 1e-15));
        CHECK(c.a_better + c.b_better + c.ties == a.size());
        const auto d = st::t_interval(std::vector<double>{a[0] - b[0]}); // one value: no interval
        CHECK(std::isnan(d.low));
    }
}

TEST_CASE("McNemar's exact test agrees with SciPy's binomial test", "[stats]") {
    for (const auto& r : reference_rows("mcnemar")) {
        const std::size_t only_a = std::stoul(r[1]), only_b = std::stoul(r[2]);
        // a right on only_a samples, b on only_b, both right on 7 and both wrong on 4
        std::vector<std::uint8_t> a, b;
        for (std::size_t i = 0; i < only_a; ++i) a.push_back(1), b.push_back(0);
        for (std::size_t i = 0; i < only_b; ++i) a.push_back(0), b.push_back(1);
        for (int i = 0; i < 7; ++i) a.push_back(1), b.push_back(1);
        for (int i = 0; i < 4; ++i) a.push_back(0), b.push_back(0);
        const auto m = st::mcnemar(a, b);
        CHECK(m.only_a == only_a);
        CHECK(m.only_b == only_b);
        CHECK(close(m.p_value, std::stod(r[3]), 1e-11, 1e-300));
    }
}

TEST_CASE("seed_table: intervals per model, paired comparisons by seed, markdown and CSV", "[stats]") {
    st::seed_table t({"accuracy", "AUC"});
    const double a[] = {0.97, 0.98, 0.96, 0.975, 0.985}, b[] = {0.95, 0.97, 0.5, 0.96, 0.965};
    for (std::uint64_t s = 1; s <= 5; ++s) {
        t.add("A", s, {a[s - 1], 1.0});
        t.add("B", s, {b[s - 1], 0.9}, s == 3);
    }
    CHECK(t.runs("A") == 5);
    CHECK(t.failures("A") == 0);
    CHECK(t.failures("B") == 1);
    const auto e = t.summary("A", "accuracy");
    const auto want = st::t_interval(std::vector<double>(std::begin(a), std::end(a)));
    CHECK(e.mean == want.mean);
    CHECK(e.low == want.low);
    const auto c = t.compare("A", "B", "accuracy");
    CHECK(c.n == 5);
    CHECK(c.a_better == 5);
    CHECK(close(c.mean_difference, (0.02 + 0.01 + 0.46 + 0.015 + 0.02) / 5, 1e-14));
    const auto auc = t.compare("A", "B", "AUC"); // a constant difference: p = 0
    CHECK(auc.p_value == 0);

    const std::string md = t.markdown();
    CHECK(md.find("| model | runs | failed | accuracy | AUC |") == 0);
    CHECK(md.find("| B | 5 | 1 |") != std::string::npos);
    CHECK(t.comparison("A", "B", "accuracy").find("paired t over 5 seeds") != std::string::npos);

    const auto dir = std::filesystem::temp_directory_path() / "qhybrid_test_stats";
    t.write_csv(dir / "runs.csv", dir / "summary.csv");
    std::ifstream runs(dir / "runs.csv"), summary(dir / "summary.csv");
    std::string line;
    std::getline(runs, line);
    CHECK(line == "model,seed,failed,accuracy,AUC");
    std::getline(runs, line);
    CHECK(line == "A,1,0,0.96999999999999997,1");
    std::size_t lines = 1;
    while (std::getline(summary, line)) ++lines;
    CHECK(lines == 1 + 2 * 2 + 1); // header, 2 models x 2 metrics; getline counted the header too
    std::filesystem::remove_all(dir);
}

TEST_CASE("stats: bad input is an error naming the function", "[stats]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(st::student_t_quantile(1.0, 3), Contains("student_t_quantile"));
    CHECK_THROWS_WITH(st::student_t_cdf(1.0, 0), Contains("student_t_cdf"));
    CHECK_THROWS_WITH(st::t_interval(std::vector<double>{}), Contains("no values"));
    CHECK_THROWS_WITH(st::t_interval(std::vector<double>{1, NAN}), Contains("not finite"));
    CHECK_THROWS_WITH(st::paired_t(std::vector<double>{1, 2}, std::vector<double>{1}), Contains("paired_t"));
    CHECK_THROWS_WITH(st::above_chance(5, 4, 0.5), Contains("above_chance"));
    st::seed_table t({"x"});
    t.add("A", 1, {1.0});
    CHECK_THROWS_WITH(t.add("A", 1, {2.0}), Contains("seed 1 already"));
    CHECK_THROWS_WITH(t.add("A", 2, {2.0, 3.0}), Contains("2 values for 1 metrics"));
    CHECK_THROWS_WITH(t.summary("Z", "x"), Contains("no runs of model 'Z'"));
    CHECK_THROWS_WITH(t.summary("A", "y"), Contains("no metric 'y'"));
}
