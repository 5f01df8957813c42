// SPDX-License-Identifier: Apache-2.0
// models/qshield: the encoding against a direct computation, the noisy module against an
// independent dense density-matrix simulation with PennyLane's conventions (wire 0 the most
// significant bit, its channel definitions), the fusion rule against its formula, and every
// gradient against central differences; the faithful variant's quantum branch passes none.
#include "dense.hpp"
#include "layer_check.hpp"

#include <qhybrid/models/qshield.hpp>
#include <qhybrid/nn.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <numeric>
#include <vector>

namespace m = qhybrid::models;
using qhybrid::rng;

namespace {

constexpr std::size_t classes = 10, qubits = 4;

std::unique_ptr<nn::sequential<double>> backbone(std::uint64_t seed) {
    rng gen(seed);
    auto net = std::make_unique<nn::sequential<double>>();
    net->add<nn::dense<double>>(6, 12, gen).add<nn::tanh<double>>().add<nn::dense<double>>(12, classes, gen);
    return net;
}

// The 2^N basis-state probabilities of the authors' circuit on density matrices, indexed as
// PennyLane's qml.probs (wire 0 the most significant bit): wire w is dense's qubit N - 1 - w.
std::vector<double> pennylane_probabilities(std::size_t n, const std::vector<double>& u, m::qshield_pattern pattern, double s) {
    using dense::mat;
    const std::size_t dim = std::size_t{1} << n;
    auto q = [&](std::size_t w) { return n - 1 - w; };
    mat rho(dim);
    rho(0, 0) = 1;
    auto dagger = [](const mat& a) {
        mat d(a.n);
        for (std::size_t i = 0; i < a.n; ++i)
            for (std::size_t j = 0; j < a.n; ++j) d(i, j) = std::conj(a(j, i));
        return d;
    };
    auto unitary = [&](const mat& g) { rho = g * rho * dagger(g); };
    auto channel = [&](std::size_t w, const std::vector<mat>& kraus) {
        mat out(dim);
        for (const auto& k : kraus) {
            const mat e = dense::embed(n, {{q(w), k}});
            out = out + e * rho * dagger(e);
        }
        rho = out;
    };
    for (std::size_t w = 0; w < n; ++w) {
        unitary(dense::embed(n, {{q(w), dense::RX(std::numbers::pi * u[3 * w])}}));
        unitary(dense::embed(n, {{q(w), dense::RY(std::numbers::pi * u[3 * w + 1])}}));
        unitary(dense::embed(n, {{q(w), dense::RZ(std::numbers::pi * u[3 * w + 2])}}));
    }
    auto cnot = [&](std::size_t c, std::size_t t) { unitary(dense::controlled(n, q(c), q(t), dense::X())); };
    switch (pattern) {
    case m::qshield_pattern::none: break;
    case m::qshield_pattern::linear:
        for (std::size_t i = 0; i + 1 < n; ++i) cnot(i, i + 1);
        break;
    case m::qshield_pattern::circular:
        cnot(n - 1, 0);
        for (std::size_t i = 0; i + 1 < n; ++i) cnot(i, i + 1);
        break;
    case m::qshield_pattern::full:
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j) cnot(i, j);
        break;
    case m::qshield_pattern::star:
        for (std::size_t j = 1; j < n; ++j) cnot(0, j);
        break;
    }
    const double p = 0.4 * s, g = 0.3 * s, l = 0.3 * s; // DepolarizingChannel, AmplitudeDamping, PhaseDamping
    for (std::size_t w = 0; w < n; ++w) {
        channel(w, {std::sqrt(1 - p) * dense::id2(), std::sqrt(p / 3) * dense::X(), std::sqrt(p / 3) * dense::Y(), std::sqrt(p / 3) * dense::Z()});
        channel(w, {dense::m2(1, 0, 0, std::sqrt(1 - g)), dense::m2(0, std::sqrt(g), 0, 0)});
        channel(w, {dense::m2(1, 0, 0, std::sqrt(1 - l)), dense::m2(0, 0, 0, std::sqrt(l))});
    }
    std::vector<double> out(dim);
    for (std::size_t k = 0; k < dim; ++k) out[k] = rho(k, k).real();
    return out;
}

