// QNAD, reconstructed (robust/qnad.hpp, quantum/weight_readout.hpp), against independent references:
// - rng::binomial: the exact distribution (a chi-square fit against its pmf from log-gamma), its
//   moments, and the edges p = 0, 1;
// - a weight's read-out curve a + b cos theta + c sin theta against a density matrix run at every
//   angle; a perfect device reads sin^2(theta / 2), injected pairs or not (the pairs are the
//   identity without noise) and with the calibrated ZZ coupling (it acts only between excited
//   qubits); the device's noise moves the curve, injected pairs more;
// - the selection rule against finite differences of the loss;
// - the QNAD network: the trained values back afterwards, the same draws for the same seed, a
//   perfect device with many shots close to the trained network, and the input gradient of a
//   draw against finite differences.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn.hpp>
#include <qhybrid/quantum/device.hpp>
#include <qhybrid/quantum/weight_readout.hpp>
#include <qhybrid/robust/qnad.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <numeric>
#include <vector>

namespace q = qhybrid::quantum;
namespace nn = qhybrid::nn;
namespace rb = qhybrid::robust;
using qhybrid::rng;

namespace {

q::device_model nairobi() { return q::device_model::load(std::filesystem::path(QHYBRID_TEST_DATA) / "ibm-backends/nairobi"); }

double pmf(std::uint64_t n, double p, std::uint64_t k) {
    const double nn = double(n), kk = double(k);
    return std::exp(std::lgamma(nn + 1) - std::lgamma(kk + 1) - std::lgamma(nn - kk + 1) + kk * std::log(p) + (nn - kk) * std::log1p(-p));
}

// Chi-square statistic of `draws` Binomial(n, p) draws against the pmf, over bins with expected
// count >= 5 (the tails pooled), and its degrees of freedom.
std::pair<double, double> chi_square(std::uint64_t n, double p, std::size_t draws, std::uint64_t seed) {
    rng gen(seed);
    std::vector<double> count(n + 1, 0);
    for (std::size_t i = 0; i < draws; ++i) count.at(gen.binomial(n, p)) += 1;
    double stat = 0, bins = 0, pooled_seen = 0, pooled_expected = 0;
    for (std::uint64_t k = 0; k <= n; ++k) {
        const double expected = double(draws) * pmf(n, p, k);
        if (expected < 5) {
            pooled_seen += count[k], pooled_expected += expected;
            continue;
        }
        stat += (count[k] - expected) * (count[k] - expected) / expected, ++bins;
    }
    if (pooled_expected > 0) stat += (pooled_seen - pooled_expected) * (pooled_seen - pooled_expected) / pooled_expected, ++bins;
    return {stat, bins - 1};
}

// The chi-square quantile at 1 - 1e-4 (Wilson-Hilferty; z = 3.719).
double chi_square_limit(double df) {
    const double a = 2 / (9 * df);
    return df * std::pow(1 - a + 3.719 * std::sqrt(a), 3);
}

} // namespace

TEST_CASE("rng::binomial: the exact distribution, its moments and its edges") {
    for (const auto& [n, p] : std::vector<std::pair<std::uint64_t, double>>{{5, 0.5}, {40, 0.1}, {1024, 0.3}, {1024, 0.97}, {100000, 0.5}}) {
        INFO("n " << n << ", p " << p);
        const auto [stat, df] = chi_square(n, p, 20000, 11);
        CHECK(df >= 3);
        CHECK(stat < chi_square_limit(df));
        rng gen(3);
        double sum = 0, squares = 0;
        const std::size_t draws = 20000;
        for (std::size_t i = 0; i < draws; ++i) {
            const double k = double(gen.binomial(n, p));
            sum += k, squares += k * k;
        }
        const double mean = sum / draws, variance = squares / draws - mean * mean, sd = std::sqrt(double(n) * p * (1 - p));
        CHECK(std::abs(mean - double(n) * p) < 4 * sd / std::sqrt(double(draws)));
        CHECK(variance == Approx(sd * sd).epsilon(0.05));
    }
    rng gen(5);
    CHECK(gen.binomial(1000, 0.0) == 0);
    CHECK(gen.binomial(1000, 1.0) == 1000);
    CHECK(gen.binomial(1000, -0.5) == 0);
    CHECK(gen.binomial(0, 0.5) == 0);
    CHECK(gen.binomial(1000, std::nan("")) == 0);
    rng a(9), b(9);
    for (int i = 0; i < 100; ++i) CHECK(a.binomial(4096, 0.37) == b.binomial(4096, 0.37));
}

TEST_CASE("weight read-out: the closed-form curve equals a density matrix at every angle, on every qubit", "[data]") {
    const auto device = nairobi();
    for (const auto& o : {q::readout_options{}, q::readout_options{.pairs = 2, .hops = 2}, q::readout_options{.noise_scale = 3, .zz_scale = 5, .pairs = 3}}) {
        for (q::qubit qb = 0; qb < device.num_qubits(); ++qb) {
            const auto curve = q::readout_curve_of(device, qb, o);
            double e = 0;
            for (double theta : {0.1, 0.7, 1.3, 2.0, 2.9, 3.1}) e = std::max(e, std::abs(curve.p1(theta) - q::readout_probability(device, qb, o, theta)));
            CHECK(e <= 1e-14);
        }
    }
}

