// SPDX-License-Identifier: Apache-2.0
// robust/: the attacks against a PyTorch re-implementation from the papers' definitions
// (tests/reference/make_attack_reference.py), closed forms on linear models, finite differences
// for the losses, and the contract every attack keeps (ball, box, determinism, bad input).
#include "reference_rows.hpp"
#include "thread_group.hpp"

#include <qhybrid/dist/study.hpp>
#include <qhybrid/nn.hpp>
#include <qhybrid/robust.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <numeric>
#include <string>
#include <unistd.h>
#include <vector>

namespace nn = qhybrid::nn;
namespace rb = qhybrid::robust;
using qhybrid::rng;
using simulated::on_processes;
using simulated::thread_group;

namespace {

std::vector<double> numbers(const std::vector<std::string>& fields, std::size_t from) {
    std::vector<double> v;
    for (std::size_t i = from; i < fields.size(); ++i) v.push_back(std::stod(fields[i]));
    return v;
}

// A linear classifier z = x W + b with the given W [in, classes] and b.
nn::sequential<double> linear(const std::vector<double>& w, const std::vector<double>& b) {
    rng gen(1);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(w.size() / b.size(), b.size(), gen);
    auto p = net.parameters();
    std::copy(w.begin(), w.end(), p[0].value->data());
    std::copy(b.begin(), b.end(), p[1].value->data());
    return net;
}

// sum of logits(x) * dz: a scalar whose input gradient is input_gradient(dz).
template <class M>
double weighted_logits(M& model, const nn::tensor<double>& x, const nn::tensor<double>& dz, rng& gen) {
    const auto z = model.logits(x, gen);
    double s = 0;
    for (std::size_t i = 0; i < z.size(); ++i) s += z[i] * dz[i];
    return s;
}

// The two-class linear model of the closed-form tests: W [6, 2] and b.
const std::vector<double> two_class_w = {0.8, -0.3, -1.1, 0.4, 0.05, -0.9, 0.6, 0.2, -0.7, 0.5, 1.3, -0.2};
const std::vector<double> two_class_b = {0.1, -0.2};

nn::tensor<double> batch_of(std::size_t rows, std::size_t cols, rng& gen, double lo = 0, double hi = 1) {
    nn::tensor<double> x({rows, cols});
    for (auto& v : x.values()) v = gen.uniform(lo, hi);
    return x;
}

} // namespace

TEST_CASE("FGSM, FGM, PGD, APGD, MI-FGSM, DeepFool and Carlini-Wagner equal a PyTorch re-implementation to 1e-12", "[robust]") {
    const auto weights = ref::reference_rows("attack_reference.csv", "weight");
    rng gen(1);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(6, 8, gen).add<nn::tanh<double>>().add<nn::dense<double>>(8, 4, gen);
    auto params = net.parameters();
    REQUIRE(params.size() == weights.size());
    for (std::size_t k = 0; k < params.size(); ++k) {
        const auto v = numbers(weights[k], 4);
        REQUIRE(v.size() == params[k].value->size());
        std::copy(v.begin(), v.end(), params[k].value->data());
    }
    nn::tensor<double> x({5, 6});
    const auto inputs = ref::reference_rows("attack_reference.csv", "input");
    for (std::size_t b = 0; b < 5; ++b) {
        const auto v = numbers(inputs[b], 1);
        std::copy(v.begin(), v.end(), x.row(b).begin());
    }
    std::vector<std::size_t> labels;
    for (double v : numbers(ref::reference_rows("attack_reference.csv", "label")[0], 1)) labels.push_back(std::size_t(v));
    rb::network model(net);
    for (const auto& c : ref::reference_rows("attack_reference.csv", "case")) {
        INFO(c[1]);
        const rb::threat t{.p = c[2] == "linf" ? rb::norm::linf : rb::norm::l2, .epsilon = std::stod(c[3])};
        const auto loss = c[6] == "ce" ? rb::attack_loss::cross_entropy : rb::attack_loss::dlr;
        std::vector<std::size_t> targets;
        if (c[6] == "dlr_t" || c[6] == "margin_t")
            for (auto y : labels) targets.push_back((y + 1) % 4);
        const auto want = numbers(c, 7);
        const std::size_t steps = std::stoul(c[4]);
        const auto got = c[1].starts_with("apgd") ? rb::apgd(model, x, labels, {.t = t, .steps = steps, .random_start = false,
                                                                                .loss = loss, .targets = targets})
                         : c[1].starts_with("mi_fgsm") ? rb::mi_fgsm(model, x, labels, {.t = t, .steps = steps})
                         : c[1].starts_with("deepfool") ? rb::deepfool(model, x, labels, {.p = t.p})
                         : c[1].starts_with("carlini_wagner") ? rb::carlini_wagner(model, x, labels, {.search_steps = 5, .iterations = steps,
                                                                                                      .targets = targets})
                         : steps == 1 ? rb::fgsm(model, x, labels, {.t = t, .loss = loss})
                                      : rb::pgd(model, x, labels, {.t = t, .steps = steps, .step_size = std::stod(c[5]),
                                                                   .random_start = false, .loss = loss});
        REQUIRE(got.adversarial.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) CHECK(got.adversarial[i] == Approx(want[i]).margin(1e-12).epsilon(0));
        if (!c[1].starts_with("deepfool") && !c[1].starts_with("carlini")) CHECK(got.gradient_evaluations == 5 * steps);
    }
}

TEST_CASE("On a two-class linear model FGSM, PGD, Square and SPSA reach the closed-form worst case, DeepFool the boundary in one step", "[robust]") {
    // z_other - z_y = (w_o - w_y).x + (b_o - b_y): its cross-entropy gradient is p_o (w_o - w_y) at
    // every x, so the L-inf attack goes to the corner x + eps sign(w_o - w_y) and the L2 attack to
    // x + eps (w_o - w_y) / |w_o - w_y|; the sample is fooled iff the margin falls below the attack's
    // reach: (w_y - w_o).x + b_y - b_o < eps |w_y - w_o|_1 (L-inf) or eps |w_y - w_o|_2 (L2).
    const auto& w = two_class_w;
    const auto& bias = two_class_b;
    auto net = linear(w, bias);
    rb::network model(net);
    rng gen(7);
    const double eps = 0.1;
    const auto x = batch_of(64, 6, gen, eps, 1 - eps); // the box never binds
    std::vector<std::size_t> labels(64);
    for (std::size_t b = 0; b < 64; ++b) labels[b] = b % 2;
    for (const auto p : {rb::norm::linf, rb::norm::l2}) {
        INFO(rb::to_string(p));
        const rb::threat t{.p = p, .epsilon = eps};
        const auto one = rb::fgsm(model, x, labels, {.t = t});
        // From an L2 random start the part of it across w_o - w_y only shrinks geometrically, so
        // there the exact end point needs the clean start.
        const auto many = rb::pgd(model, x, labels, {.t = t, .steps = 20, .random_start = p == rb::norm::linf, .restarts = 2, .seed = 3});
        const auto fool = rb::deepfool(model, x, labels, {.p = p});
        // Square, from the outputs alone, on the 6 features (windows of features); its L2 search
        // does not reach the exact optimum (its own test below bounds how close it gets).
        const auto searched = p == rb::norm::linf ? rb::square(model, x, labels, {.t = t, .queries = 2000, .seed = 5}) : one;
        const auto estimated = p == rb::norm::linf ? rb::spsa(model, x, labels, {.t = t, .seed = 5}) : one;
        CHECK(fool.fooled_rate() == 1);
        std::size_t correct = 0; // one candidate; one iteration each unless the box cuts the step short
        const auto clean = nn::argmax_rows(net.forward(x, nn::mode::eval));
        for (std::size_t b = 0; b < 64; ++b) correct += clean[b] == labels[b];
        CHECK(fool.gradient_evaluations >= correct);
        std::size_t one_step = 0; // samples whose DeepFool step the box leaves whole
        for (std::size_t b = 0; b < 64; ++b) {
            const std::size_t y = labels[b], o = 1 - y;
            double margin = bias[y] - bias[o], l1 = 0, l2 = 0;
            std::vector<double> d(6);
            for (std::size_t i = 0; i < 6; ++i) {
                d[i] = w[i * 2 + o] - w[i * 2 + y];
                margin -= d[i] * x.row(b)[i];
                l1 += std::abs(d[i]), l2 += d[i] * d[i];
            }
            l2 = std::sqrt(l2);
            for (std::size_t i = 0; i < 6; ++i) {
                const double corner = p == rb::norm::linf ? x.row(b)[i] + eps * ((d[i] > 0) - (d[i] < 0)) : x.row(b)[i] + eps * d[i] / l2;
                CHECK(one.adversarial.row(b)[i] == Approx(corner).margin(1e-15));
                CHECK(many.adversarial.row(b)[i] == Approx(corner).margin(1e-12));
            }
            // DeepFool's first step lands just past the boundary: x + 1.02 (|f| / |w|_q + 1e-4) u,
            // u = w / |w|_2 (L2) or sign(w) (L-inf, q = 1), f = -margin, w = w_o - w_y.
            const double lp = p == rb::norm::linf ? l1 : l2;
            bool inside = true;
            std::vector<double> crossed(6);
            for (std::size_t i = 0; i < 6; ++i) {
                const double u = p == rb::norm::linf ? double((d[i] > 0) - (d[i] < 0)) : d[i] / l2;
                crossed[i] = x.row(b)[i] + 1.02 * (std::abs(margin) / lp + 1e-4) * u;
                inside &= crossed[i] >= 0 && crossed[i] <= 1;
            }
            if (inside && margin > 0) {
                ++one_step;
                for (std::size_t i = 0; i < 6; ++i) CHECK(fool.adversarial.row(b)[i] == Approx(crossed[i]).margin(1e-14));
            }
            const double reach = eps * (p == rb::norm::linf ? l1 : l2);
            if (std::abs(margin - reach) > 1e-9) {
                CHECK(bool(one.fooled[b]) == (margin < reach));
                CHECK(bool(many.fooled[b]) == (margin < reach));
                if (p == rb::norm::linf && std::abs(margin - reach) > 1e-3) {
                    CHECK(bool(searched.fooled[b]) == (margin < reach));
                    CHECK(bool(estimated.fooled[b]) == (margin < reach));
                }
            }
        }
        CHECK(one_step >= 15);
    }
}