// The authors' fusion rule and statistics written out for one sample, given alpha.
std::vector<double> fusion_rule(const std::vector<double>& c, const std::vector<double>& q, double alpha) {
    const double e = 1e-8;
    double zc = 0, qs = 0;
    for (double v : c) zc += std::exp(v);
    for (double v : q) qs += v;
    const double beta = std::sqrt(std::clamp(1 - alpha * alpha, e, 1.0));
    std::vector<double> h(c.size());
    double total = 0;
    for (std::size_t k = 0; k < c.size(); ++k) {
        const double a = alpha * std::sqrt(std::max(std::exp(c[k]) / zc, e)) + beta * std::sqrt(std::max(q[k] / (qs + e), e));
        h[k] = a * a, total += h[k];
    }
    for (auto& v : h) v = std::log(std::max(v / (total + e), e));
    return h;
}

} // namespace

TEST_CASE("QShield's projection: 0.1 times K orthonormal columns, then zeros, redrawn per call or fixed", "[qshield]") {
    rng gen(3);
    const auto p = m::qshield_projection(classes, 3 * qubits, gen);
    for (std::size_t i = 0; i < 3 * qubits; ++i)
        for (std::size_t j = 0; j < 3 * qubits; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < classes; ++k) dot += p[k * 12 + i] * p[k * 12 + j];
            CHECK(dot == Approx(i == j && i < classes ? 0.01 : 0.0).margin(1e-15));
        }
    CHECK_THROWS_WITH(m::qshield_projection(13, 12, gen), Catch::Contains("13 classes onto 12 angles"));

    // The encoding, directly: z-score with the unbiased sd + 1e-8, z P, tanh.
    m::qshield_encoding<double> fixed(classes, qubits, m::projection_draw::per_model, 7), fresh(classes, qubits, m::projection_draw::per_call, 7);
    const tensor x = random_tensor({3, classes}, gen, -4, 4);
    const tensor u = fixed.forward(x, nn::mode::eval);
    for (std::size_t b = 0; b < 3; ++b) {
        double mean = 0, var = 0;
        for (std::size_t k = 0; k < classes; ++k) mean += x.row(b)[k] / classes;
        for (std::size_t k = 0; k < classes; ++k) var += (x.row(b)[k] - mean) * (x.row(b)[k] - mean) / (classes - 1);
        for (std::size_t j = 0; j < 12; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < classes; ++k) s += (x.row(b)[k] - mean) / (std::sqrt(var) + 1e-8) * fixed.projection()[k * 12 + j];
            CHECK(u.row(b)[j] == Approx(std::tanh(s)).margin(1e-15));
        }
        CHECK(u.row(b)[10] == 0); // the padded columns
        CHECK(u.row(b)[11] == 0);
    }
    CHECK(gradient_error(fixed, x, nn::mode::eval, gen) <= fd_tol);
    const auto first = fresh.forward(x, nn::mode::eval);
    CHECK(max_abs_diff(first, u) == 0); // the same seed draws the same first projection
    CHECK(max_abs_diff(fresh.forward(x, nn::mode::eval), first) > 1e-3);
    CHECK(max_abs_diff(fixed.forward(x, nn::mode::eval), u) == 0);

    // Two classes: the z-score of two logits is +-1/sqrt(2), so the angles carry only which logit
    // is larger (a binary QShield's quantum head sees one bit of its backbone) and pass no gradient
    // (both up to the 1e-8 added to the sd: 1e-8 here, where the logits differ by 2 or more).
    m::qshield_encoding<double> binary(2, 2, m::projection_draw::per_model, 7);
    const tensor pair({4, 2}, std::vector<double>{3.0, 1.0, 5.0, -7.0, -1.0, 2.0, -4.0, 4.0});
    const tensor angles = binary.forward(pair, nn::mode::eval);
    for (std::size_t j = 0; j < 6; ++j) {
        CHECK(angles.row(0)[j] == Approx(angles.row(1)[j]).margin(1e-8));
        CHECK(angles.row(2)[j] == Approx(angles.row(3)[j]).margin(1e-8));
        CHECK(angles.row(0)[j] == Approx(-angles.row(2)[j]).margin(1e-8));
    }
    CHECK(std::hypot(angles.row(0)[0], angles.row(0)[1]) > 0.05); // (1, -1) P / sqrt(2) has norm 0.1: not trivially 0
    const tensor none = binary.backward(tensor({4, 6}, 1.0));
    for (double g : none.values()) CHECK(g == Approx(0).margin(1e-8));
}

