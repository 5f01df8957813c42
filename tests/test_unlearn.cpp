// Unlearning: QPAudioEraser's phases against direct computations on a small layer, its loss
// against its definition and finite differences; membership inference against hand-made scores
// and closed forms.
#include <qhybrid/nn.hpp>
#include <qhybrid/unlearn.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

namespace nn = qhybrid::nn;
namespace ul = qhybrid::unlearn;
using qhybrid::rng;

namespace {

// The area under the ROC as its definition: the share of (member, non-member) pairs in which the
// member scores higher, ties counting one half.
double pairs_auc(const std::vector<double>& members, const std::vector<double>& nonmembers) {
    double wins = 0;
    for (double m : members)
        for (double n : nonmembers) wins += m > n ? 1.0 : m == n ? 0.5 : 0.0;
    return wins / double(members.size() * nonmembers.size());
}

nn::sequential<double> blob_network(rng& gen) {
    nn::sequential<double> net;
    net.add<nn::dense<double>>(2, 16, gen).add<nn::relu<double>>().add<nn::dense<double>>(16, 3, gen);
    return net;
}

// Three Gaussian blobs in 2-D and a small network trained on them; class 2 is the one to forget.
struct blobs {
    nn::labelled<double> data;
    nn::sequential<double> net;

    // The share of right predictions on the forget class's samples, or on the others'.
    double share(const std::vector<std::size_t>& predicted, bool forget) const {
        double right = 0, n = 0;
        for (std::size_t i = 0; i < predicted.size(); ++i)
            if ((data.y[i] == 2) == forget) right += predicted[i] == data.y[i], n += 1;
        return right / n;
    }
    nn::labelled<double> part(bool forget) const {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < data.size(); ++i)
            if ((data.y[i] == 2) == forget) rows.push_back(i);
        return nn::subset(data, rows);
    }
};

blobs trained_blobs() {
    rng gen(4);
    const double centres[3][2] = {{-2, 0}, {2, 0}, {0, 2.5}};
    blobs b{{nn::tensor<double>({300, 2}), {}}, blob_network(gen)};
    for (std::size_t i = 0; i < 300; ++i) {
        const std::size_t c = i % 3;
        b.data.x.row(i)[0] = centres[c][0] + 0.5 * gen.normal(), b.data.x.row(i)[1] = centres[c][1] + 0.5 * gen.normal();
        b.data.y.push_back(c);
    }
    nn::adam<double> opt(b.net.parameters(), {.lr = 1e-2});
    nn::fit(b.net, opt, b.data, nullptr, {.epochs = 30, .batch_size = 32, .seed = 1, .progress = false});
    return b;
}

// W [d, K] and b of a dense layer, as row-major copies.
std::vector<double> weights(nn::dense<double>& layer) { return {layer.parameters()[0].value->values().begin(), layer.parameters()[0].value->values().end()}; }
std::vector<double> bias(nn::dense<double>& layer) { return {layer.parameters()[1].value->values().begin(), layer.parameters()[1].value->values().end()}; }

} // namespace

TEST_CASE("QPAudioEraser's destructive interference scales class F's weights by cos(phi)/sqrt(2) and its bias by cos(phi), or input F's in the authors' code", "[unlearn]") {
    rng gen(1);
    constexpr std::size_t d = 5, k = 4, f = 2;
    nn::dense<double> layer(d, k, gen);
    const auto w = weights(layer), b = bias(layer);
    ul::destructive_interference(layer, f);
    const auto w1 = weights(layer), b1 = bias(layer);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t c = 0; c < k; ++c) CHECK(w1[i * k + c] == (c == f ? Approx(-w[i * k + c] / std::sqrt(2.0)).epsilon(1e-15) : Approx(w[i * k + c]).epsilon(0)));
    for (std::size_t c = 0; c < k; ++c) CHECK(b1[c] == (c == f ? Approx(-b[c]).epsilon(1e-15) : Approx(b[c]).epsilon(0)));
    // Another angle, and the authors' axis: row F of W (input feature F, every class).
    nn::dense<double> other(d, k, gen);
    const auto v = weights(other), a = bias(other);
    ul::destructive_interference(other, f, 1.0, ul::interference_axis::input_feature);
    const auto v1 = weights(other), a1 = bias(other);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t c = 0; c < k; ++c)
            CHECK(v1[i * k + c] == (i == f ? Approx(v[i * k + c] * std::cos(1.0) / std::sqrt(2.0)).epsilon(1e-15) : Approx(v[i * k + c]).epsilon(0)));
    for (std::size_t c = 0; c < k; ++c) CHECK(a1[c] == (c == f ? Approx(a[c] * std::cos(1.0)).epsilon(1e-15) : Approx(a[c]).epsilon(0)));
    CHECK_THROWS_WITH(ul::destructive_interference(layer, 4), Catch::Contains("forget class 4 of a layer with 4 classes"));
    nn::dense<double> narrow(2, 4, gen);
    CHECK_THROWS_WITH(ul::destructive_interference(narrow, 3, std::numbers::pi, ul::interference_axis::input_feature),
                      Catch::Contains("input feature 3 of a layer with 2 inputs"));
}

TEST_CASE("QPAudioEraser's entanglement mixing is W M with M alpha where exactly one of row and column is forgotten, the bias untouched", "[unlearn]") {
    constexpr std::size_t d = 3, k = 5;
    const double alpha = 0.3;
    for (const ul::class_set& forget : {ul::class_set(1), ul::class_set{1, 3}}) { // the paper's M, and two classes at once
        rng gen(2);
        nn::dense<double> layer(d, k, gen);
        const auto w = weights(layer), b = bias(layer);
        double m[k][k] = {};
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = 0; j < k; ++j) m[i][j] = i == j ? 1.0 : forget.contains(i) != forget.contains(j) ? alpha : 0.0;
        ul::entanglement_mixing(layer, forget, alpha);
        const auto w1 = weights(layer);
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < k; ++j) {
                double expected = 0;
                for (std::size_t c = 0; c < k; ++c) expected += w[i * k + c] * m[c][j];
                // Sums in another order: a few roundings of terms below 1 apart.
                CHECK(w1[i * k + j] == Approx(expected).epsilon(1e-15).margin(2e-15));
            }
        CHECK(bias(layer) == b);
    }
}