TEST_CASE("The attack losses' gradients agree with central differences, and DLR ignores the logits' scale and shift", "[robust]") {
    rng gen(11);
    nn::tensor<double> z({4, 5});
    for (auto& v : z.values()) v = gen.uniform(-3, 3);
    const std::vector<std::size_t> labels = {0, 4, 2, 2};
    const std::vector<std::size_t> targets = {1, 0, 4, 3};
    for (const auto l : {rb::attack_loss::cross_entropy, rb::attack_loss::dlr, rb::attack_loss::margin})
        for (const bool targeted : {false, true}) {
            INFO(rb::to_string(l) << (targeted ? ", targeted" : ""));
            const std::span<const std::size_t> t = targeted ? std::span<const std::size_t>(targets) : std::span<const std::size_t>();
            const auto r = rb::loss_of(l, z, labels, t);
            for (std::size_t i = 0; i < z.size(); ++i) {
                auto up = z, down = z;
                const double h = 1e-6;
                up[i] += h, down[i] -= h;
                double sum_up = 0, sum_down = 0;
                for (double v : rb::loss_of(l, up, labels, t).values) sum_up += v;
                for (double v : rb::loss_of(l, down, labels, t).values) sum_down += v;
                CHECK(r.gradient[i] == Approx((sum_up - sum_down) / (2 * h)).margin(1e-8));
            }
        }
    auto affine = z;
    for (auto& v : affine.values()) v = 3 * v + 2;
    const auto a = rb::dlr(z, labels).values, b = rb::dlr(affine, labels).values;
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == Approx(a[i]).margin(1e-12));
    // Cross-entropy is log-sum-exp minus the label's logit, stable for large logits.
    nn::tensor<double> big({1, 3}, std::vector<double>{1000, 0, -1000});
    const std::size_t second[] = {1};
    CHECK(rb::cross_entropy(big, second).values[0] == Approx(1000).margin(1e-9));
}

TEST_CASE("PGD, Square and VMI-FGSM stay in the ball and the box and give the same bits however samples are batched, and PGD gains with restarts",
          "[robust]") {
    rng gen(5);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(10, 16, gen).add<nn::tanh<double>>().add<nn::dense<double>>(16, 3, gen);
    rb::network model(net);
    const auto x = batch_of(6, 10, gen);
    const std::vector<std::size_t> labels = {0, 1, 2, 0, 1, 2};
    for (const auto p : {rb::norm::linf, rb::norm::l2}) {
        INFO(rb::to_string(p));
        const rb::pgd_options o{.t = {.p = p, .epsilon = p == rb::norm::linf ? 0.05 : 0.2}, .steps = 8, .restarts = 3, .seed = 9};
        const auto all = rb::pgd(model, x, labels, o);
        for (std::size_t b = 0; b < 6; ++b) {
            double l2 = 0, linf = 0;
            for (std::size_t i = 0; i < 10; ++i) {
                const double v = all.adversarial.row(b)[i], d = v - x.row(b)[i];
                CHECK((v >= 0 && v <= 1));
                l2 += d * d, linf = std::max(linf, std::abs(d));
            }
            CHECK((p == rb::norm::linf ? linf : std::sqrt(l2)) <= o.t.epsilon * (1 + 1e-12));
        }
        // Rows 3-5 alone, named by their ids: the same random starts, the same result.
        nn::tensor<double> tail({3, 10});
        std::copy(x.row(3).begin(), x.row(5).end(), tail.data());
        auto o_tail = o;
        o_tail.first_sample = 3;
        const std::vector<std::size_t> tail_labels(labels.begin() + 3, labels.end());
        const auto part = rb::pgd(model, tail, tail_labels, o_tail);
        for (std::size_t i = 0; i < tail.size(); ++i) CHECK(part.adversarial[i] == all.adversarial[3 * 10 + i]);
        // Restart 0 is the same in both runs, so more restarts never fool fewer samples.
        auto o_one = o;
        o_one.restarts = 1;
        const auto one = rb::pgd(model, x, labels, o_one);
        for (std::size_t b = 0; b < 6; ++b) CHECK(all.fooled[b] >= one.fooled[b]);
        { // Square: each sample's own stream, so batching changes nothing
            const rb::square_options sq{.t = o.t, .queries = 200, .seed = 9};
            auto sq_tail = sq;
            sq_tail.first_sample = 3;
            const auto s_all = rb::square(model, x, labels, sq), s_part = rb::square(model, tail, tail_labels, sq_tail);
            for (std::size_t i = 0; i < tail.size(); ++i) CHECK(s_part.adversarial[i] == s_all.adversarial[3 * 10 + i]);
            for (std::size_t i = 0; i < x.size(); ++i) CHECK((s_all.adversarial[i] >= 0 && s_all.adversarial[i] <= 1));
            const auto d = rb::distance(x, s_all.adversarial, p);
            for (double v : d) CHECK(v <= o.t.epsilon * (1 + 1e-12));
        }
        // VMI-FGSM's random neighbours are keyed by sample id too; with no neighbours it is MI-FGSM.
        const rb::momentum_options vmi{.t = o.t, .variance_samples = 5, .seed = 9}, vmi_tail{.t = o.t, .variance_samples = 5, .seed = 9,
                                                                                          .first_sample = 3};
        const auto v_all = rb::mi_fgsm(model, x, labels, vmi), v_part = rb::mi_fgsm(model, tail, tail_labels, vmi_tail);
        for (std::size_t i = 0; i < tail.size(); ++i) CHECK(v_part.adversarial[i] == v_all.adversarial[3 * 10 + i]);
        CHECK(v_all.gradient_evaluations == 6 * 10 * 6);
        auto no_variance = vmi;
        no_variance.variance_samples = 0;
        const auto mi = rb::mi_fgsm(model, x, labels, no_variance), mi_again = rb::mi_fgsm(model, x, labels, {.t = o.t});
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(mi.adversarial[i] == mi_again.adversarial[i]);
        // A step size of its own (torchattacks' alpha): 2 steps of epsilon / 4 reach at most epsilon / 2.
        const auto short_steps = rb::mi_fgsm(model, x, labels, {.t = o.t, .steps = 2, .step_size = o.t.epsilon / 4});
        for (double v : rb::distance(x, short_steps.adversarial, p)) CHECK(v <= o.t.epsilon / 2 * (1 + 1e-12));
        // The variance term changes the path (under L-inf this nearly linear network's signs agree).
        bool moved = false;
        for (std::size_t i = 0; i < x.size(); ++i) moved |= v_all.adversarial[i] != mi.adversarial[i];
        if (p == rb::norm::l2) CHECK(moved);
    }
    for (const auto& p : net.parameters())
        for (double g : p.grad->values()) REQUIRE(g == 0); // attacking leaves no parameter gradient behind
}

TEST_CASE("Square halves its window's share at 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 of 10,000 queries", "[robust]") {
    CHECK(rb::square_fraction(0.8, 10, 10000) == 0.8);
    CHECK(rb::square_fraction(0.8, 11, 10000) == 0.4);
    CHECK(rb::square_fraction(0.8, 501, 10000) == 0.8 / 16);
    CHECK(rb::square_fraction(0.8, 9999, 10000) == 0.8 / 512);
    CHECK(rb::square_fraction(0.8, 6, 5000) == 0.4); // rescaled: query 6 of 5,000 is 12 of 10,000
}

TEST_CASE("Square L2's window profile equals the authors' code", "[robust]") {
    // tests/reference/make_square_reference.py runs the authors' own functions.
    for (const auto& r : ref::reference_rows("square_reference.csv", "bump")) {
        const std::size_t rows = std::stoul(r[1]), cols = std::stoul(r[2]);
        INFO("bump " << rows << " x " << cols);
        const auto want = numbers(r, 3), got = rb::square_bump(rows, cols);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).margin(1e-15).epsilon(0));
    }
    for (const auto& r : ref::reference_rows("square_reference.csv", "profile")) {
        const std::size_t side = std::stoul(r[1]);
        INFO("profile " << side);
        const auto want = numbers(r, 2), got = rb::square_profile(side, side), across = rb::square_profile(side, side, true);
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < side; ++i)
            for (std::size_t j = 0; j < side; ++j) {
                CHECK(got[i * side + j] == Approx(want[i * side + j]).margin(1e-15).epsilon(0));
                CHECK(across[i * side + j] == Approx(want[j * side + i]).margin(1e-15).epsilon(0)); // the authors' np.transpose
            }
    }
}