TEST_CASE("QShield's module equals a dense density-matrix simulation with PennyLane's wire order and channels", "[qshield]") {
    rng gen(5);
    // The noise alone, closed form: at zero angles each wire leaves |0> with probability 2/3 of the
    // depolarizing parameter 0.4 s, and amplitude damping 0.3 s brings a share of that back.
    {
        const double s = 0.3, a = 2.0 / 3.0 * 0.4 * s * (1 - 0.3 * s);
        const auto dense_p = pennylane_probabilities(2, std::vector<double>(6, 0.0), m::qshield_pattern::none, s);
        CHECK(dense_p[0] == Approx((1 - a) * (1 - a)).margin(1e-15));
        CHECK(dense_p[3] == Approx(a * a).margin(1e-15));
    }
    auto compare = [&]<m::qshield_pattern P>() {
        INFO("pattern " << m::to_string(P));
        const double s = 0.05;
        auto net = std::make_unique<nn::sequential<double>>();
        net->add<nn::dense<double>>(classes, classes, gen); // the identity below: the module sees x itself
        auto params = net->parameters();
        for (std::size_t i = 0; i < classes; ++i)
            for (std::size_t j = 0; j < classes; ++j) (*params[0].value)[i * classes + j] = i == j;
        params[1].value->fill(0);
        m::qshield<qubits, P> model(std::move(net), classes, {.projection = m::projection_draw::per_model, .noise = s}, gen);
        m::qshield_encoding<double> encoding = model.encoding(); // its projection, to recompute the angles
        const tensor x = random_tensor({2, classes}, gen, -3, 3);
        const tensor out = model.forward(x, nn::mode::eval);
        const tensor u = encoding.forward(x, nn::mode::eval);
        for (std::size_t b = 0; b < 2; ++b) {
            const auto p = pennylane_probabilities(qubits, std::vector<double>(u.row(b).begin(), u.row(b).end()), P, s);
            const std::vector<double> c(x.row(b).begin(), x.row(b).end()), q(p.begin(), p.begin() + classes);
            const auto h = fusion_rule(c, q, model.fusion().alpha().row(b)[0]);
            for (std::size_t k = 0; k < classes; ++k) CHECK(out.row(b)[k] == Approx(h[k]).margin(1e-12));
        }
    };
    compare.template operator()<m::qshield_pattern::none>();
    compare.template operator()<m::qshield_pattern::linear>();
    compare.template operator()<m::qshield_pattern::circular>();
    compare.template operator()<m::qshield_pattern::full>();
    compare.template operator()<m::qshield_pattern::star>();
}

