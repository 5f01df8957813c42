// Every layer's backward pass against central finite differences (inputs and parameters), and
// every forward pass against a naive reference written here from the definition.
#include "layer_check.hpp"

#include <qhybrid/nn.hpp>

#include <cmath>
#include <string>


TEST_CASE("dense: forward is x W + b, backward matches finite differences") {
    qhybrid::rng r(1);
    nn::dense<double> d(7, 19, r); // 19 outputs: both SIMD paths and the scalar tail of the kernel
    const tensor x = random_tensor({5, 7}, r);
    const tensor y = d.forward(x, nn::mode::eval);
    auto ps = d.parameters();
    double err = 0;
    for (std::size_t b = 0; b < 5; ++b)
        for (std::size_t o = 0; o < 19; ++o) {
            double v = (*ps[1].value)[o];
            for (std::size_t i = 0; i < 7; ++i) v += x[b * 7 + i] * (*ps[0].value)[i * 19 + o];
            err = std::max(err, std::abs(v - y[b * 19 + o]));
        }
    CHECK(err <= 1e-14);
    CHECK(gradient_error(d, x, nn::mode::train, r) <= fd_tol);
}

// Direct cross-correlation from the definition.
tensor naive_conv2d(const tensor& x, const tensor& w, const tensor& b, const nn::conv_shape& s) {
    const std::size_t B = x.dim(0), H = x.dim(2), W = x.dim(3);
    const std::size_t oh = (H + 2 * s.ph - s.kh) / s.sh + 1, ow = (W + 2 * s.pw - s.kw) / s.sw + 1;
    tensor y({B, s.out, oh, ow});
    for (std::size_t n = 0; n < B; ++n)
        for (std::size_t o = 0; o < s.out; ++o)
            for (std::size_t i = 0; i < oh; ++i)
                for (std::size_t j = 0; j < ow; ++j) {
                    double v = b[o];
                    for (std::size_t c = 0; c < s.in; ++c)
                        for (std::size_t p = 0; p < s.kh; ++p)
                            for (std::size_t q = 0; q < s.kw; ++q) {
                                const long yy = long(i * s.sh + p) - long(s.ph), xx = long(j * s.sw + q) - long(s.pw);
                                if (yy < 0 || xx < 0 || yy >= long(H) || xx >= long(W)) continue;
                                v += w[((o * s.in + c) * s.kh + p) * s.kw + q] * x[((n * s.in + c) * H + yy) * W + xx];
                            }
                    y[((n * s.out + o) * oh + i) * ow + j] = v;
                }
    return y;
}

TEST_CASE("conv2d: forward equals the direct definition, backward matches finite differences") {
    qhybrid::rng r(2);
    for (const nn::conv_shape s : {nn::conv_shape{3, 4, 3, 3, 1, 1, 1, 1}, nn::conv_shape{2, 5, 3, 2, 2, 1, 0, 1},
                                   nn::conv_shape{1, 17, 2, 3, 1, 2, 1, 0}}) {
        nn::conv2d<double> c(s, r);
        const tensor x = random_tensor({2, s.in, 7, 6}, r);
        const tensor y = c.forward(x, nn::mode::eval);
        auto ps = c.parameters();
        const tensor expected = naive_conv2d(x, *ps[0].value, *ps[1].value, s);
        CHECK(max_abs_diff(y, expected) <= 1e-13);
        CHECK(gradient_error(c, x, nn::mode::train, r) <= fd_tol);
    }
}

TEST_CASE("conv2d: samples split over threads give the serial results bit for bit") {
    qhybrid::rng gen(17);
    const tensor x = random_tensor({9, 3, 10, 8}, gen);
    nn::conv2d<double> serial({3, 5, 3, 3, 1, 1, 1, 1}, gen);
    nn::conv2d<double> threaded = serial;
    const tensor dy = random_tensor({9, 5, 10, 8}, gen);
    const std::size_t threads = qhybrid::threads();
    qhybrid::set_threads(1);
    const tensor y1 = serial.forward(x, nn::mode::train);
    serial.zero_grad();
    const tensor dx1 = serial.backward(dy);
    qhybrid::set_threads(3); // more workers than the machine's cores is fine: the split is what is tested
    const tensor y2 = threaded.forward(x, nn::mode::train);
    threaded.zero_grad();
    const tensor dx2 = threaded.backward(dy);
    qhybrid::set_threads(threads);
    CHECK(max_abs_diff(y1, y2) == 0); // each sample is computed by one thread in the same order
    CHECK(max_abs_diff(dx1, dx2) == 0);
    const auto p1 = serial.parameters(), p2 = threaded.parameters();
    for (std::size_t k = 0; k < p1.size(); ++k) CHECK(max_abs_diff(*p1[k].grad, *p2[k].grad) == 0); // chunk order
}

