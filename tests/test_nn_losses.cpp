// Losses against their closed forms and finite differences; optimizer steps against the update
// rules written out here; a small network that must learn.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn.hpp>

#include <cmath>
#include <functional>
#include <vector>

namespace nn = qhybrid::nn;
using tensor = nn::tensor<double>;

// max |grad - central difference| / max(1, |difference|) for loss f at z.
double loss_gradient_error(const std::function<nn::loss_result<double>(const tensor&)>& f, tensor z) {
    const tensor g = f(z).grad;
    double err = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const double keep = z[i], h = 1e-6;
        z[i] = keep + h;
        const double up = f(z).value;
        z[i] = keep - h;
        const double down = f(z).value;
        z[i] = keep;
        const double numeric = (up - down) / (2 * h);
        err = std::max(err, std::abs(g[i] - numeric) / std::max(1.0, std::abs(numeric)));
    }
    return err;
}

tensor logits_of(qhybrid::rng& r, std::size_t b, std::size_t k) {
    tensor z({b, k});
    for (auto& v : z.values()) v = r.uniform(-3, 3);
    return z;
}

TEST_CASE("cross-entropy with hard and soft labels") {
    qhybrid::rng r(1);
    const tensor z = logits_of(r, 5, 4);
    const std::vector<std::size_t> labels{0, 3, 1, 1, 2};
    double expected = 0;
    for (std::size_t b = 0; b < 5; ++b) {
        double s = 0;
        for (std::size_t k = 0; k < 4; ++k) s += std::exp(z[b * 4 + k]);
        expected += std::log(s) - z[b * 4 + labels[b]];
    }
    CHECK(nn::cross_entropy<double>(z, labels).value == Approx(expected / 5).epsilon(1e-14));
    CHECK(loss_gradient_error([&](const tensor& x) { return nn::cross_entropy<double>(x, labels); }, z) <= 1e-8);
    // One-hot soft labels give the hard-label loss; general soft labels match finite differences.
    tensor onehot({5, 4});
    for (std::size_t b = 0; b < 5; ++b) onehot[b * 4 + labels[b]] = 1;
    CHECK(nn::cross_entropy<double>(z, onehot).value == Approx(expected / 5).epsilon(1e-14));
    tensor soft({5, 4});
    for (std::size_t b = 0; b < 5; ++b) {
        double s = 0;
        for (std::size_t k = 0; k < 4; ++k) s += soft[b * 4 + k] = r.uniform(0, 1);
        for (std::size_t k = 0; k < 4; ++k) soft[b * 4 + k] /= s;
    }
    CHECK(loss_gradient_error([&](const tensor& x) { return nn::cross_entropy<double>(x, soft); }, z) <= 1e-8);
    const std::vector<std::size_t> bad{0, 4, 1, 1, 2};
    CHECK_THROWS_WITH(nn::cross_entropy<double>(z, bad), Catch::Contains("label 4 of row 1"));
    CHECK_THROWS_WITH(nn::cross_entropy<double>(z, std::vector<std::size_t>{0, 1}), Catch::Contains("2 labels for a batch of 5"));
    CHECK_THROWS_WITH(nn::cross_entropy<double>(tensor({5}), labels), Catch::Contains("expected [batch, classes]"));
    CHECK_THROWS_WITH(nn::cross_entropy<double>(z, tensor({5, 3})), Catch::Contains("soft labels of shape [5, 3]"));
}

TEST_CASE("binary cross-entropy, with logits and on probabilities") {
    qhybrid::rng r(2);
    tensor z({6, 1});
    for (auto& v : z.values()) v = r.uniform(-4, 4);
    const std::vector<double> t{0, 1, 1, 0, 0.3, 1};
    double expected = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        const double p = 1 / (1 + std::exp(-z[i]));
        expected -= t[i] * std::log(p) + (1 - t[i]) * std::log(1 - p);
    }
    CHECK(nn::binary_cross_entropy_with_logits<double>(z, t).value == Approx(expected / 6).epsilon(1e-13));
    CHECK(loss_gradient_error([&](const tensor& x) { return nn::binary_cross_entropy_with_logits<double>(x, t); }, z) <= 1e-8);
    tensor p = z;
    for (auto& v : p.values()) v = 1 / (1 + std::exp(-v));
    CHECK(nn::binary_cross_entropy<double>(p, t).value == Approx(expected / 6).epsilon(1e-13));
    CHECK(loss_gradient_error([&](const tensor& x) { return nn::binary_cross_entropy<double>(x, t); }, p) <= 1e-7);
    // Saturated logits stay finite.
    tensor huge({1, 1});
    huge[0] = 800;
    CHECK(nn::binary_cross_entropy_with_logits<double>(huge, std::vector<double>{0}).value == Approx(800));
    tensor one({1, 1}, 1.0);
    CHECK(nn::binary_cross_entropy<double>(one, std::vector<double>{0}).value == 100); // clamped log
    CHECK_THROWS_WITH(nn::binary_cross_entropy<double>(tensor({1, 1}, 1.5), std::vector<double>{0}),
                      Catch::Contains("not a probability"));
    CHECK_THROWS_WITH(nn::binary_cross_entropy_with_logits<double>(z, std::vector<double>{0, 1}),
                      Catch::Contains("2 targets for 6 outputs"));
}