TEST_CASE("A class set is sorted, knows its members and names itself, and refuses none or a repeated class", "[unlearn]") {
    const ul::class_set one = 3, two{4, 1};
    CHECK(one.size() == 1);
    CHECK(one.contains(3));
    CHECK(!one.contains(1));
    CHECK(one.describe() == "3");
    CHECK(std::vector<std::size_t>(two.begin(), two.end()) == std::vector<std::size_t>{1, 4});
    CHECK((two.contains(1) && two.contains(4) && !two.contains(2)));
    CHECK(two.largest() == 4);
    CHECK(two.describe() == "{1, 4}");
    CHECK(two == ul::class_set{1, 4});
    CHECK_THROWS_WITH(ul::class_set(std::vector<std::size_t>{}), Catch::Contains("no class to forget"));
    CHECK_THROWS_WITH((ul::class_set{2, 5, 2}), Catch::Contains("class 2 twice"));
    // Interference turns every forgotten class, and nothing else.
    rng gen(6);
    nn::dense<double> layer(3, 5, gen);
    const auto w = weights(layer), b = bias(layer);
    ul::destructive_interference(layer, two);
    const auto w1 = weights(layer), b1 = bias(layer);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t c = 0; c < 5; ++c) CHECK(w1[i * 5 + c] == Approx(two.contains(c) ? -w[i * 5 + c] / std::sqrt(2.0) : w[i * 5 + c]).epsilon(1e-15));
    for (std::size_t c = 0; c < 5; ++c) CHECK(b1[c] == Approx(two.contains(c) ? -b[c] : b[c]).epsilon(1e-15));
    CHECK_THROWS_WITH(ul::entanglement_mixing(layer, ul::class_set{1, 5}), Catch::Contains("forget class {1, 5} of a layer with 5 classes"));
}

TEST_CASE("QPAudioEraser's loss is the batch mean of CE on retain rows and -lambda H (or +lambda H, or CE against 1/K) on forget rows", "[unlearn]") {
    rng gen(3);
    constexpr std::size_t batch = 6, k = 4, f = 3;
    nn::tensor<double> z({batch, k});
    for (auto& v : z.values()) v = gen.uniform(-2, 2);
    const std::vector<std::size_t> labels = {0, 3, 1, 3, 2, 0};
    // Each row's term from its softmax.
    double ce = 0, h = 0, uniform = 0;
    for (std::size_t r = 0; r < batch; ++r) {
        double norm = 0;
        for (std::size_t c = 0; c < k; ++c) norm += std::exp(z.row(r)[c]);
        if (labels[r] != f) {
            ce -= std::log(std::exp(z.row(r)[labels[r]]) / norm);
            continue;
        }
        for (std::size_t c = 0; c < k; ++c) {
            const double p = std::exp(z.row(r)[c]) / norm;
            h -= p * std::log(p), uniform -= std::log(p) / k;
        }
    }
    const double lambda = 0.7;
    CHECK(ul::eraser_loss(z, labels, f, lambda, ul::forget_loss::maximise_entropy).value == Approx((ce - lambda * h) / batch).epsilon(1e-14));
    CHECK(ul::eraser_loss(z, labels, f, lambda, ul::forget_loss::minimise_entropy).value == Approx((ce + lambda * h) / batch).epsilon(1e-14));
    CHECK(ul::eraser_loss(z, labels, f, lambda, ul::forget_loss::uniform_labels).value == Approx((ce + uniform) / batch).epsilon(1e-14));
    for (auto kind : {ul::forget_loss::maximise_entropy, ul::forget_loss::minimise_entropy, ul::forget_loss::uniform_labels}) {
        const auto g = ul::eraser_loss(z, labels, f, lambda, kind).grad;
        for (std::size_t i = 0; i < z.size(); ++i) {
            auto up = z, down = z;
            up[i] += 1e-6, down[i] -= 1e-6;
            const double numeric = (ul::eraser_loss(up, labels, f, lambda, kind).value - ul::eraser_loss(down, labels, f, lambda, kind).value) / 2e-6;
            CHECK(g[i] == Approx(numeric).epsilon(1e-7).margin(1e-10));
        }
    }
    // A batch of forget rows alone, and of retain rows alone.
    const std::vector<std::size_t> all_forget(batch, f), none = {0, 1, 2, 0, 1, 2};
    CHECK(ul::eraser_loss(z, all_forget, f, 1, ul::forget_loss::maximise_entropy).value == Approx(-nn::entropy<double>(z).value).epsilon(1e-14));
    CHECK(ul::eraser_loss(z, none, f, 1, ul::forget_loss::maximise_entropy).value == Approx(nn::cross_entropy<double>(z, none).value).epsilon(1e-14));
    // Classes 1 and 3 at once: rows 1, 2 and 3 (labels 3, 1, 3) are the forget rows.
    const std::vector<std::size_t> retain_rows = {0, 4, 5}, forget_rows = {1, 2, 3}, retain_labels = {0, 2, 0};
    const double two = (3 * nn::cross_entropy<double>(nn::gather_rows(z, retain_rows), retain_labels).value -
                        lambda * 3 * nn::entropy<double>(nn::gather_rows(z, forget_rows)).value) / batch;
    CHECK(ul::eraser_loss(z, labels, ul::class_set{1, 3}, lambda, ul::forget_loss::maximise_entropy).value == Approx(two).epsilon(1e-14));
}