TEST_CASE("feature_scaling: x * scale + offset per feature, kept as buffers, backward matches finite differences") {
    qhybrid::rng r(23);
    const std::vector<double> scale = {2.0, -0.5, 0.0}, offset = {1.0, 0.25, 3.0};
    nn::feature_scaling<double> f(scale, offset);
    tensor x({2, 3});
    const std::vector<double> xs = {1, 2, 3, -1, 4, 0}, expected = {3, -0.75, 3, -1, -1.75, 3};
    std::copy(xs.begin(), xs.end(), x.values().begin());
    const tensor y = f.forward(x, nn::mode::eval);
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(y[i] == expected[i]);
    const auto buffers = f.buffers(); // what save_weights writes after the parameters
    REQUIRE(buffers.size() == 2);
    for (std::size_t k = 0; k < 3; ++k) CHECK(((*buffers[0])[k] == scale[k] && (*buffers[1])[k] == offset[k]));
    CHECK(f.parameters().empty());
    CHECK(gradient_error(f, random_tensor({4, 3}, r), nn::mode::train, r) <= fd_tol);
    CHECK_THROWS_WITH(nn::feature_scaling<double>(scale, std::vector<double>{1.0}),
                      Catch::Contains("3 scales and 1 offsets"));
    CHECK_THROWS_WITH(nn::feature_scaling<double>(std::vector<double>{std::nan("")}, std::vector<double>{0.0}),
                      Catch::Contains("feature 0 has a non-finite scale or offset"));
    CHECK_THROWS_WITH(f.forward(tensor({2, 4}), nn::mode::eval), Catch::Contains("feature_scaling: input of shape [2, 4], expected [batch, 3]"));
    CHECK_THROWS_WITH(nn::feature_scaling<double>(scale, offset).backward(y), Catch::Contains("backward() called before forward()"));
}

TEST_CASE("conv1d: forward equals conv2d of height 1, backward matches finite differences") {
    qhybrid::rng r(3);
    nn::conv1d<double> c(3, 6, 5, 2, 2, r);
    const tensor x = random_tensor({3, 3, 26}, r);
    const tensor y = c.forward(x, nn::mode::eval);
    auto ps = c.parameters();
    const tensor expected = naive_conv2d(x.reshaped({3, 3, 1, 26}), *ps[0].value, *ps[1].value, {3, 6, 1, 5, 1, 2, 0, 2});
    REQUIRE(y.shape() == nn::shape_t{3, 6, 13});
    CHECK(max_abs_diff(y, expected.reshaped(y.shape())) <= 1e-13);
    CHECK(gradient_error(c, x, nn::mode::train, r) <= fd_tol);
}

TEST_CASE("pooling: forward from the definition, backward matches finite differences") {
    qhybrid::rng r(4);
    const tensor x = random_tensor({2, 3, 6, 7}, r);
    nn::max_pool2d<double> mp(2);
    nn::avg_pool2d<double> ap(3, 2);
    const tensor m = mp.forward(x, nn::mode::eval), a = ap.forward(x, nn::mode::eval);
    REQUIRE(m.shape() == nn::shape_t{2, 3, 3, 3});
    REQUIRE(a.shape() == nn::shape_t{2, 3, 2, 3});
    double err = 0;
    for (std::size_t p = 0; p < 6; ++p)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 3; ++j) {
                double best = -1e300, sum = 0;
                for (std::size_t u = 0; u < 2; ++u)
                    for (std::size_t v = 0; v < 2; ++v) best = std::max(best, x[(p * 6 + 2 * i + u) * 7 + 2 * j + v]);
                err = std::max(err, std::abs(best - m[(p * 3 + i) * 3 + j]));
                if (i < 2) {
                    for (std::size_t u = 0; u < 3; ++u)
                        for (std::size_t v = 0; v < 3; ++v) sum += x[(p * 6 + 2 * i + u) * 7 + 2 * j + v];
                    err = std::max(err, std::abs(sum / 9 - a[(p * 2 + i) * 3 + j]));
                }
            }
    CHECK(err <= 1e-15);
    CHECK(gradient_error(mp, x, nn::mode::train, r) <= fd_tol);
    CHECK(gradient_error(ap, x, nn::mode::train, r) <= fd_tol);
    const tensor x1 = random_tensor({2, 4, 11}, r);
    nn::max_pool1d<double> mp1(3);
    nn::avg_pool1d<double> ap1(2, 1);
    CHECK(mp1.forward(x1, nn::mode::eval).shape() == nn::shape_t{2, 4, 3});
    CHECK(ap1.forward(x1, nn::mode::eval).shape() == nn::shape_t{2, 4, 10});
    CHECK(gradient_error(mp1, x1, nn::mode::train, r) <= fd_tol);
    CHECK(gradient_error(ap1, x1, nn::mode::train, r) <= fd_tol);
    nn::global_avg_pool<double> g;
    const tensor gy = g.forward(x, nn::mode::eval);
    double mean = 0;
    for (std::size_t k = 0; k < 42; ++k) mean += x[42 + k];
    CHECK(std::abs(gy[1] - mean / 42) <= 1e-15);
    CHECK(gradient_error(g, x, nn::mode::train, r) <= fd_tol);
}

