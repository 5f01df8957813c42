#pragma once
// Checking a layer against central finite differences, shared by the nn tests.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn/layer.hpp>

#include <algorithm>
#include <cmath>

namespace nn = qhybrid::nn;
using tensor = nn::tensor<double>;

inline tensor random_tensor(nn::shape_t shape, qhybrid::rng& r, double lo = -1, double hi = 1) {
    tensor t(std::move(shape));
    for (auto& v : t.values()) v = r.uniform(lo, hi);
    return t;
}

inline double max_abs_diff(const tensor& a, const tensor& b) {
    REQUIRE(a.shape() == b.shape());
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

inline double dot(const tensor& a, const tensor& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Largest |analytic - numeric| / max(1, |numeric|) over every input and every `stride`-th parameter
// value, for the scalar L = <dy, layer(x)> with a fixed random dy.
inline double gradient_error(nn::layer<double>& layer, tensor x, nn::mode m, qhybrid::rng& r, std::size_t stride = 1) {
    const tensor y = layer.forward(x, m);
    const tensor dy = random_tensor(y.shape(), r);
    layer.zero_grad();
    const tensor dx = layer.backward(dy);
    REQUIRE(dx.shape() == x.shape());
    const double h = 1e-6;
    double err = 0;
    auto loss = [&] { return dot(dy, layer.forward(x, m)); };
    auto compare = [&](double& v, double analytic) {
        const double keep = v;
        v = keep + h;
        const double up = loss();
        v = keep - h;
        const double down = loss();
        v = keep;
        const double numeric = (up - down) / (2 * h);
        err = std::max(err, std::abs(analytic - numeric) / std::max(1.0, std::abs(numeric)));
    };
    for (std::size_t i = 0; i < x.size(); ++i) compare(x[i], dx[i]);
    for (auto& p : layer.parameters()) {
        const tensor g = *p.grad; // the analytic gradient, before the probes run forward again
        for (std::size_t i = 0; i < p.value->size(); i += stride) compare((*p.value)[i], g[i]);
    }
    return err;
}

constexpr double fd_tol = 1e-7; // central differences, h = 1e-6, in double