TEST_CASE("QPAudioEraser end to end forgets a class of a trained classifier and leaves the data as it was", "[unlearn]") {
    auto b = trained_blobs();
    const auto before = nn::argmax_rows(b.net.forward(b.data.x, nn::mode::eval));
    REQUIRE(b.share(before, true) > 0.95);
    REQUIRE(b.share(before, false) > 0.95);
    const auto kept = b.data;
    ul::qpaudioeraser(b.net, b.data, {.forget = 2, .epochs = 5, .seed = 2});
    const auto after = nn::argmax_rows(b.net.forward(b.data.x, nn::mode::eval));
    CHECK(b.share(after, true) < 0.05); // the forget class is no longer recognised
    CHECK(b.share(after, false) > 0.9); // the others still are
    CHECK(std::equal(kept.x.values().begin(), kept.x.values().end(), b.data.x.values().begin()));
    CHECK(kept.y == b.data.y);
    rng gen(5);
    nn::sequential<double> no_dense;
    no_dense.add<nn::dense<double>>(2, 3, gen).add<nn::relu<double>>();
    CHECK_THROWS_WITH(ul::qpaudioeraser(no_dense, b.data, {.forget = 2}), Catch::Contains("the last layer is relu, not dense"));
    // Classes 1 and 2 in one request: both go, class 0 stays.
    auto c = trained_blobs();
    ul::qpaudioeraser(c.net, c.data, {.forget = {1, 2}, .epochs = 5, .seed = 2});
    const auto predicted = nn::argmax_rows(c.net.forward(c.data.x, nn::mode::eval));
    double right[3] = {0, 0, 0}, count[3] = {0, 0, 0};
    for (std::size_t i = 0; i < predicted.size(); ++i) count[c.data.y[i]] += 1, right[c.data.y[i]] += predicted[i] == c.data.y[i];
    CHECK(right[1] / count[1] < 0.05);
    CHECK(right[2] / count[2] < 0.05);
    CHECK(right[0] / count[0] > 0.9);
}

TEST_CASE("Every strategy leaves the request's data as it was, retrain is a fresh network trained on the retain set, NegGrad+ at beta 1 is fine-tuning", "[unlearn]") {
    static_assert(ul::strategy<ul::retrain<double>> && ul::strategy<ul::fine_tune<double>> && ul::strategy<ul::gradient_ascent<double>> &&
                  ul::strategy<ul::neggrad_plus<double>> && ul::strategy<ul::random_labels<double>> && ul::strategy<ul::salun<double>> &&
                  ul::strategy<ul::l1_sparse<double>> && ul::strategy<ul::synaptic_dampening<double>> && ul::strategy<ul::scrub<double>> &&
                  ul::strategy<ul::fisher_forgetting<double>> &&
                  ul::strategy<ul::qpaudioeraser_strategy<double>>);
    const auto b = trained_blobs();
    const auto retain = b.part(false), forget = b.part(true);
    const auto kept_retain = retain, kept_forget = forget;
    const ul::request<double> r{retain, forget};
    const auto fresh = [] {
        rng gen(9);
        return blob_network(gen);
    };
    const ul::retrain<double> retrain{fresh, {.epochs = 10, .batch_size = 32, .seed = 3, .progress = false}, 1e-2};
    const ul::tuning_options o{.epochs = 3, .lr = 1e-2, .seed = 4};
    // Mean cross-entropy of a network on a set.
    const auto loss = [](nn::sequential<double>& net, const nn::labelled<double>& set) {
        return nn::cross_entropy<double>(net.forward(set.x, nn::mode::eval), set.y).value;
    };
    const auto run = [&](const auto& s) {
        auto net = b.net;
        s.unlearn(net, r);
        CHECK(std::equal(kept_retain.x.values().begin(), kept_retain.x.values().end(), retain.x.values().begin()));
        CHECK(std::equal(kept_forget.x.values().begin(), kept_forget.x.values().end(), forget.x.values().begin()));
        CHECK((kept_retain.y == retain.y && kept_forget.y == forget.y));
        return net;
    };
    auto retrained = run(retrain);
    auto direct = fresh();
    nn::adam<double> opt(direct.parameters(), {.lr = 1e-2});
    nn::fit(direct, opt, retain, nullptr, {.epochs = 10, .batch_size = 32, .seed = 3, .progress = false});
    const auto a = retrained.forward(b.data.x, nn::mode::eval), e = direct.forward(b.data.x, nn::mode::eval);
    CHECK(std::equal(a.values().begin(), a.values().end(), e.values().begin()));
    CHECK(b.share(nn::argmax_rows(a), true) == 0); // class 2 was never seen

    auto tuned = run(ul::fine_tune<double>{o});
    auto at_one = run(ul::neggrad_plus<double>{o, 1.0});
    const auto t = tuned.forward(b.data.x, nn::mode::eval), n1 = at_one.forward(b.data.x, nn::mode::eval);
    CHECK(std::equal(t.values().begin(), t.values().end(), n1.values().begin()));
    auto original = b.net;
    auto half = run(ul::neggrad_plus<double>{o, 0.5});
    CHECK(loss(half, forget) > loss(tuned, forget)); // the forget term pushes its loss up
    auto ascended = run(ul::gradient_ascent<double>{o});
    CHECK(loss(ascended, forget) > 10 * loss(original, forget));
    auto relabelled = run(ul::random_labels<double>{o, 3});
    CHECK(b.share(nn::argmax_rows(relabelled.forward(b.data.x, nn::mode::eval)), true) < 0.5);
    run(ul::salun<double>{o, 3});
    run(ul::l1_sparse<double>{o});
    run(ul::synaptic_dampening<double>{.alpha = 2});
    run(ul::scrub<double>{o, 2});
    run(ul::fisher_forgetting<double>{});
    auto erased = run(ul::qpaudioeraser_strategy<double>{{.forget = 2, .lr = 1e-3}});
    CHECK(b.share(nn::argmax_rows(erased.forward(b.data.x, nn::mode::eval)), true) < 0.05);

    CHECK_THROWS_WITH(run(ul::qpaudioeraser_strategy<double>{{.forget = 1}}), Catch::Contains("a forget sample labelled 2, not in F = 1"));
    CHECK_THROWS_WITH(run(ul::neggrad_plus<double>{o, 1.5}), Catch::Contains("beta 1.5 is not in [0, 1]"));
    CHECK_THROWS_WITH(run(ul::random_labels<double>{o, 1}), Catch::Contains("1 classes (needs 2 or more)"));
}