TEST_CASE("max pooling: ties go to the first value, NaN wins its window (as in PyTorch), gradients follow") {
    tensor x({1, 1, 2, 4});
    // window 1: 1, 3 / 3, 2 (tie: the first 3); window 2: 0, NaN / 5, 4 (the NaN)
    const double values[] = {1, 3, 0, std::nan(""), 3, 2, 5, 4};
    std::copy(std::begin(values), std::end(values), x.values().begin());
    nn::max_pool2d<double> mp(2);
    const tensor y = mp.forward(x, nn::mode::train);
    CHECK(y[0] == 3);
    CHECK(std::isnan(y[1]));
    tensor dy({1, 1, 1, 2});
    dy[0] = 10, dy[1] = 20;
    const tensor dx = mp.backward(dy);
    const double expected[] = {0, 10, 0, 20, 0, 0, 0, 0};
    for (std::size_t i = 0; i < 8; ++i) CHECK(dx[i] == expected[i]);
}

TEST_CASE("activations and softmax: values from closed forms, backward matches finite differences") {
    qhybrid::rng r(5);
    const tensor x = random_tensor({4, 9}, r, -3, 3);
    auto check = [&](nn::layer<double>& l, auto f) {
        const tensor y = l.forward(x, nn::mode::eval);
        double err = 0;
        for (std::size_t i = 0; i < x.size(); ++i) err = std::max(err, std::abs(y[i] - f(x[i])));
        CHECK(err <= 1e-15);
        CHECK(gradient_error(l, x, nn::mode::train, r) <= fd_tol);
    };
    nn::relu<double> relu;
    nn::leaky_relu<double> leaky(0.2);
    nn::tanh<double> th;
    nn::sigmoid<double> sg;
    nn::gelu<double> ge;
    check(relu, [](double v) { return v > 0 ? v : 0.0; });
    check(leaky, [](double v) { return v > 0 ? v : 0.2 * v; });
    check(th, [](double v) { return std::tanh(v); });
    check(sg, [](double v) { return 1 / (1 + std::exp(-v)); });
    check(ge, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });

    nn::softmax<double> sm;
    nn::log_softmax<double> lsm;
    const tensor s = sm.forward(x, nn::mode::eval), ls = lsm.forward(x, nn::mode::eval);
    double err = 0;
    for (std::size_t b = 0; b < 4; ++b) {
        double z = 0;
        for (std::size_t k = 0; k < 9; ++k) z += std::exp(x[b * 9 + k]);
        for (std::size_t k = 0; k < 9; ++k) {
            err = std::max(err, std::abs(s[b * 9 + k] - std::exp(x[b * 9 + k]) / z));
            err = std::max(err, std::abs(ls[b * 9 + k] - (x[b * 9 + k] - std::log(z))));
        }
    }
    CHECK(err <= 1e-14);
    CHECK(gradient_error(sm, x, nn::mode::train, r) <= fd_tol);
    CHECK(gradient_error(lsm, x, nn::mode::train, r) <= fd_tol);
    // Stable for huge logits.
    tensor big({1, 2});
    big[0] = 1000, big[1] = 0;
    const tensor sb = sm.forward(big, nn::mode::eval);
    CHECK(sb[0] == 1.0);
    CHECK(std::isfinite(lsm.forward(big, nn::mode::eval)[1]));
}