TEST_CASE("Square L2 spends its whole budget, keeps the box and fools a linear model close to the closed-form worst case", "[robust]") {
    // A two-class linear model on 1 x 8 x 8 images, each sample correct: within L2 radius eps the
    // best attack lowers the margin m = (w_y - w_o).x + b_y - b_o by eps |w_y - w_o|_2. A random
    // search of 3,000 queries should fool every sample that needs at most 60% of that reach, and no
    // attack can fool one that needs more than all of it.
    rng gen(11);
    std::vector<double> w(64 * 2);
    for (auto& v : w) v = gen.normal();
    auto net = linear(w, {0.0, 0.0});
    rb::network flat_model(net);
    struct image_model { // the same model on [batch, 1, 8, 8]
        using value_type = double;
        rb::network<double>& inner;
        nn::tensor<double> logits(const nn::tensor<double>& x, rng& g) {
            return inner.logits(nn::tensor<double>({x.dim(0), 64}, std::vector<double>(x.values().begin(), x.values().end())), g);
        }
        nn::tensor<double> input_gradient(const nn::tensor<double>& dz) {
            const auto g = inner.input_gradient(dz);
            return nn::tensor<double>({g.dim(0), 1, 8, 8}, std::vector<double>(g.values().begin(), g.values().end()));
        }
    } model{flat_model};
    const double eps = 0.3;
    nn::tensor<double> x({40, 1, 8, 8});
    for (auto& v : x.values()) v = gen.uniform(0.3, 0.7);
    const nn::tensor<double> rows({40, 64}, std::vector<double>(x.values().begin(), x.values().end()));
    const auto labels = nn::argmax_rows(net.forward(rows, nn::mode::eval));
    const rb::threat t{.p = rb::norm::l2, .epsilon = eps};
    std::vector<double> needed(40); // the share of the best attack's reach each sample needs
    for (std::size_t b = 0; b < 40; ++b) {
        const std::size_t y = labels[b], o = 1 - y;
        double margin = 0, length = 0;
        for (std::size_t i = 0; i < 64; ++i) {
            const double dw = w[i * 2 + y] - w[i * 2 + o];
            margin += dw * rows[b * 64 + i], length += dw * dw;
        }
        needed[b] = margin / (eps * std::sqrt(length));
    }
    CHECK(std::count_if(needed.begin(), needed.end(), [](double v) { return v < 0.6; }) >= 10);
    CHECK(std::count_if(needed.begin(), needed.end(), [](double v) { return v > 1; }) >= 10);
    // As images (square windows) and as 64 flat features (windows are runs): the same contract.
    const auto as_images = rb::square(model, x, labels, {.t = t, .queries = 3000, .seed = 2});
    const auto as_runs = rb::square(flat_model, rows, labels, {.t = t, .queries = 3000, .seed = 2});
    for (const auto* res : {&as_images, &as_runs}) {
        const auto d = rb::distance(res == &as_images ? x : rows, res->adversarial, rb::norm::l2);
        for (std::size_t b = 0; b < 40; ++b) {
            INFO("sample " << b << " needs " << needed[b] << " of the reach, moved " << d[b]);
            CHECK(d[b] <= eps * (1 + 1e-12));
            if (!res->fooled[b]) CHECK(d[b] > eps * 0.98); // the budget is spent (the box binds little here)
            if (needed[b] < 0.6) CHECK(res->fooled[b]);
            if (needed[b] > 1) CHECK(!res->fooled[b]);
        }
        for (double v : res->adversarial.values()) CHECK((v >= 0 && v <= 1));
    }
}

TEST_CASE("APGD checks its step at the paper's checkpoints", "[robust]") {
    // p: 0, 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 (Croce & Hein 2020, section 3.2).
    CHECK(rb::apgd_checkpoints(100) == std::vector<std::size_t>{22, 41, 57, 70, 80, 87, 93, 99});
    CHECK(rb::apgd_checkpoints(20) == std::vector<std::size_t>{5, 9, 12, 14, 16, 18, 19, 20});
    CHECK(rb::apgd_checkpoints(1) == std::vector<std::size_t>{1, 1, 1, 1, 1, 1, 1, 1});
}

// Three Gaussian classes in [0, 1]^10, a tanh MLP trained to separate them (after `front`, a
// layer put before it, if any), and the samples it classifies correctly.
struct trained_blobs {
    nn::sequential<double> net;
    nn::tensor<double> x;
    std::vector<std::size_t> labels;

    explicit trained_blobs(std::unique_ptr<nn::layer<double>> front = nullptr, std::size_t classes = 3) {
        rng gen(21);
        const std::size_t n = 100 * classes, d = 10;
        nn::labelled<double> data{nn::tensor<double>({n, d}), std::vector<std::size_t>(n)};
        for (std::size_t i = 0; i < n; ++i) {
            data.y[i] = i % classes;
            for (std::size_t k = 0; k < d; ++k)
                data.x.row(i)[k] = std::clamp(0.5 + 0.15 * ((k % classes == data.y[i]) ? 1.0 : -0.5) + 0.1 * gen.normal(), 0.0, 1.0);
        }
        if (front) net.add(std::move(front));
        net.add<nn::dense<double>>(d, 32, gen).add<nn::tanh<double>>().add<nn::dense<double>>(32, classes, gen);
        nn::adam<double> opt(net.parameters(), {.lr = 1e-2});
        nn::fit(net, opt, data, nullptr, {.epochs = 30, .batch_size = 32, .seed = 2, .progress = false});
        REQUIRE(nn::evaluate(net, data, 100).accuracy > 0.95);
        std::vector<std::size_t> rows;
        const auto predicted = nn::argmax_rows(net.forward(data.x, nn::mode::eval));
        for (std::size_t i = 0; i < n; ++i)
            if (predicted[i] == data.y[i]) rows.push_back(i), labels.push_back(data.y[i]);
        x = nn::gather_rows(data.x, rows);
    }
};

TEST_CASE("On a trained classifier success grows with epsilon to 100%, PGD is never weaker than FGSM nor APGD than PGD", "[robust]") {
    // (On this nearly linear problem the three agree to within a few samples; which attack is
    // stronger on real models is measured by the examples, not asserted here.)
    trained_blobs m;
    rb::network model(m.net);
    double last = 0;
    for (const double eps : {0.01, 0.03, 0.06, 0.1, 0.2, 0.5}) {
        INFO("epsilon " << eps);
        const rb::threat t{.epsilon = eps};
        const double one = rb::fgsm(model, m.x, m.labels, {.t = t}).fooled_rate();
        const double iterative = rb::pgd(model, m.x, m.labels, {.t = t, .steps = 20, .seed = 1}).fooled_rate();
        const double adaptive = rb::apgd(model, m.x, m.labels, {.t = t, .steps = 20, .seed = 1}).fooled_rate();
        CHECK(iterative >= one);
        CHECK(adaptive >= iterative);
        CHECK(iterative >= last);
        last = iterative;
        if (eps == 0.5) CHECK(adaptive == 1.0);
        if (eps == 0.06) CHECK((one < 1 && iterative > 0));
    }
}