TEST_CASE("QShield's fusion: the weight's statistics and the rule, and its gradients, against central differences", "[qshield]") {
    rng gen(9);
    m::qshield_fusion<double> fusion(classes, gen);
    const tensor c = random_tensor({4, classes}, gen, -3, 3);
    tensor q = random_tensor({4, classes}, gen, 0.001, 0.2);
    const tensor out = fusion.forward(c, q, nn::mode::eval);
    for (std::size_t b = 0; b < 4; ++b) { // the statistics, as the authors' DynamicWeightingModule computes them
        std::vector<double> lc(classes), lq(classes);
        double z = 0;
        for (std::size_t k = 0; k < classes; ++k) z += std::exp(c.row(b)[k]);
        for (std::size_t k = 0; k < classes; ++k) lc[k] = c.row(b)[k] - std::log(z), lq[k] = std::log(q.row(b)[k]);
        auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
        auto sd = [&](const std::vector<double>& v) {
            double s = 0;
            for (double x : v) s += (x - mean(v)) * (x - mean(v));
            return std::sqrt(s / double(v.size() - 1));
        };
        auto kurtosis = [&](const std::vector<double>& v) {
            double s = 0;
            for (double x : v) s += std::pow(x - mean(v), 4);
            return s / double(v.size()) / (std::pow(sd(v), 4) + 1e-8);
        };
        double cross = 0, nc = 0, nq = 0;
        for (std::size_t k = 0; k < classes; ++k) {
            cross += (lc[k] - mean(lc)) * (lq[k] - mean(lq));
            nc += (lc[k] - mean(lc)) * (lc[k] - mean(lc)), nq += (lq[k] - mean(lq)) * (lq[k] - mean(lq));
        }
        const std::vector<double> expected = {sd(lc), *std::max_element(lc.begin(), lc.end()), kurtosis(lc),
                                              sd(lq), *std::max_element(lq.begin(), lq.end()), kurtosis(lq),
                                              cross / (std::sqrt(nc) * std::sqrt(nq) + 1e-8)};
        for (std::size_t i = 0; i < 7; ++i) CHECK(fusion.statistics_of_last().row(b)[i] == Approx(expected[i]).epsilon(1e-12));
    }
    for (std::size_t b = 0; b < 4; ++b) {
        const auto h = fusion_rule({c.row(b).begin(), c.row(b).end()}, {q.row(b).begin(), q.row(b).end()}, fusion.alpha().row(b)[0]);
        for (std::size_t k = 0; k < classes; ++k) CHECK(out.row(b)[k] == Approx(h[k]).margin(1e-13));
    }
    for (auto mode : {nn::mode::eval, nn::mode::train}) {
        const tensor dy = random_tensor(out.shape(), gen);
        fusion.forward(c, q, mode);
        for (auto& p : fusion.parameters()) p.grad->fill(0);
        const auto [dc, dq] = fusion.backward(dy);
        auto loss = [&](const tensor& cc, const tensor& qq) { return dot(dy, fusion.forward(cc, qq, mode)); };
        const double h = 1e-6;
        for (std::size_t i = 0; i < c.size(); ++i) {
            tensor up = c, down = c;
            up[i] += h, down[i] -= h;
            CHECK(dc[i] == Approx((loss(up, q) - loss(down, q)) / (2 * h)).epsilon(1e-6).margin(1e-7));
            tensor qu = q, qd = q;
            qu[i] += h * 1e-2, qd[i] -= h * 1e-2; // q is small: a smaller step
            CHECK(dq[i] == Approx((loss(c, qu) - loss(c, qd)) / (2e-2 * h)).epsilon(1e-5).margin(1e-5));
        }
    }
}

TEST_CASE("QShield differentiable: input and parameter gradients through the noisy module equal central differences", "[qshield]") {
    rng gen(11);
    m::qshield<qubits> model(backbone(1), classes,
                             {.variant = m::qshield_variant::differentiable, .projection = m::projection_draw::per_model, .noise = 0.05}, gen);
    const tensor x = random_tensor({3, 6}, gen, -2, 2);
    for (auto mode : {nn::mode::eval, nn::mode::train}) CHECK(gradient_error(model, x, mode, gen, 37) <= fd_tol); // 1 parameter in 37
}