TEST_CASE("batch_norm: train and eval forward from the definition, backward matches finite differences") {
    qhybrid::rng r(6);
    nn::batch_norm<double> bn(3);
    for (auto& p : bn.parameters())
        for (auto& v : p.value->values()) v = r.uniform(0.5, 1.5);
    const tensor x = random_tensor({4, 3, 5}, r, -2, 2);
    const tensor y = bn.forward(x, nn::mode::train);
    const auto ps = bn.parameters();
    double err = 0;
    for (std::size_t c = 0; c < 3; ++c) {
        double mean = 0, var = 0;
        for (std::size_t b = 0; b < 4; ++b)
            for (std::size_t k = 0; k < 5; ++k) mean += x[(b * 3 + c) * 5 + k] / 20;
        for (std::size_t b = 0; b < 4; ++b)
            for (std::size_t k = 0; k < 5; ++k) var += std::pow(x[(b * 3 + c) * 5 + k] - mean, 2) / 20;
        for (std::size_t b = 0; b < 4; ++b)
            for (std::size_t k = 0; k < 5; ++k) {
                const std::size_t i = (b * 3 + c) * 5 + k;
                const double expected = (*ps[0].value)[c] * (x[i] - mean) / std::sqrt(var + 1e-5) + (*ps[1].value)[c];
                err = std::max(err, std::abs(y[i] - expected));
            }
        // running statistics after one step from (0, 1), momentum 0.1, unbiased variance
        err = std::max(err, std::abs((*bn.buffers()[0])[c] - 0.1 * mean));
        err = std::max(err, std::abs((*bn.buffers()[1])[c] - (0.9 + 0.1 * var * 20 / 19)));
    }
    CHECK(err <= 1e-13);
    CHECK(gradient_error(bn, x, nn::mode::train, r) <= fd_tol);
    CHECK(gradient_error(bn, x, nn::mode::eval, r) <= fd_tol);
    const tensor x2 = random_tensor({6, 3}, r);
    nn::batch_norm<double> bn2(3);
    CHECK(gradient_error(bn2, x2, nn::mode::train, r) <= fd_tol);
}

TEST_CASE("dropout: drops with probability p, scales by 1/(1-p), identity in eval") {
    nn::dropout<double> d(0.25, 7);
    const tensor x(nn::shape_t{200, 100}, 1.0);
    const tensor y = d.forward(x, nn::mode::train);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (y[i] == 0) ++dropped;
        else CHECK(y[i] == Approx(1 / 0.75).epsilon(1e-15));
    }
    // 20,000 draws at p = 0.25: standard deviation 61; 5 sigma
    CHECK(std::abs(double(dropped) - 5000) <= 5 * 61.3);
    const tensor dy(x.shape(), 2.0);
    const tensor dx = d.backward(dy);
    for (std::size_t i = 0; i < dx.size(); ++i) REQUIRE(dx[i] == 2 * y[i]);
    const tensor e = d.forward(x, nn::mode::eval);
    for (std::size_t i = 0; i < e.size(); ++i) REQUIRE(e[i] == 1.0);
    CHECK_THROWS_AS(nn::dropout<double>(1.0, 1), qhybrid::error);
}

TEST_CASE("sequential: composes, names parameters, deep-copies, and matches finite differences") {
    qhybrid::rng r(8);
    nn::sequential<double> net;
    net.add<nn::conv1d<double>>(2, 4, 3, 1, 1, r)
        .add<nn::batch_norm<double>>(4)
        .add<nn::relu<double>>()
        .add<nn::max_pool1d<double>>(2)
        .add<nn::flatten<double>>()
        .add<nn::dense<double>>(4 * 5, 3, r)
        .add<nn::tanh<double>>();
    const tensor x = random_tensor({4, 2, 10}, r);
    CHECK(net.forward(x, nn::mode::train).shape() == nn::shape_t{4, 3});
    const auto ps = net.parameters();
    REQUIRE(ps.size() == 6);
    CHECK(ps[0].name == "0.weight");
    CHECK(ps[5].name == "5.bias");
    CHECK(net.parameter_count() == 2 * 3 * 4 + 4 + 4 + 4 + 20 * 3 + 3);
    CHECK(gradient_error(net, x, nn::mode::train, r) <= fd_tol);
    nn::sequential<double> copy = net;
    (*copy.parameters()[0].value)[0] += 1;
    CHECK((*net.parameters()[0].value)[0] != (*copy.parameters()[0].value)[0]);
    CHECK(net.describe().find("conv1d(2 -> 4") != std::string::npos);
}