namespace {

// A random defence that masks gradients: each call adds to every logit a small ripple of high
// frequency, A sin(w u.x + phi_k), with a fresh random direction u and phases phi. The ripple
// barely moves the logits (A = 0.01) but its gradient (A w = 60) swamps the network's, and it
// averages to zero over the phases: one draw's gradient points anywhere, the mean of many
// points where the network's does.
class rippled {
public:
    using value_type = double;
    explicit rippled(nn::layer<double>& net) : net_(net) {}
    nn::tensor<double> logits(const nn::tensor<double>& x, rng& gen) {
        nn::tensor<double> z = net_.logits(x, gen);
        const std::size_t d = x.row_size(), k = z.dim(1);
        u_.assign(d, 0);
        double length = 0;
        for (auto& v : u_) v = gen.normal(), length += v * v;
        for (auto& v : u_) v /= std::sqrt(length);
        phases_.resize(k);
        for (auto& p : phases_) p = gen.uniform(0, 2 * std::numbers::pi);
        projections_.assign(x.dim(0), 0);
        for (std::size_t b = 0; b < x.dim(0); ++b) {
            for (std::size_t i = 0; i < d; ++i) projections_[b] += u_[i] * x.row(b)[i];
            for (std::size_t c = 0; c < k; ++c) z.row(b)[c] += amplitude * std::sin(frequency * projections_[b] + phases_[c]);
        }
        return z;
    }
    nn::tensor<double> input_gradient(const nn::tensor<double>& dz) {
        nn::tensor<double> dx = net_.input_gradient(dz);
        for (std::size_t b = 0; b < dx.dim(0); ++b) {
            double s = 0;
            for (std::size_t c = 0; c < dz.dim(1); ++c)
                s += dz.row(b)[c] * amplitude * frequency * std::cos(frequency * projections_[b] + phases_[c]);
            for (std::size_t i = 0; i < u_.size(); ++i) dx.row(b)[i] += s * u_[i];
        }
        return dx;
    }

private:
    static constexpr double amplitude = 0.01, frequency = 6000;
    rb::network<double> net_;
    std::vector<double> u_, phases_, projections_;
};

// A random layer in evaluation mode, as the faithful QShield is: y = x (1 + u / 5), u uniform in
// [-1, 1] afresh for every entry of every call, from its own generator.
class jitter : public nn::layer_base<jitter, double> {
public:
    explicit jitter(std::uint64_t seed) : gen_(seed) {}
    void reseed(std::uint64_t seed) override { gen_ = rng(seed); }
    nn::tensor<double> forward(const nn::tensor<double>& x, nn::mode) override {
        factors_ = nn::tensor<double>(x.shape());
        nn::tensor<double> y = x;
        for (std::size_t i = 0; i < y.size(); ++i) factors_[i] = 1 + gen_.uniform(-1, 1) / 5, y[i] *= factors_[i];
        return y;
    }
    nn::tensor<double> backward(const nn::tensor<double>& dy) override {
        nn::tensor<double> dx = dy;
        for (std::size_t i = 0; i < dx.size(); ++i) dx[i] *= factors_[i];
        return dx;
    }
    std::string describe() const override { return "jitter"; }

private:
    rng gen_;
    nn::tensor<double> factors_;
};

// A model seen only as an attack_model, so EOT runs the whole backward pass for every draw.
template <class M>
struct per_draw {
    using value_type = double;
    M* model;
    nn::tensor<double> logits(const nn::tensor<double>& x, rng& gen) { return model->logits(x, gen); }
    nn::tensor<double> input_gradient(const nn::tensor<double>& dz) { return model->input_gradient(dz); }
};

// EOT on a front_end_model (front end once, the draws' cotangents summed) against every draw's
// own backward pass, and the features of a new input against a fresh model's.
template <class M>
void check_front_end_eot(M& model, jitter& noise, M& fresh, const nn::tensor<double>& x, const nn::tensor<double>& other) {
    static_assert(rb::front_end_model<M> && !rb::front_end_model<per_draw<M>>);
    const std::vector<std::size_t> labels = {0, 1};
    const std::vector<std::uint64_t> ids(2);
    const rb::attack_batch<double> batch{x, labels, {}, ids};
    rng gen(5);
    noise.reseed(9);
    const auto summed = rb::detail::evaluate(model, x, batch, rb::attack_loss::cross_entropy, gen, true, 6);
    noise.reseed(9);
    per_draw<M> slow{&model};
    const auto each = rb::detail::evaluate(slow, x, batch, rb::attack_loss::cross_entropy, gen, true, 6);
    CHECK(summed.loss.values == each.loss.values);
    CHECK(summed.fooled == each.fooled);
    REQUIRE(summed.gradient.shape() == x.shape());
    double largest = 0;
    for (double v : each.gradient.values()) largest = std::max(largest, std::abs(v));
    REQUIRE(largest > 0);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(summed.gradient[i] == Approx(each.gradient[i]).margin(1e-13 * largest));
    // The cache follows the input: a new signal (one sample changed) gives a fresh model's logits.
    noise.reseed(3);
    const auto z = model.logits(other, gen);
    noise.reseed(3);
    const auto expected = fresh.logits(other, gen);
    CHECK(std::equal(z.values().begin(), z.values().end(), expected.values().begin(), expected.values().end()));
}

// A quantiser: x rounded to multiples of 1/8. Its derivative is 0 wherever it exists.
class quantiser : public nn::layer_base<quantiser, double> {
public:
    nn::tensor<double> forward(const nn::tensor<double>& x, nn::mode) override {
        nn::tensor<double> y = x;
        for (auto& v : y.values()) v = std::round(v * 8) / 8;
        shape_ = x.shape();
        return y;
    }
    nn::tensor<double> backward(const nn::tensor<double>&) override { return nn::tensor<double>(shape_); }
    std::string describe() const override { return "quantiser(1/8)"; }

private:
    nn::shape_t shape_;
};

// The share of samples whose class, as the mean probabilities over 64 draws decide it, is wrong.
template <class M>
double fooled_on_average(M& model, const nn::tensor<double>& adv, const std::vector<std::size_t>& labels) {
    const std::vector<std::uint64_t> ids(labels.size());
    rng gen(12345);
    const auto e = rb::detail::evaluate(model, adv, rb::attack_batch<double>{adv, labels, {}, ids}, rb::attack_loss::cross_entropy, gen,
                                        false, 64);
    return double(std::count(e.fooled.begin(), e.fooled.end(), 1)) / double(labels.size());
}

} // namespace

TEST_CASE("EOT recovers the attack on a random defence that one draw per step misses", "[robust]") {
    trained_blobs m;
    std::vector<std::size_t> first(100); // 100 samples keep the sanitizer build's run short
    std::iota(first.begin(), first.end(), std::size_t{0});
    const auto x = nn::gather_rows(m.x, first);
    const std::vector<std::size_t> labels(m.labels.begin(), m.labels.begin() + 100);
    rb::network bare(m.net);
    rippled defended(m.net);
    const rb::pgd_options o{.t = {.epsilon = 0.1}, .steps = 10, .seed = 4};
    auto with_eot = o;
    with_eot.eot = 200;
    const double plain = fooled_on_average(defended, rb::pgd(defended, x, labels, o).adversarial, labels);
    const double eot = fooled_on_average(defended, rb::pgd(defended, x, labels, with_eot).adversarial, labels);
    // The same attack on the network without its ripple: what the defence really adds.
    const double undefended = rb::pgd(bare, x, labels, o).fooled_rate();
    INFO("fooled: one draw " << plain << ", EOT-200 " << eot << ", without the defence " << undefended);
    CHECK(plain < undefended - 0.1);
    CHECK(eot >= undefended - 0.03);
}

TEST_CASE("BPDA recovers gradient attacks on a model behind a quantiser, and Square needs no gradient", "[robust]") {
    trained_blobs plain_model;
    trained_blobs quantised(std::make_unique<quantiser>());
    nn::sequential<double> bpda_net;
    bpda_net.add(std::make_unique<rb::bpda<double>>(std::make_unique<quantiser>()));
    {
        auto from = quantised.net.parameters();
        rng gen(1);
        bpda_net.add<nn::dense<double>>(10, 32, gen).add<nn::tanh<double>>().add<nn::dense<double>>(32, 3, gen);
        auto to = bpda_net.parameters();
        REQUIRE(from.size() == to.size());
        for (std::size_t k = 0; k < from.size(); ++k) *to[k].value = *from[k].value;
    }
    CHECK(bpda_net.describe() == quantised.net.describe());
    const rb::pgd_options o{.t = {.epsilon = 0.1}, .steps = 20, .random_start = false, .seed = 4};
    rb::network masked(quantised.net), unmasked(bpda_net);
    const auto without = rb::pgd(masked, quantised.x, quantised.labels, o);
    const auto with = rb::pgd(unmasked, quantised.x, quantised.labels, o);
    // The BPDA attack's inputs are judged by the real model, quantiser and all.
    std::vector<std::uint8_t> judged(quantised.labels.size());
    const auto predicted = nn::argmax_rows(quantised.net.forward(with.adversarial, nn::mode::eval));
    for (std::size_t b = 0; b < judged.size(); ++b) judged[b] = predicted[b] != quantised.labels[b];
    CHECK(judged == with.fooled);
    INFO("fooled: without BPDA " << without.fooled_rate() << ", with " << with.fooled_rate());
    CHECK(without.fooled_rate() == 0); // zero gradients: the attack never moves
    CHECK(with.fooled_rate() > 0.5);
    // Square needs no gradient: it finds what BPDA finds, or more.
    const auto searched = rb::square(masked, quantised.x, quantised.labels, {.t = o.t, .queries = 1000, .seed = 4});
    INFO("Square " << searched.fooled_rate());
    CHECK(searched.fooled_rate() >= with.fooled_rate() - 0.05);
    CHECK(searched.forward_evaluations <= 1000 * quantised.labels.size());
}

TEST_CASE("Transfer: inputs made on a surrogate, judged by the target", "[robust]") {
    trained_blobs target;
    rng gen(33);
    nn::sequential<double> other; // another network of its kind, trained from another start
    other.add<nn::dense<double>>(10, 16, gen).add<nn::relu<double>>().add<nn::dense<double>>(16, 3, gen);
    {
        nn::labelled<double> data{target.x, target.labels};
        nn::adam<double> opt(other.parameters(), {.lr = 1e-2});
        nn::fit(other, opt, data, nullptr, {.epochs = 30, .batch_size = 32, .seed = 7, .progress = false});
    }
    rb::network model(target.net), surrogate(other);
    const rb::threat t{.epsilon = 0.1};
    const auto white = rb::mi_fgsm(model, target.x, target.labels, {.t = t});
    const auto same = rb::transfer(model, target.x, target.labels, white);
    CHECK(same.fooled == white.fooled); // made on the target itself: the white-box verdicts
    const auto made = rb::mi_fgsm(surrogate, target.x, target.labels, {.t = t});
    const auto moved = rb::transfer(model, target.x, target.labels, made);
    INFO("white-box " << white.fooled_rate() << ", transferred " << moved.fooled_rate() << ", on the surrogate " << made.fooled_rate());
    CHECK(moved.fooled_rate() > 0.3); // the two networks learnt the same classes
    CHECK(moved.fooled_rate() <= white.fooled_rate() + 0.05);
    CHECK(moved.gradient_evaluations == made.gradient_evaluations);
}