TEST_CASE("weight read-out: a perfect device reads sin^2(theta / 2), the injected pairs are the identity without noise", "[data]") {
    const auto device = nairobi();
    for (unsigned pairs : {0u, 1u, 3u})
        for (unsigned hops : {1u, 2u}) {
            const auto c = q::readout_curve_of(device, 1, {.noise_scale = 0, .zz_scale = 0, .pairs = pairs, .hops = hops});
            CHECK(c.a == Approx(0.5).margin(1e-15));
            CHECK(c.b == Approx(-0.5).margin(1e-15));
            CHECK(c.c == Approx(0).margin(1e-15));
        }
    // The calibrated ZZ, pairs or not, on every qubit: it turns a qubit only while a neighbour is
    // excited, and the one neighbour ever excited is the injected pair's own partner, whose
    // coupling its calibrated CNOTs already hold.
    for (q::qubit qb = 0; qb < device.num_qubits(); ++qb)
        for (unsigned hops : {1u, 2u}) {
            const auto c = q::readout_curve_of(device, qb, {.noise_scale = 0, .zz_scale = 1, .pairs = 2, .hops = hops});
            CHECK(c.a == Approx(0.5).margin(1e-15));
            CHECK(c.b == Approx(-0.5).margin(1e-15));
            CHECK(c.c == Approx(0).margin(1e-15));
        }
    CHECK(q::readout_angle(0.25) == Approx(std::numbers::pi / 3).epsilon(1e-15));
    CHECK(std::pow(std::sin(q::readout_angle(0.3) / 2), 2) == Approx(0.3).epsilon(1e-15));
}

TEST_CASE("weight read-out: the device's noise moves the curve, injected pairs move it further", "[data]") {
    const auto device = nairobi();
    const auto distortion = [&](const q::readout_options& o) {
        double d = 0;
        for (q::qubit qb = 0; qb < device.num_qubits(); ++qb) {
            const auto c = q::readout_curve_of(device, qb, o);
            for (int k = 0; k <= 20; ++k) {
                const double theta = std::numbers::pi * k / 20;
                d += std::abs(c.p1(theta) - std::pow(std::sin(theta / 2), 2));
            }
        }
        return d / (21.0 * double(device.num_qubits()));
    };
    const double intrinsic = distortion({}), one = distortion({.pairs = 1}), three = distortion({.pairs = 3, .hops = 2});
    CHECK(intrinsic > 1e-3); // readout errors of a few percent
    CHECK(intrinsic < 0.1);
    CHECK(one > intrinsic);
    CHECK(three > one);
    // Every curve is a probability everywhere.
    for (q::qubit qb = 0; qb < device.num_qubits(); ++qb) {
        const auto c = q::readout_curve_of(device, qb, {.noise_scale = 3, .pairs = 3, .hops = 2});
        CHECK(c.a - std::hypot(c.b, c.c) >= -1e-15);
        CHECK(c.a + std::hypot(c.b, c.c) <= 1 + 1e-15);
    }
    CHECK_THROWS_WITH(q::readout_curve_of(device, 0, {.hops = 3}), Catch::Contains("hops must be 1 or 2, got 3"));
    CHECK_THROWS_WITH(q::weight_reader(device, {}, 0), Catch::Contains("0 shots"));
    CHECK_THROWS_WITH(q::weight_reader(device, {.noise_scale = -1}, 10), Catch::Contains("noise scale -1"));
}

namespace {

nn::sequential<double> small_network(std::uint64_t seed) {
    rng gen(seed);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(3, 5, gen).add<nn::tanh<double>>().add<nn::dense<double>>(5, 3, gen);
    return net;
}

struct toy_data {
    nn::tensor<double> x{{12, 3}};
    std::vector<std::size_t> y;
};

toy_data toy(std::uint64_t seed) {
    toy_data d;
    rng gen(seed);
    for (double& v : d.x.values()) v = gen.uniform(-1, 1);
    for (std::size_t i = 0; i < 12; ++i) d.y.push_back(gen.below(3));
    return d;
}

} // namespace