TEST_CASE("entropy of the prediction") {
    qhybrid::rng r(3);
    const tensor z = logits_of(r, 4, 5);
    double expected = 0;
    for (std::size_t b = 0; b < 4; ++b) {
        double s = 0;
        for (std::size_t k = 0; k < 5; ++k) s += std::exp(z[b * 5 + k]);
        for (std::size_t k = 0; k < 5; ++k) {
            const double p = std::exp(z[b * 5 + k]) / s;
            expected -= p * std::log(p);
        }
    }
    CHECK(nn::entropy<double>(z).value == Approx(expected / 4).epsilon(1e-14));
    CHECK(loss_gradient_error([](const tensor& x) { return nn::entropy<double>(x); }, z) <= 1e-8);
    CHECK(nn::entropy<double>(tensor({2, 8})).value == Approx(std::log(8.0)).epsilon(1e-15)); // uniform
}

struct one_weight {
    tensor w{nn::shape_t{2}}, g{nn::shape_t{2}};
    std::vector<nn::parameter<double>> params() { return {{"w", &w, &g}}; }
};

TEST_CASE("SGD with momentum and weight decay follows PyTorch's update rule") {
    one_weight p;
    p.w[0] = 1, p.w[1] = -2;
    nn::sgd<double> opt(p.params(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
    double w = 1, v = 0;
    for (int step = 0; step < 3; ++step) {
        p.g[0] = 0.5 * step - 0.3;
        const double d = p.g[0] + 0.01 * w;
        v = 0.9 * v + d;
        w -= 0.1 * v;
        opt.step();
        CHECK(p.w[0] == Approx(w).epsilon(1e-15));
    }
}

TEST_CASE("Adam and AdamW follow their update rules") {
    for (bool decoupled : {false, true}) {
        one_weight p;
        p.w[0] = 0.7;
        nn::adam<double> opt(p.params(), {.lr = 0.01, .weight_decay = 0.1, .decoupled = decoupled});
        double w = 0.7, m = 0, v = 0;
        for (int t = 1; t <= 4; ++t) {
            p.g[0] = std::sin(double(t));
            double d = p.g[0];
            if (decoupled) w -= 0.01 * 0.1 * w;
            else d += 0.1 * w;
            m = 0.9 * m + 0.1 * d;
            v = 0.999 * v + 0.001 * d * d;
            w -= 0.01 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
            opt.step();
            CHECK(p.w[0] == Approx(w).epsilon(1e-14));
        }
    }
}

TEST_CASE("a small network learns a non-linear rule (two interleaved spirals of points)") {
    qhybrid::rng r(4);
    const std::size_t n = 200;
    tensor x({n, 2});
    std::vector<std::size_t> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = r.uniform(0.5, 3.0), cls = double(i % 2);
        x[2 * i] = t * std::cos(2 * t + cls * M_PI);
        x[2 * i + 1] = t * std::sin(2 * t + cls * M_PI);
        y[i] = i % 2;
    }
    nn::sequential<double> net;
    net.add<nn::dense<double>>(2, 32, r).add<nn::tanh<double>>().add<nn::dense<double>>(32, 32, r).add<nn::tanh<double>>()
        .add<nn::dense<double>>(32, 2, r);
    nn::adam<double> opt(net.parameters(), {.lr = 0.01});
    double first = 0, last = 0;
    for (int epoch = 0; epoch < 600; ++epoch) {
        net.zero_grad();
        const auto loss = nn::cross_entropy<double>(net.forward(x, nn::mode::train), y);
        net.backward(loss.grad);
        opt.step();
        (epoch == 0 ? first : last) = loss.value;
    }
    const tensor z = net.forward(x, nn::mode::eval);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < n; ++i) correct += (z[2 * i + 1] > z[2 * i]) == (y[i] == 1);
    INFO("loss " << first << " -> " << last << ", accuracy " << correct << "/" << n);
    CHECK(last < first / 4);
    CHECK(correct >= 190);
}