TEST_CASE("The squared and mean gradients equal central differences of each sample's and the set's cross-entropy", "[unlearn]") {
    rng gen(6);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(3, 4, gen).add<nn::tanh<double>>().add<nn::dense<double>>(4, 3, gen);
    nn::labelled<double> set{nn::tensor<double>({5, 3}), {0, 2, 1, 1, 0}};
    for (auto& v : set.x.values()) v = gen.uniform(-1, 1);
    const auto squared = ul::squared_gradients(net, set), mean = ul::mean_gradient(net, set, 2);
    const auto ce = [&](const nn::labelled<double>& s) { return nn::cross_entropy<double>(net.forward(s.x, nn::mode::eval), s.y).value; };
    auto params = net.parameters();
    for (std::size_t k = 0; k < params.size(); ++k)
        for (std::size_t i = 0; i < params[k].value->size(); ++i) {
            double& w = (*params[k].value)[i];
            const double keep = w, h = 1e-6;
            double sq = 0;
            for (std::size_t r = 0; r < set.size(); ++r) {
                const auto one = nn::subset(set, std::vector<std::size_t>{r});
                w = keep + h;
                const double up = ce(one);
                w = keep - h;
                const double down = ce(one);
                w = keep;
                sq += std::pow((up - down) / (2 * h), 2) / double(set.size());
            }
            w = keep + h;
            const double up = ce(set);
            w = keep - h;
            const double down = ce(set);
            w = keep;
            CHECK(squared[k][i] == Approx(sq).epsilon(1e-6).margin(1e-12));
            CHECK(mean[k][i] == Approx((up - down) / (2 * h)).epsilon(1e-6).margin(1e-10));
        }
}

TEST_CASE("SSD shrinks exactly the weights far more important to the forget set, Fisher forgetting adds its noise, SalUn moves only its salient weights, l1-sparse at 0 is fine-tuning", "[unlearn]") {
    const auto b = trained_blobs();
    const auto retain = b.part(false), forget = b.part(true);
    const ul::request<double> r{retain, forget};
    // SSD against its rule applied by hand. The forget set is a third of the data, so its Fisher is
    // at most 3 times the whole set's: alpha 2 here (the paper's 10 needs a forget set below 10%).
    auto net = b.net, expected = b.net;
    const auto all = ul::squared_gradients(expected, ul::joined(r)), f = ul::squared_gradients(expected, forget);
    std::size_t dampened = 0;
    auto params = expected.parameters();
    for (std::size_t k = 0; k < params.size(); ++k)
        for (std::size_t i = 0; i < params[k].value->size(); ++i)
            if (f[k][i] > 2 * all[k][i]) (*params[k].value)[i] *= std::min(all[k][i] / f[k][i], 1.0), ++dampened;
    ul::synaptic_dampening<double>{.alpha = 2}.unlearn(net, r);
    REQUIRE(dampened > 0);
    auto got = net.parameters();
    for (std::size_t k = 0; k < params.size(); ++k)
        CHECK(std::equal(got[k].value->values().begin(), got[k].value->values().end(), params[k].value->values().begin()));
    // Fisher forgetting against its formula applied by hand with the same noise.
    auto noisy = b.net, by_hand = b.net;
    const auto fr = ul::squared_gradients(by_hand, retain);
    rng noise(8);
    auto hp = by_hand.parameters();
    for (std::size_t k = 0; k < hp.size(); ++k)
        for (std::size_t i = 0; i < hp[k].value->size(); ++i) (*hp[k].value)[i] += std::sqrt(1e-4 * std::min(1 / (fr[k][i] + 1e-8), 50.0)) * noise.normal();
    ul::fisher_forgetting<double>{.alpha = 1e-4, .cap = 50, .seed = 8}.unlearn(noisy, r);
    auto np = noisy.parameters();
    for (std::size_t k = 0; k < hp.size(); ++k)
        CHECK(std::equal(np[k].value->values().begin(), np[k].value->values().end(), hp[k].value->values().begin()));
    // SalUn: the weights below the saliency threshold keep their values.
    const ul::tuning_options o{.epochs = 3, .lr = 1e-2, .seed = 4};
    auto salient = b.net;
    const auto saliency = ul::mean_gradient(salient, forget);
    std::vector<double> magnitudes;
    for (const auto& v : saliency)
        for (double x : v) magnitudes.push_back(std::abs(x));
    std::sort(magnitudes.begin(), magnitudes.end(), std::greater<>());
    const double threshold = magnitudes[std::size_t(std::llround(0.5 * double(magnitudes.size()))) - 1]; // keep half, rounded
    auto before = b.net;
    ul::salun<double>{o, 3}.unlearn(salient, r);
    auto p0 = before.parameters(), p1 = salient.parameters();
    std::size_t moved = 0, frozen = 0;
    for (std::size_t k = 0; k < p0.size(); ++k)
        for (std::size_t i = 0; i < p0[k].value->size(); ++i) {
            const bool same = (*p0[k].value)[i] == (*p1[k].value)[i];
            if (std::abs(saliency[k][i]) < threshold) {
                CHECK(same);
                ++frozen;
            } else {
                moved += !same;
            }
        }
    CHECK(frozen > 0);
    CHECK(moved > 0);
    CHECK(b.share(nn::argmax_rows(salient.forward(b.data.x, nn::mode::eval)), true) < 0.5);
    // l1-sparse: gamma 0 is fine-tuning bit for bit; a large gamma shrinks the weights.
    auto zero = b.net, tuned = b.net, sparse = b.net;
    ul::l1_sparse<double>{o, 0.0}.unlearn(zero, r);
    ul::fine_tune<double>{o}.unlearn(tuned, r);
    const auto z0 = zero.forward(b.data.x, nn::mode::eval), t0 = tuned.forward(b.data.x, nn::mode::eval);
    CHECK(std::equal(z0.values().begin(), z0.values().end(), t0.values().begin()));
    ul::l1_sparse<double>{o, 0.5}.unlearn(sparse, r);
    const auto l1 = [](nn::sequential<double>& n) {
        double s = 0;
        for (auto& p : n.parameters())
            for (double w : p.value->values()) s += std::abs(w);
        return s;
    };
    CHECK(l1(sparse) < 0.8 * l1(tuned));
}