TEST_CASE("The report counts robust accuracy, success on correct samples and the worst case per example", "[robust]") {
    // A linear model that gets samples 0-2 right and 3 wrong; attacks that fool fixed samples.
    auto net = linear({1, -1, -1, 1}, {0, 0}); // class 0 when x0 > x1
    rb::network model(net);
    const nn::tensor<double> x({4, 2}, std::vector<double>{0.9, 0.1, 0.1, 0.9, 0.8, 0.3, 0.2, 0.7});
    const std::vector<std::size_t> labels = {0, 1, 0, 0};
    auto fixed = [](std::vector<std::uint8_t> fooled, std::size_t cost) {
        return [fooled, cost](const nn::tensor<double>& in, std::span<const std::size_t>) {
            return rb::attack_result<double>{in, fooled, std::vector<double>(4, 0.0), cost, 4};
        };
    };
    const auto rep = rb::evaluate_robustness(model, x, labels,
                                             {{"one step", rb::attack_kind::single_step, fixed({1, 0, 0, 1}, 4)},
                                              {"many steps", rb::attack_kind::iterative, fixed({0, 0, 0, 1}, 40)},
                                              {"queries", rb::attack_kind::black_box, fixed({0, 1, 0, 1}, 0)}});
    CHECK(rep.clean_accuracy == 0.75);
    REQUIRE(rep.rows.size() == 3);
    CHECK(rep.rows[0].robust_accuracy == 0.5);            // samples 1, 2
    CHECK(rep.rows[0].success_rate == Approx(1.0 / 3));    // of 0, 1, 2: sample 0
    CHECK(rep.rows[1].success_rate == 0);
    CHECK(rep.rows[1].gradients_per_sample == 10);
    CHECK(rep.worst_case_accuracy == 0.25);               // only sample 2 survives every attack
    CHECK(rep.worst_case_success == Approx(2.0 / 3));
    REQUIRE(rep.warnings.size() == 2);
    CHECK_THAT(rep.warnings[0], Catch::Contains("iterative attack many steps (0.0%) is weaker than the single-step one step (33.3%)"));
    CHECK_THAT(rep.warnings[1], Catch::Contains("black-box attack queries (33.3%) is stronger than every white-box attack"));
    CHECK_THAT(rep.markdown(), Catch::Contains("| worst case over the attacks | 0.2500 | 0.6667 |"));
    // Doubling a budget that still pays is flagged; one that does not, is not.
    std::string warning;
    const auto grows = rb::budget_check<double>(x, labels, 10, [&](std::size_t k, const nn::tensor<double>& in, std::span<const std::size_t> l) {
        return fixed(k > 10 ? std::vector<std::uint8_t>{1, 1, 0, 1} : std::vector<std::uint8_t>{1, 0, 0, 1}, k)(in, l);
    }, &warning);
    CHECK(grows == std::pair<double, double>{0.5, 0.75});
    CHECK_THAT(warning, Catch::Contains("from 10 to 20 raised the success rate from 50.0% to 75.0%"));
    std::string none;
    rb::budget_check<double>(x, labels, 10, [&](std::size_t, const nn::tensor<double>& in, std::span<const std::size_t> l) {
        return fixed({1, 0, 0, 1}, 1)(in, l);
    }, &none);
    CHECK(none.empty());
    // A sweep runs one whole attack per budget, in the order given.
    std::vector<std::size_t> seen;
    const std::size_t budgets[] = {1, 5, 20};
    const auto curve = rb::budget_sweep<double>(x, labels, budgets, [&](std::size_t k, const nn::tensor<double>& in, std::span<const std::size_t> l) {
        seen.push_back(k);
        return fixed(k >= 5 ? std::vector<std::uint8_t>{1, 1, k >= 20, 1} : std::vector<std::uint8_t>{0, 0, 0, 1}, k)(in, l);
    });
    CHECK(seen == std::vector<std::size_t>{1, 5, 20});
    CHECK(curve == std::vector<double>{0.25, 0.75, 1.0});
}

TEST_CASE("The report flags the masked quantiser and passes the plain network", "[robust]") {
    trained_blobs plain_model, quantised(std::make_unique<quantiser>());
    const rb::threat t{.epsilon = 0.1};
    auto suite = [&](auto& model) {
        return std::vector<rb::attack_entry<double>>{
            {"FGSM", rb::attack_kind::single_step, [&](const auto& x, auto y) { return rb::fgsm(model, x, y, {.t = t}); }},
            {"PGD-20", rb::attack_kind::iterative, [&](const auto& x, auto y) { return rb::pgd(model, x, y, {.t = t, .steps = 20, .seed = 1}); }},
            {"APGD-DLR", rb::attack_kind::iterative,
             [&](const auto& x, auto y) { return rb::apgd(model, x, y, {.t = t, .steps = 50, .loss = rb::attack_loss::dlr, .seed = 1}); }},
            {"Square-1000", rb::attack_kind::black_box, [&](const auto& x, auto y) { return rb::square(model, x, y, {.t = t, .queries = 1000, .seed = 1}); }}};
    };
    rb::network clean_model(plain_model.net), masked(quantised.net);
    const auto fine = rb::evaluate_robustness(clean_model, plain_model.x, plain_model.labels, suite(clean_model), {.tolerance = 0.02});
    INFO(fine.markdown());
    CHECK(fine.warnings.empty());
    CHECK(fine.worst_case_accuracy <= fine.rows[1].robust_accuracy);
    const auto broken = rb::evaluate_robustness(masked, quantised.x, quantised.labels, suite(masked), {.tolerance = 0.02});
    INFO(broken.markdown());
    REQUIRE(broken.warnings.size() == 1);
    CHECK_THAT(broken.warnings[0], Catch::Contains("black-box attack Square-1000"));
    // The epsilon sweep: the plain network falls completely, the masked one never moves.
    const std::function<rb::attack_result<double>(double, const nn::tensor<double>&, std::span<const std::size_t>)> pgd_at =
        [&](double eps, const nn::tensor<double>& x, std::span<const std::size_t> y) {
            return rb::pgd(masked, x, y, {.t = {.epsilon = eps}, .steps = 20, .seed = 1});
        };
    std::string warning;
    const auto sweep = rb::epsilon_sweep(masked, quantised.x, quantised.labels, {0.1, 0.5}, pgd_at, &warning);
    CHECK(sweep.back().second < 0.5);
    CHECK_THAT(warning, Catch::Matches("at epsilon 0.5 the attack fools [0-9]+ of the [0-9]+ correct samples, short of 99%: .*"));
    const std::function<rb::attack_result<double>(double, const nn::tensor<double>&, std::span<const std::size_t>)> clean_at =
        [&](double eps, const nn::tensor<double>& x, std::span<const std::size_t> y) {
            return rb::pgd(clean_model, x, y, {.t = {.epsilon = eps}, .steps = 20, .seed = 1});
        };
    std::string fine_warning;
    const auto full = rb::epsilon_sweep(clean_model, plain_model.x, plain_model.labels, {0.1, 0.5}, clean_at, &fine_warning);
    CHECK(full.back().second == 1.0);
    CHECK(fine_warning.empty());
    // Labels the model never gives: nothing to attack, so no rate and no blame on the attack.
    std::vector<std::size_t> wrong(plain_model.labels);
    for (auto& y : wrong) y = (y + 1) % 3;
    std::string empty_warning;
    const auto none = rb::epsilon_sweep(clean_model, plain_model.x, wrong, {0.1, 0.5}, clean_at, &empty_warning);
    REQUIRE(none.size() == 2);
    CHECK((std::isnan(none[0].second) && std::isnan(none[1].second) && none[1].first == 0.5));
    CHECK(empty_warning == "no sample is classified correctly: the sweep has nothing to attack");
}

TEST_CASE("AutoAttack's standard suite: APGD-CE, APGD-T over the top classes, the FAB-T substitute and Square", "[robust]") {
    trained_blobs five(nullptr, 5), three;
    rb::network model(five.net), small(three.net);
    const rb::suite_options o{.t = {.epsilon = 0.08}, .seed = 3, .steps = 30, .queries = 500};
    const auto list = rb::autoattack_standard(model, 5, o);
    REQUIRE(list.size() == 4);
    const auto small_list = rb::autoattack_standard(small, 3, o); // below 4 classes: no targeted attacks, APGD with the margin loss instead
    REQUIRE(small_list.size() == 3);
    CHECK(small_list[1].name == "APGD (margin)");
    const auto rep = rb::evaluate_robustness(model, five.x, five.labels, list, {.tolerance = 0.02});
    INFO(rep.markdown());
    CHECK(rep.warnings.empty());
    CHECK(rep.clean_accuracy == 1); // the correctly classified samples of the trained network
    for (const auto& r : rep.rows) CHECK(rep.worst_case_accuracy <= r.robust_accuracy);
    CHECK(rep.rows[1].gradients_per_sample <= 4 * 30.0); // APGD-T: at most 4 targets of 30 steps
    // APGD-T's targets: fooled samples are misclassified, whatever the target was.
    const auto t = rb::apgd_top_targets(model, five.x, five.labels, {.t = o.t, .steps = 30, .loss = rb::attack_loss::dlr, .seed = 3}, 9);
    const auto predicted = nn::argmax_rows(five.net.forward(t.adversarial, nn::mode::eval));
    for (std::size_t b = 0; b < five.labels.size(); ++b) CHECK(bool(t.fooled[b]) == (predicted[b] != five.labels[b]));
    // The same on the second half alone, named by its ids: the same bits.
    const std::size_t half = five.labels.size() / 2;
    std::vector<std::size_t> rows(five.labels.size() - half);
    std::iota(rows.begin(), rows.end(), half);
    const auto tail = rb::apgd_top_targets(model, nn::gather_rows(five.x, rows), std::vector<std::size_t>(five.labels.begin() + long(half), five.labels.end()),
                                           {.t = o.t, .steps = 30, .loss = rb::attack_loss::dlr, .seed = 3, .first_sample = half}, 9);
    for (std::size_t i = 0; i < tail.adversarial.size(); ++i) CHECK(tail.adversarial[i] == t.adversarial[half * 10 + i]);
}