TEST_CASE("residual: x plus the inner layers' output, backward matches finite differences") {
    qhybrid::rng r(9);
    nn::sequential<double> inner;
    inner.add<nn::conv2d<double>>(nn::conv_shape{3, 3, 3, 3, 1, 1, 1, 1}, r).add<nn::batch_norm<double>>(3).add<nn::tanh<double>>();
    nn::residual<double> block(inner);
    const tensor x = random_tensor({2, 3, 5, 4}, r);
    const tensor y = block.forward(x, nn::mode::eval), inside = inner.forward(x, nn::mode::eval);
    double err = 0;
    for (std::size_t i = 0; i < x.size(); ++i) err = std::max(err, std::abs(y[i] - (x[i] + inside[i])));
    CHECK(err == 0);
    CHECK(block.parameters().size() == 4);
    for (auto m : {nn::mode::eval, nn::mode::train}) CHECK(gradient_error(block, x, m, r) <= fd_tol);
    nn::sequential<double> shrinking;
    shrinking.add<nn::max_pool2d<double>>(2);
    nn::residual<double> bad(shrinking);
    CHECK_THROWS_WITH(bad.forward(x, nn::mode::eval), Catch::Contains("turn [2, 3, 5, 4] into [2, 3, 2, 2]"));
}

TEST_CASE("layers reject inputs of the wrong shape with a clear error") {
    qhybrid::rng r(9);
    nn::dense<double> d(4, 2, r);
    CHECK_THROWS_WITH(d.forward(tensor({3, 5}), nn::mode::eval), Catch::Contains("dense") && Catch::Contains("[3, 5]"));
    CHECK_THROWS_AS(d.backward(tensor({3, 2})), qhybrid::error); // before forward
    nn::conv2d<double> c({3, 2, 3, 3}, r);
    CHECK_THROWS_AS(c.forward(tensor({1, 2, 5, 5}), nn::mode::eval), qhybrid::error);
    CHECK_THROWS_AS(c.forward(tensor({1, 3, 2, 5}), nn::mode::eval), qhybrid::error); // smaller than the kernel
    nn::max_pool2d<double> mp(4);
    CHECK_THROWS_AS(mp.forward(tensor({1, 1, 3, 3}), nn::mode::eval), qhybrid::error);
    nn::batch_norm<double> bn(3);
    CHECK_THROWS_AS(bn.forward(tensor({1, 3}), nn::mode::train), qhybrid::error); // one value per feature
    CHECK_THROWS_WITH(tensor({2, 3}).reshaped({4, 2}), Catch::Contains("cannot reshape [2, 3] to [4, 2]"));
    CHECK_THROWS_WITH(nn::dropout<double>(1.0, 1), Catch::Contains("probability 1 is not in [0, 1)"));
    CHECK_THROWS_WITH(nn::dropout<double>(-0.25, 1), Catch::Contains("dropout: probability -0.25 is not in [0, 1)"));
    CHECK_THROWS_WITH(bn.forward(tensor({2, 4}), nn::mode::train), Catch::Contains("expected [batch, 3"));
    CHECK_THROWS_WITH(nn::log_softmax<double>().backward(tensor({1, 2})), Catch::Contains("before forward"));
}

TEST_CASE("reshape: views each sample in the new shape and back, and a wrong size is a clear error") {
    qhybrid::rng r(2);
    nn::reshape<double> view({2, 3});
    const tensor x = random_tensor({4, 6}, r);
    const tensor y = view.forward(x, nn::mode::train);
    CHECK(y.shape() == nn::shape_t{4, 2, 3});
    CHECK(max_abs_diff(view.backward(y), x) == 0);
    CHECK_THROWS_WITH(view.forward(random_tensor({4, 5}, r), nn::mode::train),
                      Catch::Contains("reshape: input of shape [4, 5] does not have 6 values per sample for [2, 3]"));
    CHECK_THROWS_WITH(nn::reshape<double>({2, 3}).backward(y), Catch::Contains("backward() called before forward()"));
    CHECK_THROWS_WITH(nn::reshape<double>(nn::shape_t{}), Catch::Contains("empty sample shape"));
}