TEST_CASE("SCRUB's distillation divergence equals its definition and finite differences, and SCRUB pushes the forget set away from the teacher", "[unlearn]") {
    rng gen(7);
    nn::tensor<double> s({3, 4}), t({3, 4});
    for (auto& v : s.values()) v = gen.uniform(-2, 2);
    for (auto& v : t.values()) v = gen.uniform(-2, 2);
    const double temperature = 2.5;
    double expected = 0;
    for (std::size_t b = 0; b < 3; ++b) {
        double zs = 0, zt = 0;
        for (std::size_t c = 0; c < 4; ++c) zs += std::exp(s.row(b)[c] / temperature), zt += std::exp(t.row(b)[c] / temperature);
        for (std::size_t c = 0; c < 4; ++c) {
            const double p = std::exp(t.row(b)[c] / temperature) / zt, q = std::exp(s.row(b)[c] / temperature) / zs;
            expected += p * std::log(p / q);
        }
    }
    const auto kl = ul::distillation_kl(s, t, temperature);
    CHECK(kl.value == Approx(temperature * temperature * expected / 3).epsilon(1e-13));
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto up = s, down = s;
        up[i] += 1e-6, down[i] -= 1e-6;
        CHECK(kl.grad[i] == Approx((ul::distillation_kl(up, t, temperature).value - ul::distillation_kl(down, t, temperature).value) / 2e-6)
                                .epsilon(1e-7).margin(1e-10));
    }
    CHECK(ul::distillation_kl(t, t, temperature).value == Approx(0).margin(1e-15));

    const auto b = trained_blobs();
    const auto retain = b.part(false), forget = b.part(true);
    auto net = b.net, teacher = b.net;
    ul::scrub<double>{{.epochs = 4, .lr = 1e-2, .seed = 5}, 2}.unlearn(net, {retain, forget});
    const auto away = ul::distillation_kl(net.forward(forget.x, nn::mode::eval), teacher.forward(forget.x, nn::mode::eval), 1).value;
    const auto near = ul::distillation_kl(net.forward(retain.x, nn::mode::eval), teacher.forward(retain.x, nn::mode::eval), 1).value;
    CHECK(away > 10 * near);
    CHECK(b.share(nn::argmax_rows(net.forward(b.data.x, nn::mode::eval)), false) > 0.9);
    CHECK_THROWS_WITH((ul::scrub<double>{{.epochs = 1}, 2}.unlearn(net, {retain, forget})), Catch::Contains("2 max-step epochs of 1"));
}

TEST_CASE("QPAudioEraser's metrics on hand-made predictions", "[unlearn]") {
    // Forget class 1 of 3. Ten samples: four of class 1 (predicted 1, 0, 1, 2), six others
    // (0 -> 0, 0 -> 1, 2 -> 2, 2 -> 0, 0 -> 0, 2 -> 2).
    const std::vector<std::size_t> labels = {1, 1, 1, 1, 0, 0, 2, 2, 0, 2};
    const std::vector<std::size_t> predicted = {1, 0, 1, 2, 0, 1, 2, 0, 0, 2};
    const std::vector<double> p_forget = {0.6, 0.3, 0.5, 0.1, 0.2, 0.7, 0.1, 0.3, 0.1, 0.05}; // P(class 1) of each row
    nn::tensor<double> p({10, 3});
    for (std::size_t i = 0; i < 10; ++i) {
        const double rest = 1 - p_forget[i];
        for (std::size_t c = 0; c < 3; ++c) p.row(i)[c] = c == 1 ? p_forget[i] : (c == predicted[i] ? rest * 0.9 : rest * 0.1);
        REQUIRE(nn::argmax_rows(p)[i] == predicted[i]);
    }
    const auto s = ul::forgetting_metrics(p, labels, 1, 80);
    CHECK(s.fa == Approx(50).epsilon(1e-14));          // 2 of 4
    CHECK(s.ra == Approx(400.0 / 6).epsilon(1e-14));   // 4 of 6
    CHECK(s.il == Approx(37.5).epsilon(1e-14));        // (0.6 + 0.3 + 0.5 + 0.1) / 4
    CHECK(s.far == Approx(100.0 / 6).epsilon(1e-14));  // 1 of 6
    CHECK(s.frr == Approx(50).epsilon(1e-14));
    CHECK(s.frr_tables == Approx(100 - 400.0 / 6).epsilon(1e-14));
    CHECK(s.per == Approx(37.5).epsilon(1e-14));       // (80 - 50) / 80
    CHECK(s.erb == Approx(2 * 50 * (400.0 / 6) / (50 + 400.0 / 6)).epsilon(1e-14));
    CHECK(ul::forgetting_metrics(p, labels, 1, 0).per == 0);
    CHECK(ul::forgetting_metrics(p, labels, 1, 40).per == 0); // FA above the original's: no forgetting
    const std::vector<std::size_t> only_forget(10, 1);
    CHECK_THROWS_WITH(ul::forgetting_metrics(p, only_forget, 1, 80), Catch::Contains("10 forget and 0 other samples"));
    CHECK_THROWS_WITH(ul::forgetting_metrics(p, labels, 3, 80), Catch::Contains("forget class 3"));
    // Classes 1 and 2 at once: the 7 samples labelled 1 or 2 are forget samples, right when
    // predicted as their own class (2 of 4, 2 of 3); IL is the probability of their own class;
    // the 3 samples labelled 0 are the others, one of them predicted as 1.
    const auto both = ul::forgetting_metrics(p, labels, ul::class_set{1, 2}, 80);
    double own = 0;
    for (std::size_t i = 0; i < 10; ++i) own += labels[i] != 0 ? p.row(i)[labels[i]] : 0.0;
    CHECK(both.fa == Approx(400.0 / 7).epsilon(1e-14));
    CHECK(both.ra == Approx(200.0 / 3).epsilon(1e-14));
    CHECK(both.il == Approx(100 * own / 7).epsilon(1e-14));
    CHECK(both.far == Approx(100.0 / 3).epsilon(1e-14));
}