TEST_CASE("A study runs the suite at every budget, the epsilon sweep and the success against steps, each as its own call would", "[robust]") {
    trained_blobs five(nullptr, 5);
    rb::network model(five.net);
    std::vector<double> seen;
    const rb::study_options o{.epsilons = {0.04, 0.08}, .sweep = {0.04, 1.0}, .classes = 5, .seed = 3, .steps = 10, .queries = 100};
    const auto s = rb::study(model, five.x, five.labels, o, [&](double eps, const rb::robustness_report&) { seen.push_back(eps); });
    CHECK(seen == o.epsilons);
    REQUIRE(s.reports.size() == 2);
    const auto direct = rb::evaluate_robustness(model, five.x, five.labels,
                                                rb::autoattack_standard(model, 5, {.t = {.epsilon = 0.08}, .seed = 3, .steps = 10, .queries = 100}));
    CHECK(s.reports[1].worst_case_accuracy == direct.worst_case_accuracy);
    REQUIRE(s.sweep.size() == 2);
    CHECK(s.sweep.back().second == 1.0); // epsilon 1 moves every feature anywhere in the box
    CHECK(s.steps == std::vector<std::size_t>{1, 2, 5, 10, 20});
    // The middle budget is the second of two; step 10 of the curve is APGD-CE's own run.
    CHECK(s.fooled_by_steps[3] == rb::apgd(model, five.x, five.labels, {.t = {.epsilon = 0.08}, .steps = 10, .seed = 3}).fooled_rate());
    CHECK(s.failed_checks() == s.warnings.size() + s.reports[0].warnings.size() + s.reports[1].warnings.size());
    CHECK_THROWS_WITH(rb::study(model, five.x, five.labels, rb::study_options{}), Catch::Contains("study: 0 budgets"));

    // With EOT (a random model): the rand suite and Square with EOT, each attack as its own call.
    auto with_eot = o;
    with_eot.eot = 3, with_eot.epsilons = {0.08};
    const auto r = rb::study(model, five.x, five.labels, with_eot);
    REQUIRE(r.reports[0].rows.size() == 3);
    CHECK(r.reports[0].rows[0].name == "APGD-CE, EOT-3");
    CHECK(r.reports[0].rows[1].name == "APGD-DLR, EOT-3");
    CHECK(r.reports[0].rows[2].name == "Square, EOT-3");
    CHECK(r.reports[0].rows[0].gradients_per_sample == 10 * 3);
    CHECK(r.reports[0].rows[0].robust_accuracy ==
          Approx(1 - rb::apgd(model, five.x, five.labels, {.t = {.epsilon = 0.08}, .steps = 10, .eot = 3, .seed = 3}).fooled_rate()).margin(1e-12));
}

TEST_CASE("A study's parts appended in order are the study, bit for bit, and a part past the last is a clear error", "[robust]") {
    trained_blobs three;
    rb::network model(three.net);
    std::vector<std::size_t> rows(30);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    const auto x = nn::gather_rows(three.x, rows);
    const std::vector<std::size_t> first(three.labels.begin(), three.labels.begin() + 30);
    const rb::study_options o{.epsilons = {0.05, 0.1}, .sweep = {0.1, 1.0}, .classes = 3, .seed = 4, .steps = 5, .queries = 40};
    REQUIRE(rb::study_parts(o) == 4);
    const auto whole = rb::study(model, x, first, o);
    rb::study_result pieces;
    for (std::size_t part = 0; part < rb::study_parts(o); ++part) pieces.append(rb::study_part(model, x, first, o, part));
    REQUIRE(pieces.reports.size() == whole.reports.size());
    for (std::size_t k = 0; k < whole.reports.size(); ++k) {
        CHECK(pieces.reports[k].worst_case_accuracy == whole.reports[k].worst_case_accuracy);
        REQUIRE(pieces.reports[k].rows.size() == whole.reports[k].rows.size());
        for (std::size_t r = 0; r < whole.reports[k].rows.size(); ++r)
            CHECK(pieces.reports[k].rows[r].robust_accuracy == whole.reports[k].rows[r].robust_accuracy);
        CHECK(pieces.reports[k].warnings == whole.reports[k].warnings);
    }
    CHECK(pieces.sweep == whole.sweep);
    CHECK(pieces.steps == whole.steps);
    CHECK(pieces.fooled_by_steps == whole.fooled_by_steps);
    CHECK(pieces.warnings == whole.warnings);
    CHECK_THROWS_WITH(rb::study_part(model, x, first, o, 4), Catch::Contains("study: part 4 of 4"));
}

namespace {
// Rows [begin, end) of a batch.
nn::tensor<double> rows_of(const nn::tensor<double>& x, std::size_t begin, std::size_t end) {
    std::vector<std::size_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    return nn::gather_rows(x, rows);
}

// Every figure and verdict of two studies, but the seconds.
void check_same_study(const rb::study_result& joined, const rb::study_result& whole) {
    REQUIRE(joined.reports.size() == whole.reports.size());
    for (std::size_t k = 0; k < whole.reports.size(); ++k) {
        const auto &j = joined.reports[k], &w = whole.reports[k];
        CHECK(j.samples == w.samples);
        CHECK(j.correct == w.correct);
        CHECK(j.clean_accuracy == w.clean_accuracy);
        CHECK(j.worst_case_accuracy == w.worst_case_accuracy);
        CHECK(j.worst_case_success == w.worst_case_success);
        CHECK(j.warnings == w.warnings);
        REQUIRE(j.rows.size() == w.rows.size());
        for (std::size_t r = 0; r < w.rows.size(); ++r) {
            INFO(w.rows[r].name);
            CHECK(j.rows[r].fooled == w.rows[r].fooled);
            CHECK(j.rows[r].robust_accuracy == w.rows[r].robust_accuracy);
            CHECK(j.rows[r].success_rate == w.rows[r].success_rate);
            CHECK(j.rows[r].gradients_per_sample == w.rows[r].gradients_per_sample);
            CHECK(j.rows[r].forwards_per_sample == w.rows[r].forwards_per_sample);
        }
    }
    CHECK(joined.sweep == whole.sweep);
    CHECK(joined.steps == whole.steps);
    CHECK(joined.fooled_by_steps == whole.fooled_by_steps);
    CHECK(joined.warnings == whole.warnings);
}

// The study of blocks [0, 11) and [11, 30) of 30 rows, joined, against the study of all 30.
template <class M>
void check_blocks_join(M& model, const nn::tensor<double>& all, const std::vector<std::size_t>& all_labels, rb::study_options o) {
    const auto x = rows_of(all, 0, 30);
    const std::vector<std::size_t> labels(all_labels.begin(), all_labels.begin() + 30);
    const auto whole = rb::study(model, x, labels, o);
    std::vector<rb::study_result> blocks;
    for (const auto& [begin, end] : {std::pair<std::size_t, std::size_t>{0, 11}, {11, 30}}) {
        o.first_sample = begin;
        blocks.push_back(rb::study(model, rows_of(x, begin, end), std::vector<std::size_t>(labels.begin() + long(begin), labels.begin() + long(end)), o));
    }
    check_same_study(rb::join_rows(blocks), whole);
}

} // namespace

TEST_CASE("Studies of blocks of rows join into the batch's study, bit for bit, for a fixed and for a random model", "[robust]") {
    const rb::study_options o{.epsilons = {0.05, 0.1}, .sweep = {0.1, 1.0}, .seed = 4, .steps = 5, .queries = 40};
    SECTION("a network, with the targeted attacks of 5 classes") {
        trained_blobs five(nullptr, 5);
        rb::network model(five.net);
        auto with = o;
        with.classes = 5;
        check_blocks_join(model, five.x, five.labels, with);
    }
    SECTION("a random model (a fresh direction and phases each call), with EOT and without") {
        trained_blobs three, five(nullptr, 5);
        rippled defended(three.net), defended_five(five.net);
        auto with = o;
        with.classes = 3, with.eot = 2;
        check_blocks_join(defended, three.x, three.labels, with);
        with.classes = 5, with.eot = 1;
        check_blocks_join(defended_five, five.x, five.labels, with);
    }
    SECTION("SPSA and the one-pixel attack draw a random model's noise per sample") {
        trained_blobs three;
        rippled defended(three.net);
        const auto x = rows_of(three.x, 0, 12);
        const std::vector<std::size_t> labels(three.labels.begin(), three.labels.begin() + 12);
        const auto tail_x = rows_of(x, 5, 12);
        const std::vector<std::size_t> tail_labels(labels.begin() + 5, labels.end());
        const rb::spsa_options so{.t = {.epsilon = 0.1}, .steps = 3, .directions = 4, .seed = 7};
        auto tail_so = so;
        tail_so.first_sample = 5;
        const auto s = rb::spsa(defended, x, labels, so), s_tail = rb::spsa(defended, tail_x, tail_labels, tail_so);
        CHECK(std::equal(s_tail.adversarial.values().begin(), s_tail.adversarial.values().end(), s.adversarial.values().begin() + 5 * 10));
        const rb::one_pixel_options po{.population = 8, .generations = 3, .seed = 7};
        auto tail_po = po;
        tail_po.first_sample = 5;
        const auto p = rb::one_pixel(defended, x, labels, po), p_tail = rb::one_pixel(defended, tail_x, tail_labels, tail_po);
        CHECK(std::equal(p_tail.adversarial.values().begin(), p_tail.adversarial.values().end(), p.adversarial.values().begin() + 5 * 10));
    }
    trained_blobs three;
    rb::network model(three.net);
    const auto a = rb::study_part(model, rows_of(three.x, 0, 4), std::vector<std::size_t>(three.labels.begin(), three.labels.begin() + 4), o, 0);
    const auto b = rb::study_part(model, rows_of(three.x, 4, 8), std::vector<std::size_t>(three.labels.begin() + 4, three.labels.begin() + 8), o, 3);
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{a, b}), Catch::Contains("join_rows: block 1 has 0 budgets"));
    // Blocks read from damaged checkpoint files: a missing verdict is an error naming the block, not a read past the end.
    auto short_row = a;
    short_row.reports[0].rows[1].fooled.pop_back();
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{a, short_row}), Catch::Contains("join_rows: block 1 has 3 attacks"));
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{short_row, a}), Catch::Contains("has 3 verdicts for 4 rows"));
    auto short_steps = b;
    short_steps.steps_per_sample.pop_back();
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{b, short_steps}), Catch::Contains("join_rows: block 1"));
    auto sweep = rb::study_part(model, rows_of(three.x, 0, 4), std::vector<std::size_t>(three.labels.begin(), three.labels.begin() + 4), o, 2);
    auto short_sweep = sweep;
    short_sweep.sweep_per_sample.fooled[1].pop_back();
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{sweep, short_sweep}), Catch::Contains("sweep_verdicts: 2 verdict lists"));
    CHECK_THROWS_WITH(rb::join_rows(std::vector<rb::study_result>{sweep, b}), Catch::Contains("join_rows: block 1"));
}