TEST_CASE("QShield faithful: the quantum branch passes no gradient (the gradient is that of the model with q held fixed)", "[qshield]") {
    rng gen(13);
    const auto net = backbone(2);
    const m::qshield_options o{.projection = m::projection_draw::per_model, .noise = 0.05};
    m::qshield<qubits> faithful(std::unique_ptr<nn::layer<double>>(net->clone()), classes, o, gen);
    auto d_options = o;
    d_options.variant = m::qshield_variant::differentiable;
    rng same(13);
    m::qshield<qubits> differentiable(std::unique_ptr<nn::layer<double>>(net->clone()), classes, d_options, same);

    const tensor x = random_tensor({3, 6}, gen, -2, 2);
    const tensor y = faithful.forward(x, nn::mode::eval);
    CHECK(max_abs_diff(y, differentiable.forward(x, nn::mode::eval)) == 0);
    const tensor dy = random_tensor(y.shape(), gen);
    const tensor dx = faithful.backward(dy), dx_through = differentiable.backward(dy);
    CHECK(max_abs_diff(dx, dx_through) > 1e-6); // the quantum branch does carry gradient when allowed
    faithful.set_variant(m::qshield_variant::differentiable); // an attacker's BPDA: the same forward, the module's gradient
    faithful.forward(x, nn::mode::eval);
    CHECK(max_abs_diff(faithful.backward(dy), dx_through) == 0);
    faithful.set_variant(m::qshield_variant::faithful);
    faithful.forward(x, nn::mode::eval);

    // q held at its value: the backbone and the fusion alone, from copies of the model's own.
    auto own_backbone = net->clone();
    auto fusion = faithful.fusion();
    nn::tensor<double> q({3, classes});
    {
        const tensor c = own_backbone->forward(x, nn::mode::eval);
        m::qshield_encoding<double> enc = faithful.encoding(); // the model's projection
        const tensor u = enc.forward(c, nn::mode::eval);
        for (std::size_t b = 0; b < 3; ++b) {
            const auto p = pennylane_probabilities(qubits, std::vector<double>(u.row(b).begin(), u.row(b).end()), m::qshield_pattern::full, 0.05);
            for (std::size_t k = 0; k < classes; ++k) q.row(b)[k] = p[k];
        }
    }
    auto frozen = [&](const tensor& in) { return dot(dy, fusion.forward(own_backbone->forward(in, nn::mode::eval), q, nn::mode::eval)); };
    CHECK(frozen(x) == Approx(dot(dy, y)).margin(1e-12));
    const double h = 1e-6;
    for (std::size_t i = 0; i < x.size(); ++i) {
        tensor up = x, down = x;
        up[i] += h, down[i] -= h;
        CHECK(dx[i] == Approx((frozen(up) - frozen(down)) / (2 * h)).epsilon(1e-6).margin(1e-8));
    }
}

TEST_CASE("QShield's weights file keeps its projection: a model built from another seed loads the trained one", "[qshield]") {
    rng gen(17), other(18);
    const m::qshield_options o{.variant = m::qshield_variant::differentiable, .projection = m::projection_draw::per_model, .seed = 4};
    m::qshield<qubits> trained(backbone(1), classes, o, gen);
    auto o_other = o;
    o_other.seed = 1;
    m::qshield<qubits> loaded(backbone(2), classes, o_other, other);
    const tensor x = random_tensor({3, 6}, gen, -2, 2);
    CHECK(max_abs_diff(trained.encoding().projection(), loaded.encoding().projection()) > 1e-3);
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_test_qshield.qhw";
    nn::save_weights(trained, path.string());
    nn::load_weights(loaded, path.string());
    std::filesystem::remove(path);
    CHECK(max_abs_diff(trained.encoding().projection(), loaded.encoding().projection()) == 0);
    CHECK(max_abs_diff(trained.forward(x, nn::mode::eval), loaded.forward(x, nn::mode::eval)) == 0);
}

TEST_CASE("QShield refuses class counts its qubits cannot hold, and a backbone of the wrong width", "[qshield]") {
    rng gen(1);
    CHECK_THROWS_WITH(m::qshield<2>(backbone(1), classes, {}, gen), Catch::Contains("10 classes on 2 qubits"));
    m::qshield<qubits> model(backbone(1), 9, {}, gen);
    CHECK_THROWS_WITH(model.forward(random_tensor({2, 6}, gen), nn::mode::eval), Catch::Contains("logits of shape [2, 10], expected [batch, 9]"));
    CHECK_THAT(model.describe(), Catch::Contains("qshield(4 qubits, full, faithful, mixed noise 0.005"));
}