TEST_CASE("Membership inference's AUC counts the pairs a member wins, ties one half", "[unlearn]") {
    const std::vector<double> members = {0.9, 0.4, 0.4, 0.7, 0.1}, nonmembers = {0.4, 0.2, 0.8, 0.05, 0.4, 0.3};
    CHECK(ul::membership(members, nonmembers).auc == Approx(pairs_auc(members, nonmembers)).epsilon(1e-15));
    CHECK(ul::membership(members, members).auc == Approx(0.5).epsilon(1e-15)); // the same scores: chance
    // The loss-threshold attack scores a sample by minus its loss: lower loss, more likely a member.
    const std::vector<double> member_losses = {0.01, 0.2, 0.05}, nonmember_losses = {0.3, 0.02, 1.5, 0.8};
    CHECK(ul::loss_threshold(member_losses, nonmember_losses).auc == Approx(pairs_auc({-0.01, -0.2, -0.05}, {-0.3, -0.02, -1.5, -0.8})).epsilon(1e-15));
}

TEST_CASE("The true-positive rate below 1% false positives counts the members that fewer than 1% of the non-members reach", "[unlearn]") {
    std::vector<double> nonmembers;
    for (int i = 0; i < 200; ++i) nonmembers.push_back(i / 200.0); // 0 .. 0.995
    // Below 1% of 200 non-members: at most one false positive (0.5%); two (1.0%) are too many.
    const std::vector<double> members = {5, 4, 0.9955, 0.992, 0.982, 0.2};
    CHECK(ul::membership(members, nonmembers).tpr_at_low_fpr == Approx(4.0 / 6).epsilon(1e-15)); // 0.992: only 0.995 above it
    CHECK(ul::membership(members, nonmembers, 0.005).tpr_at_low_fpr == Approx(3.0 / 6).epsilon(1e-15)); // no false positive
    CHECK(ul::membership(members, nonmembers, 0.02).tpr_at_low_fpr == Approx(5.0 / 6).epsilon(1e-15));  // 0.982: three above (1.5%)
    CHECK(ul::membership(members, nonmembers, 1).tpr_at_low_fpr == Approx(1).epsilon(1e-15));
}

TEST_CASE("LiRA's statistic and score equal their closed forms", "[unlearn]") {
    CHECK(ul::logit_confidence(0.5) == 0);
    CHECK(ul::logit_confidence(0.9) == Approx(std::log(9.0)).epsilon(1e-14));
    CHECK(ul::logit_confidence(0.1) == Approx(-std::log(9.0)).epsilon(1e-14));
    CHECK(std::isfinite(ul::logit_confidence(1.0)));
    CHECK(std::isfinite(ul::logit_confidence(0.0)));
    // Sample 0: IN {1, 3} (mean 2, variance 2), OUT {-1, -3} (mean -2, variance 2), observed 1:
    // log N(1; 2, 2) - log N(1; -2, 2) = -1/4 + 9/4 = 2. Sample 1: IN {0, 4} (mean 2, variance 8),
    // OUT {-1, -3}, observed 2: its own variances give -log(8)/2 + log(2)/2 + 16/4 = 4 - log 2.
    const std::vector<double> observed = {1, 2};
    const std::vector<std::vector<double>> in = {{1, 3}, {0, 4}}, out = {{-1, -3}, {-1, -3}};
    const auto own = ul::lira_scores(observed, in, out, false);
    CHECK(own[0] == Approx(2).epsilon(1e-14));
    CHECK(own[1] == Approx(4 - std::log(2.0)).epsilon(1e-14));
    // Fixed variance: IN's pooled (2 + 8) / 2 = 5, OUT's 2.
    const auto pooled = ul::lira_scores(observed, in, out, true);
    CHECK(pooled[0] == Approx(-0.5 * std::log(2.5) - 1.0 / 10 + 9.0 / 4).epsilon(1e-14));
    CHECK(pooled[1] == Approx(-0.5 * std::log(2.5) - 0.0 + 16.0 / 4).epsilon(1e-14));
    // Offline: (observed - mean_OUT) / sd_OUT; OUT {-1, -3} and {0, 4} have variances 2 and 8.
    const std::vector<std::vector<double>> outs = {{-1, -3}, {0, 4}};
    const auto offline = ul::lira_offline_scores(observed, outs, false);
    CHECK(offline[0] == Approx(3 / std::sqrt(2.0)).epsilon(1e-14));
    CHECK(offline[1] == Approx(0.0).margin(1e-15));
    CHECK(ul::lira_offline_scores(observed, outs, true)[0] == Approx(3 / std::sqrt(5.0)).epsilon(1e-14));
}

TEST_CASE("Membership inference refuses empty sets, a false-positive rate of 0, one shadow value and non-probabilities", "[unlearn]") {
    const std::vector<double> some = {0.1, 0.2}, none;
    CHECK_THROWS_WITH(ul::membership(none, some), Catch::Contains("0 members, 2 non-members"));
    CHECK_THROWS_WITH(ul::membership(some, some, 0), Catch::Contains("false-positive rate 0"));
    CHECK_THROWS_WITH(ul::fit_gaussian(std::vector<double>{1.0}), Catch::Contains("1 values (needs 2 or more)"));
    CHECK_THROWS_WITH(ul::logit_confidence(1.5), Catch::Contains("1.5 is not a probability"));
    const std::vector<std::vector<double>> one = {{1, 2}};
    CHECK_THROWS_WITH(ul::lira_scores(some, one, one), Catch::Contains("2 samples, 1 IN and 1 OUT"));
    CHECK_THROWS_WITH(ul::lira_offline_scores(some, one), Catch::Contains("2 samples, 1 OUT"));
}