TEST_CASE("dist::study on 1 to 3 simulated processes in blocks of 7 rows is the study bit for bit, and its checkpoint resumes it", "[robust]") {
    trained_blobs three;
    const auto x = rows_of(three.x, 0, 20);
    const std::vector<std::size_t> labels(three.labels.begin(), three.labels.begin() + 20);
    const rb::study_options o{.epsilons = {0.05, 0.1}, .sweep = {0.1, 1.0}, .classes = 3, .seed = 4, .steps = 5, .queries = 40, .eot = 2};
    rippled random_model(three.net);
    const auto whole = rb::study(random_model, x, labels, o);
    auto run = [&](std::size_t processes, const qhybrid::dist::study_options& d) {
        const auto [results, errors] = on_processes(processes, [&](const thread_group& g) {
            const auto net = three.net.clone();
            rippled model(*net);
            return qhybrid::dist::study(g, model, x, labels, o, d);
        });
        for (std::size_t p = 0; p < processes; ++p) {
            INFO(processes << " processes, process " << p << ": " << errors[p]);
            REQUIRE(results[p].has_value());
            check_same_study(*results[p], whole);
        }
    };
    for (std::size_t processes = 1; processes <= 3; ++processes) run(processes, {.block_rows = 7});
    const auto folder = std::filesystem::temp_directory_path() / ("dist_study_" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    const qhybrid::dist::study_options kept{.block_rows = 7, .sweep = {.checkpoint = folder, .key = "blobs"}};
    run(2, kept);
    const auto items = std::distance(std::filesystem::directory_iterator(folder), {});
    CHECK(items == 4 * 3); // 4 parts of 3 blocks
    std::filesystem::remove(folder / "item-5.bin");
    run(1, kept); // 11 items read, one run again
    auto other = o;
    other.seed = 5;
    const auto net = three.net.clone();
    rippled model(*net);
    CHECK_THROWS_WITH(qhybrid::dist::study(qhybrid::dist::world(), model, x, labels, other, kept), Catch::Contains("seed 5"));
    std::filesystem::remove_all(folder);
}

TEST_CASE("reseeding: a layer with a generator of its own draws from the attack's, so an attack repeats its bits", "[robust]") {
    rng gen(8);
    nn::sequential<double> net;
    net.add<jitter>(3).add<nn::dense<double>>(10, 3, gen);
    const trained_blobs three;
    const auto x = rows_of(three.x, 0, 10);
    const std::vector<std::size_t> labels(three.labels.begin(), three.labels.begin() + 10);
    rb::network plain(net);
    rb::reseeding model(plain, net);
    const rb::apgd_options o{.t = {.epsilon = 0.05}, .steps = 5, .eot = 3, .seed = 2};
    const auto first = rb::apgd(model, x, labels, o), again = rb::apgd(model, x, labels, o);
    CHECK(std::ranges::equal(first.adversarial.values(), again.adversarial.values()));
    CHECK(first.loss == again.loss);
    // Without it, the layer's running generator decides: the same attack run again draws other noise.
    const auto bare = rb::apgd(plain, x, labels, o), bare_again = rb::apgd(plain, x, labels, o);
    CHECK(bare.loss != bare_again.loss);
}

TEST_CASE("AutoAttack's rand suite averages 20 draws in every step", "[robust]") {
    trained_blobs m;
    std::vector<std::size_t> first(30);
    std::iota(first.begin(), first.end(), std::size_t{0});
    const auto x = nn::gather_rows(m.x, first);
    const std::vector<std::size_t> labels(m.labels.begin(), m.labels.begin() + 30);
    rippled defended(m.net);
    const auto list = rb::autoattack_rand(defended, 3, {.t = {.epsilon = 0.1}, .seed = 2, .steps = 10});
    REQUIRE(list.size() == 2);
    CHECK(list[0].name == "APGD-CE, EOT-20");
    const auto res = list[0].run(x, labels);
    CHECK(res.gradient_evaluations == 30 * 10 * 20);
    // A model whose logits carry heavy noise: one draw misclassifies many samples the mean
    // probabilities of 20 draws get right (i.i.d. noise on the logits keeps the ranking of their
    // expected softmax), and the report's clean accuracy must judge as the EOT attacks do.
    struct jittered {
        using value_type = double;
        rb::network<double> inner;
        nn::tensor<double> logits(const nn::tensor<double>& in, rng& g) {
            auto z = inner.logits(in, g);
            for (auto& v : z.values()) v += 6 * g.normal();
            return z;
        }
        nn::tensor<double> input_gradient(const nn::tensor<double>& dz) { return inner.input_gradient(dz); }
    } noisy{rb::network<double>(m.net)};
    const auto noisy_list = rb::autoattack_rand(noisy, 3, {.t = {.epsilon = 0.1}, .seed = 2, .steps = 2, .eot = 2});
    const auto one = rb::evaluate_robustness(noisy, x, labels, noisy_list), twenty = rb::evaluate_robustness(noisy, x, labels, noisy_list, {.eot = 20});
    INFO("clean accuracy: one draw " << one.clean_accuracy << ", 20 draws " << twenty.clean_accuracy);
    CHECK(one.clean_accuracy < 0.8);
    CHECK(twenty.clean_accuracy >= 0.9);
}

TEST_CASE("The one-pixel attack finds the single feature that flips a linear model, when one exists", "[robust]") {
    // Setting feature i to v moves z_o - z_y by d_i (v - x_i), d = w_o - w_y: the sample can be
    // fooled through one feature iff max_i max(d_i (1 - x_i), d_i (0 - x_i)) > the margin.
    const auto& w = two_class_w;
    const auto& bias = two_class_b;
    auto net = linear(w, bias);
    rb::network model(net);
    rng gen(8);
    const auto x = batch_of(40, 6, gen);
    std::vector<std::size_t> labels(40);
    for (std::size_t b = 0; b < 40; ++b) labels[b] = b % 2;
    const auto res = rb::one_pixel(model, x, labels, {.population = 40, .generations = 30, .seed = 2});
    std::size_t decided = 0, foolable = 0;
    for (std::size_t b = 0; b < 40; ++b) {
        const std::size_t y = labels[b], o = 1 - y;
        double margin = bias[y] - bias[o], reach = 0;
        for (std::size_t i = 0; i < 6; ++i) {
            const double d = w[i * 2 + o] - w[i * 2 + y];
            margin -= d * x.row(b)[i];
            reach = std::max({reach, d * (1 - x.row(b)[i]), -d * x.row(b)[i]});
        }
        if (std::abs(margin - reach) < 1e-3) continue;
        ++decided, foolable += margin < reach;
        CHECK(bool(res.fooled[b]) == (margin < reach));
        std::size_t changed = 0;
        for (std::size_t i = 0; i < 6; ++i) changed += res.adversarial.row(b)[i] != x.row(b)[i];
        CHECK(changed <= 1);
    }
    CHECK(decided >= 35);
    INFO(foolable << " of " << decided << " samples can be fooled through one feature");
    CHECK((foolable >= 5 && foolable + 5 <= decided));
    // Each sample's evolution is its own: the second half alone gives the same bits.
    nn::tensor<double> tail({20, 6});
    std::copy(x.row(20).begin(), x.row(39).end(), tail.data());
    const auto part = rb::one_pixel(model, tail, std::vector<std::size_t>(labels.begin() + 20, labels.end()),
                                    {.population = 40, .generations = 30, .seed = 2, .first_sample = 20});
    for (std::size_t i = 0; i < tail.size(); ++i) CHECK(part.adversarial[i] == res.adversarial[20 * 6 + i]);
}

TEST_CASE("A log-mel classifier seen from the waveform: its input gradient agrees with central differences", "[robust]") {
    rng gen(12);
    // 400 samples at 8 kHz, n_fft 64, hop 32: 13 frames x 8 mels, into a small network.
    nn::sequential<double> net;
    net.add<nn::flatten<double>>().add<nn::dense<double>>(13 * 8, 6, gen).add<nn::tanh<double>>().add<nn::dense<double>>(6, 3, gen);
    rb::waveform_model<double> model(net, {.stft = {.n_fft = 64, .hop_length = 32}, .rate = 8000, .mel = {.n_mels = 8}, .db = {},
                                           .mean = -40, .sd = 20});
    nn::tensor<double> x({2, 400});
    for (auto& v : x.values()) v = 0.2 * gen.normal();
    nn::tensor<double> dz({2, 3});
    for (auto& v : dz.values()) v = gen.uniform(-1, 1);
    auto objective = [&](const nn::tensor<double>& in) { return weighted_logits(model, in, dz, gen); };
    objective(x);
    const auto dx = model.input_gradient(dz);
    REQUIRE(dx.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); i += 13) {
        auto up = x, down = x;
        const double h = 1e-6;
        up[i] += h, down[i] -= h;
        CHECK(dx[i] == Approx((objective(up) - objective(down)) / (2 * h)).epsilon(1e-6).margin(1e-9));
    }
    // An attack on the samples: PGD at an amplitude of 0.01 keeps every sample within it.
    const std::vector<std::size_t> labels = {0, 1};
    const auto res = rb::pgd(model, x, labels, {.t = {.epsilon = 0.01, .lo = -1, .hi = 1}, .steps = 5, .seed = 1});
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::abs(res.adversarial[i] - x[i]) <= 0.01 * (1 + 1e-12));
}