TEST_CASE("QNAD selection: the top share by |dL/dw| or |w dL/dw|, against finite differences of the loss") {
    auto net = small_network(2);
    const auto d = toy(4);
    // Finite differences of the mean cross-entropy over all 12 rows, parameter by parameter.
    std::vector<double> fd, w;
    for (auto& p : net.parameters())
        for (std::size_t i = 0; i < p.value->size(); ++i) {
            const double keep = (*p.value)[i], h = 1e-6;
            (*p.value)[i] = keep + h;
            const double up = nn::cross_entropy(net.forward(d.x, nn::mode::eval), std::span<const std::size_t>(d.y)).value;
            (*p.value)[i] = keep - h;
            const double down = nn::cross_entropy(net.forward(d.x, nn::mode::eval), std::span<const std::size_t>(d.y)).value;
            (*p.value)[i] = keep;
            fd.push_back((up - down) / (2 * h));
            w.push_back(keep);
        }
    REQUIRE(fd.size() == 3 * 5 + 5 + 5 * 3 + 3);
    for (const auto rank : {rb::saliency::gradient, rb::saliency::gradient_times_weight})
        for (double fraction : {0.05, 0.25, 0.5, 1.0}) {
            // In batches of 5 rows: the mean over all rows all the same.
            const auto chosen = rb::critical_weights(net, d.x, d.y, fraction, rank, 5);
            std::vector<double> score(fd.size());
            for (std::size_t i = 0; i < fd.size(); ++i) score[i] = std::abs(rank == rb::saliency::gradient ? fd[i] : fd[i] * w[i]);
            std::vector<std::size_t> order(fd.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
            const auto k = std::size_t(std::ceil(fraction * double(fd.size()) - 1e-9));
            std::vector<std::size_t> expected(order.begin(), order.begin() + long(k));
            std::sort(expected.begin(), expected.end());
            INFO("fraction " << fraction);
            CHECK(chosen == expected);
        }
    for (const auto& p : net.parameters())
        for (std::size_t i = 0; i < p.grad->size(); ++i) CHECK((*p.grad)[i] == 0.0);
    CHECK_THROWS_WITH(rb::critical_weights(net, d.x, d.y, 0.0), Catch::Contains("fraction 0 (needs (0, 1])"));
    CHECK_THROWS_WITH(rb::critical_weights(net, d.x, std::vector<std::size_t>(3, 0), 0.1), Catch::Contains("3 labels for 12 rows"));
}

TEST_CASE("QNAD network: fresh draws per call from the generator, the trained values back afterwards", "[data]") {
    const auto device = nairobi();
    auto net = small_network(6);
    const auto d = toy(8);
    std::vector<double> trained;
    for (const auto& p : net.parameters()) trained.insert(trained.end(), p.value->values().begin(), p.value->values().end());
    const auto clean = net.forward(d.x, nn::mode::eval);
    const auto chosen = rb::critical_weights(net, d.x, d.y, 0.25);
    {
        rb::qnad_network<double> model(net, device, chosen, {.shots = 256, .injected = {.pairs = 2}, .read_others = true});
        CHECK(model.parameters_read() == trained.size());
        rng a(1), b(1);
        const auto z1 = model.logits(d.x, a), z2 = model.logits(d.x, b), z3 = model.logits(d.x, a);
        CHECK(z1.values().size() == clean.size());
        CHECK(std::equal(z1.values().begin(), z1.values().end(), z2.values().begin())); // same seed, same bits
        CHECK_FALSE(std::equal(z1.values().begin(), z1.values().end(), z3.values().begin())); // a fresh draw
        // The input gradient of the last draw against finite differences of that draw.
        rng base(21);
        nn::tensor<double> dz(clean.shape());
        for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = std::sin(double(i));
        auto g = base;
        model.logits(d.x, g);
        const auto dx = model.input_gradient(dz);
        const auto f = [&](const nn::tensor<double>& x) {
            auto gg = base;
            const auto z = model.logits(x, gg);
            double s = 0;
            for (std::size_t i = 0; i < z.size(); ++i) s += z[i] * dz[i];
            return s;
        };
        double e = 0;
        for (std::size_t i = 0; i < d.x.size(); ++i) {
            auto up = d.x, down = d.x;
            up[i] += 1e-6, down[i] -= 1e-6;
            e = std::max(e, std::abs(dx[i] - (f(up) - f(down)) / 2e-6));
        }
        CHECK(e <= 1e-7);
    }
    std::vector<double> after;
    for (const auto& p : net.parameters()) after.insert(after.end(), p.value->values().begin(), p.value->values().end());
    CHECK(after == trained);
    // A perfect device with 2^30 shots reads each value within a few 1e-5 of its range.
    {
        rb::qnad_network<double> model(net, device, chosen,
                                       {.shots = std::uint64_t{1} << 30, .injected = {.noise_scale = 0, .zz_scale = 0, .pairs = 3},
                                        .read_others = true, .others = {.noise_scale = 0, .zz_scale = 0}});
        rng gen(2);
        const auto z = model.logits(d.x, gen);
        double e = 0;
        for (std::size_t i = 0; i < z.size(); ++i) e = std::max(e, std::abs(z[i] - clean[i]));
        CHECK(e < 1e-3);
    }
    CHECK_THROWS_WITH(rb::qnad_network<double>(net, device, std::vector<std::size_t>{1000}),
                      Catch::Contains("selected parameter 1000 of a network of 38"));
}