namespace {

// The probe's objective and its gradient at (w, b), written out term by term from the definition
// in probe.hpp with the standardisation redone here.
std::vector<double> probe_gradient(const nn::tensor<double>& x, const std::vector<std::size_t>& positive, const std::vector<double>& wb, double l2) {
    const std::size_t n = x.dim(0), d = x.row_size();
    std::vector<double> mean(d, 0), sd(d, 0), g(d + 1, 0);
    double n_pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
        n_pos += positive[i];
        for (std::size_t j = 0; j < d; ++j) mean[j] += x.row(i)[j] / double(n);
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) sd[j] += (x.row(i)[j] - mean[j]) * (x.row(i)[j] - mean[j]) / double(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double weight = 0.5 / (positive[i] ? n_pos : double(n) - n_pos), label = double(positive[i]);
        double m = wb[d];
        for (std::size_t j = 0; j < d; ++j) m += (x.row(i)[j] - mean[j]) / std::sqrt(sd[j]) * wb[j];
        const double residual = weight * (1 / (1 + std::exp(-m)) - label); // d/dm of c log(1 + exp(-s m))
        for (std::size_t j = 0; j < d; ++j) g[j] += residual * (x.row(i)[j] - mean[j]) / std::sqrt(sd[j]);
        g[d] += residual;
    }
    for (std::size_t j = 0; j < d; ++j) g[j] += l2 * wb[j];
    return g;
}

} // namespace

TEST_CASE("The linear probe's fit zeroes its objective's gradient, separates what is separable and scores chance on noise", "[unlearn]") {
    rng gen(11);
    constexpr std::size_t n = 240, d = 5;
    nn::tensor<double> x({n, d});
    std::vector<std::size_t> positive(n), noise(n);
    for (std::size_t i = 0; i < n; ++i) {
        positive[i] = i % 4 == 0 ? 1 : 0; // a quarter positive: the sides' weights matter
        noise[i] = gen.uniform() < 0.25 ? 1 : 0;
        for (std::size_t j = 0; j < d; ++j) x.row(i)[j] = gen.normal() * double(j + 1) + (positive[i] && j < 2 ? 1.5 : 0.0) + 3.0;
    }
    const ul::logistic_probe probe(x, positive, 1, {.l2 = 1e-2});
    // At the minimum the gradient of the objective, written out again here, vanishes (the solver
    // stops when the next step would lower f by less than 1e-20).
    const auto g = probe_gradient(x, positive, probe.coefficients(), 1e-2);
    for (double v : g) CHECK(std::abs(v) < 1e-9);
    CHECK(probe.iterations() < 30);
    // A set of classes is one side: labels 1 and 2 against 0 fit as the binary labels do.
    std::vector<std::size_t> three(n);
    for (std::size_t i = 0; i < n; ++i) three[i] = positive[i] ? 1 + (i / 4) % 2 : 0;
    const ul::logistic_probe either(x, three, ul::class_set{1, 2});
    CHECK(either.coefficients() == probe.coefficients());
    CHECK(either.balanced_accuracy(x, three, ul::class_set{1, 2}) == probe.balanced_accuracy(x, positive, 1));
    const double fitted = probe.balanced_accuracy(x, positive, 1);
    CHECK(fitted > 0.75); // shifted by 1.5 deviations on two features
    // Far apart: every row right. Labels unrelated to the rows: near 0.5 on fresh rows.
    nn::tensor<double> apart = x;
    for (std::size_t i = 0; i < n; ++i) apart.row(i)[0] += positive[i] ? 50.0 : 0.0;
    CHECK(ul::logistic_probe(apart, positive, 1).balanced_accuracy(apart, positive, 1) == 1.0);
    const ul::logistic_probe chance(x, noise, 1);
    nn::tensor<double> fresh({4000, d});
    std::vector<std::size_t> fresh_labels(4000);
    for (std::size_t i = 0; i < 4000; ++i) {
        fresh_labels[i] = i % 2;
        for (std::size_t j = 0; j < d; ++j) fresh.row(i)[j] = gen.normal() * double(j + 1) + 3.0;
    }
    CHECK(std::abs(chance.balanced_accuracy(fresh, fresh_labels, 1) - 0.5) < 0.05);
    // Penultimate features: the rows the last layer reads.
    rng g2(3);
    auto net = blob_network(g2);
    const std::vector<double> values = {0.5, -1, 2, 0.25, -0.75, 1};
    const nn::tensor<double> inputs({3, 2}, std::span<const double>(values));
    const auto h = ul::penultimate(net, inputs);
    CHECK(h.dim(1) == 16);
    const auto z = net.forward(inputs, nn::mode::eval), z2 = net[2].forward(h, nn::mode::eval);
    for (std::size_t k = 0; k < z.size(); ++k) CHECK(z2.values()[k] == z.values()[k]);
    CHECK_THROWS_WITH(ul::logistic_probe(x, std::vector<std::size_t>(n, 0), 1), Catch::Contains("0 positive"));
    CHECK_THROWS_WITH(ul::penultimate(net, inputs, 3), Catch::Contains("dropping 3 of 3 layers"));
}