TEST_CASE("EOT through a waveform front end sums the draws' cotangents for one backward pass and equals a backward pass a draw", "[robust]") {
    rng gen(31);
    nn::tensor<double> x({2, 400});
    for (auto& v : x.values()) v = 0.2 * gen.normal();
    auto other = x;
    other[123] += 1e-3;
    nn::sequential<double> net;
    net.add<nn::flatten<double>>().add<nn::dense<double>>(13 * 8, 6, gen).add<nn::tanh<double>>().add<jitter>(1).add<nn::dense<double>>(6, 2, gen);
    auto& noise = dynamic_cast<jitter&>(net[3]);
    const rb::log_mel_front_end front{.stft = {.n_fft = 64, .hop_length = 32}, .rate = 8000, .mel = {.n_mels = 8}, .db = {}, .mean = -40, .sd = 20};
    rb::waveform_model<double> model(net, front), fresh(net, front);
    check_front_end_eot(model, noise, fresh, x, other);

    // The DEEP-VOICE detector from the waveform: two signals of 1.5 s, so two windows each.
    const unsigned rate = 8000;
    nn::tensor<double> signals({2, 12000});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < signals.dim(1); ++i)
            signals.row(b)[i] = 0.3 * std::sin(2 * std::numbers::pi * (300 + 250 * double(b)) * double(i) / rate) + 0.02 * gen.normal();
    auto changed = signals;
    changed[9000] += 1e-3;
    const auto first = qhybrid::audio::deep_voice_features(std::span<const double>(signals.row(0).data(), rate), rate)[0];
    std::vector<double> scale(first.size()), offset(first.size(), 0.0);
    for (std::size_t f = 0; f < first.size(); ++f) scale[f] = 1 / (std::abs(first[f]) + 1e-3);
    nn::sequential<double> detector;
    detector.add<nn::feature_scaling<double>>(scale, offset).add<nn::dense<double>>(26, 5, gen).add<nn::tanh<double>>().add<jitter>(2).add<nn::dense<double>>(5, 2, gen);
    auto& detector_noise = dynamic_cast<jitter&>(detector[3]);
    rb::deep_voice_waveform_model<double> voice(detector, {.rate = rate, .temperature = 1.3}), fresh_voice(detector, {.rate = rate, .temperature = 1.3});
    check_front_end_eot(voice, detector_noise, fresh_voice, signals, changed);
}

TEST_CASE("Attacks refuse inputs outside the box, NaN, wrong labels and empty budgets with the value and the sample", "[robust]") {
    auto net = linear({1, -1, 0.5, 0.5}, {0, 0});
    rb::network model(net);
    nn::tensor<double> x({2, 2}, std::vector<double>{0.2, 0.3, 1.5, 0.1});
    const std::vector<std::size_t> labels = {0, 1};
    const rb::threat t{.epsilon = 0.1};
    CHECK_THROWS_WITH(rb::fgsm(model, x, labels, {.t = t}), Catch::Contains("value 1.5 of sample 1 (entry 0) is outside the threat's box [0, 1]"));
    x[2] = std::nan("");
    CHECK_THROWS_WITH(rb::fgsm(model, x, labels, {.t = t}), Catch::Contains("value nan of sample 1"));
    x[2] = 0.5;
    const std::vector<std::size_t> bad = {0, 2};
    CHECK_THROWS_WITH(rb::fgsm(model, x, bad, {.t = t}), Catch::Contains("label 2 of sample 1 is not below 2 classes"));
    CHECK_THROWS_WITH(rb::fgsm(model, x, std::vector<std::size_t>{0}, {.t = t}), Catch::Contains("inputs of shape [2, 2] for 1 labels"));
    CHECK_THROWS_WITH(rb::pgd(model, x, labels, {.t = t, .steps = 0}), Catch::Contains("0 steps"));
    CHECK_THROWS_WITH(rb::fgsm(model, x, labels, {.t = {.epsilon = -1}}), Catch::Contains("epsilon -1"));
    CHECK_THROWS_WITH(rb::pgd(model, x, labels, {.t = t, .loss = rb::attack_loss::dlr}), Catch::Contains("classes >= 3"));
}

TEST_CASE("A DEEP-VOICE detector seen from the waveform: the detector's verdict, and an input gradient that agrees with central differences", "[robust]") {
    rng gen(21);
    const unsigned rate = 8000;
    // Two signals of 1.5 s (tones and noise): a window of 1 s and a last one of 0.5 s, which counts.
    nn::tensor<double> x({2, 12000});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < x.dim(1); ++i)
            x.row(b)[i] = 0.3 * std::sin(2 * std::numbers::pi * (440 + 200 * double(b)) * double(i) / rate) +
                          0.1 * std::sin(2 * std::numbers::pi * 1250 * double(i) / rate) + 0.02 * gen.normal();
    // A detector network on raw features: each feature scaled by its size in the first window,
    // except the rolloff and the zero-crossing rate (BPDA surrogates backward), which it ignores.
    const auto first = qhybrid::audio::deep_voice_features(std::span<const double>(x.row(0).data(), rate), rate)[0];
    std::vector<double> scale(first.size()), offset(first.size(), 0.0);
    for (std::size_t f = 0; f < first.size(); ++f) scale[f] = f == 4 || f == 5 ? 0 : 1 / (std::abs(first[f]) + 1e-3);
    nn::sequential<double> net;
    net.add<nn::feature_scaling<double>>(scale, offset).add<nn::dense<double>>(26, 5, gen).add<nn::tanh<double>>().add<nn::dense<double>>(5, 2, gen);
    const double temperature = 1.7;
    rb::deep_voice_waveform_model<double> model(net, {.rate = rate, .temperature = temperature});

    // The logits are log of the mean calibrated probabilities over the windows, from features computed apart.
    const auto z = model.logits(x, gen);
    REQUIRE(z.shape() == std::vector<std::size_t>{2, 2});
    for (std::size_t b = 0; b < 2; ++b) {
        const auto rows = qhybrid::audio::deep_voice_features(std::span<const double>(x.row(b).data(), x.dim(1)), rate);
        REQUIRE(rows.size() == 2);
        nn::tensor<double> features({2, 26});
        for (std::size_t w = 0; w < 2; ++w) std::copy(rows[w].begin(), rows[w].end(), features.row(w).begin());
        const auto p = nn::calibrated_probabilities(net.forward(features, nn::mode::eval), temperature);
        for (std::size_t c = 0; c < 2; ++c) CHECK(std::exp(z.row(b)[c]) == Approx((p.row(0)[c] + p.row(1)[c]) / 2).epsilon(1e-12));
    }

    nn::tensor<double> dz({2, 2});
    for (auto& v : dz.values()) v = gen.uniform(-1, 1);
    auto objective = [&](const nn::tensor<double>& in) { return weighted_logits(model, in, dz, gen); };
    objective(x);
    const auto dx = model.input_gradient(dz);
    REQUIRE(dx.shape() == x.shape());
    for (int direction = 0; direction < 3; ++direction) { // along random directions (chroma's tuning stays put for h = 1e-6)
        nn::tensor<double> v(x.shape()), up = x, down = x;
        double along = 0;
        for (std::size_t i = 0; i < x.size(); ++i) v[i] = gen.normal(), along += dx[i] * v[i];
        const double h = 1e-6;
        for (std::size_t i = 0; i < x.size(); ++i) up[i] += h * v[i], down[i] -= h * v[i];
        CHECK(along == Approx((objective(up) - objective(down)) / (2 * h)).epsilon(1e-5).margin(1e-9));
    }
    // With windows of 0.75 s or more only the first counts: the samples after it take no gradient.
    rb::deep_voice_waveform_model<double> one_window(net, {.rate = rate, .temperature = temperature, .min_window_seconds = 0.75});
    one_window.logits(x, gen);
    const auto d1 = one_window.input_gradient(dz);
    for (std::size_t i = rate; i < x.dim(1); ++i) CHECK(d1.row(0)[i] == 0);

    nn::tensor<double> brief({1, 3000});
    CHECK_THROWS_WITH(model.logits(brief, gen), Catch::Contains("a signal of 3000 samples at 8000 Hz has no window of 0.5 s or more"));
    CHECK_THROWS_WITH(rb::deep_voice_waveform_model<double>(net, {.temperature = 0}), Catch::Contains("temperature 0"));
}