TEST_CASE("Relearn time is 0 for a network that still knows the forget class, more for one that never saw it, and capped", "[unlearn]") {
    const auto b = trained_blobs();
    const auto retain = b.part(false), forget = b.part(true);
    const ul::request<double> r{retain, forget};
    CHECK(ul::relearn_time(b.net, r) == ul::relearn_result{0, true});
    // The retrained network (never saw class 2) must learn it: some steps, then a success.
    rng gen(5);
    auto fresh = blob_network(gen);
    nn::adam<double> opt(fresh.parameters(), {.lr = 1e-2});
    nn::fit(fresh, opt, retain, nullptr, {.epochs = 30, .batch_size = 32, .seed = 1, .progress = false});
    const auto relearnt = ul::relearn_time(fresh, r, {.check_every = 1});
    CHECK(relearnt.relearnt);
    REQUIRE(relearnt.steps > 0);
    // The same run checked every 5 steps stops at a multiple of 5, no sooner.
    const auto coarse = ul::relearn_time(fresh, r, {.check_every = 5});
    CHECK(coarse.steps >= relearnt.steps);
    CHECK(coarse.steps % 5 == 0);
    // Too few steps allowed: a lower bound, not a success.
    CHECK(ul::relearn_time(fresh, r, {.max_steps = relearnt.steps - 1, .check_every = 1}) == ul::relearn_result{relearnt.steps - 1, false});
}

TEST_CASE("The judgement of an unlearned network is its parts: metrics, the membership attacks, the probe and relearn time", "[unlearn]") {
    auto b = trained_blobs();
    const auto retain = b.part(false), forget = b.part(true);
    // Held-out samples: every tenth training sample stands in (what matters here is that judge
    // computes what its parts compute on the sets it is given).
    std::vector<std::size_t> rows, forget_rows;
    for (std::size_t i = 0; i < b.data.size(); i += 10) rows.push_back(i);
    for (std::size_t i = 2; i < b.data.size(); i += 30) forget_rows.push_back(i); // i % 3 == 2: class 2
    const auto test = nn::subset(b.data, rows), forget_test = nn::subset(b.data, forget_rows);
    const ul::forgetting_task<double> task{b.data, test, {retain, forget}, forget_test, 2};
    // Losses and LiRA's statistic from the logits against cross-entropy and softmax.
    const auto losses = ul::sample_losses(b.net, test), conf = ul::label_confidences(b.net, test);
    const auto p = ul::probabilities(b.net, test.x);
    for (std::size_t i = 0; i < test.size(); ++i) {
        const auto z = b.net.forward(nn::gather_rows(test.x, std::vector<std::size_t>{i}), nn::mode::eval);
        CHECK(losses[i] == Approx(nn::cross_entropy<double>(z, std::vector<std::size_t>{test.y[i]}).value).epsilon(1e-12).margin(1e-13)); // the logits are ~10: rounding 1e-15
        const double py = p.row(i)[test.y[i]];
        if (py < 1 - 1e-6 && py > 1e-6) CHECK(conf[i] == Approx(ul::logit_confidence(py)).epsilon(1e-8));
    }
    nn::sequential<double> spike;
    spike.add<nn::flatten<double>>();
    const std::vector<double> logits = {50, 0, 0};
    const nn::labelled<double> certain{nn::tensor<double>({1, 3}, std::span<const double>(logits)), {0}};
    CHECK(ul::label_confidences(spike, certain)[0] == Approx(50 - std::log(2.0)).epsilon(1e-15)); // p_y rounds to 1
    // The report against its parts; LiRA only with two shadows or more on a side.
    ul::lira_shadows shadows;
    rng gen(9);
    auto shadow = blob_network(gen);
    nn::adam<double> opt(shadow.parameters(), {.lr = 1e-2});
    nn::fit(shadow, opt, retain, nullptr, {.epochs = 10, .batch_size = 32, .seed = 2, .progress = false});
    shadows.add_out(shadow, task);
    CHECK(!ul::judge(b.net, task, 100, shadows).lira);
    shadows.add_out(shadow, task);
    shadows.out.members[0][1] += 0.5, shadows.out.nonmembers[0][1] -= 0.5; // two shadows with some spread
    CHECK(shadows.out.count() == 2);
    shadows.add_in(b.net, task); // trained on every sample, the held-out stand-ins too
    CHECK(!ul::judge(b.net, task, 100, shadows).lira_online);
    shadows.add_in(b.net, task);
    shadows.in.members[1][0] -= 0.25, shadows.in.nonmembers[1][0] += 0.25;
    const auto r = ul::judge(b.net, task, 100, shadows, {.check_every = 1});
    const auto direct = ul::forgetting_metrics(p, test.y, 2, 100);
    CHECK(r.scores.fa == direct.fa);
    CHECK(r.scores.ra == direct.ra);
    CHECK(r.loss_attack.auc == ul::loss_threshold(ul::sample_losses(b.net, forget), ul::sample_losses(b.net, forget_test)).auc);
    REQUIRE(r.lira);
    // LiRA scores every candidate at once (the pooled variances over members and non-members
    // together), then splits them by membership.
    auto observed = ul::label_confidences(b.net, forget);
    const std::size_t m = observed.size();
    for (double phi : ul::label_confidences(b.net, forget_test)) observed.push_back(phi);
    const auto joined = [](const ul::lira_shadows::side& s) {
        auto all = s.members;
        all.insert(all.end(), s.nonmembers.begin(), s.nonmembers.end());
        return all;
    };
    const auto split = [&](const std::vector<double>& scores) {
        return ul::membership(std::vector<double>(scores.begin(), scores.begin() + long(m)), std::vector<double>(scores.begin() + long(m), scores.end()));
    };
    const auto offline = split(ul::lira_offline_scores(observed, joined(shadows.out), true));
    CHECK(r.lira->auc == offline.auc);
    CHECK(r.lira->tpr_at_low_fpr == offline.tpr_at_low_fpr);
    REQUIRE(r.lira_online);
    const auto online = split(ul::lira_scores(observed, joined(shadows.in), joined(shadows.out), true));
    CHECK(r.lira_online->auc == online.auc);
    CHECK(r.lira_online->tpr_at_low_fpr == online.tpr_at_low_fpr);
    const ul::logistic_probe probe(ul::penultimate(b.net, b.data.x), b.data.y, 2);
    CHECK(r.probe == 100 * probe.balanced_accuracy(ul::penultimate(b.net, test.x), test.y, 2));
    CHECK(r.relearn == ul::relearn_result{0, true}); // the original still knows class 2
}
