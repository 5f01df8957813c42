// Gradients through noise: the adjoint method on the density matrix against central finite
// differences and the parameter-shift rule; batched lanes against the single state.
#include "density_check.hpp"

// ---- gradients through noise ----------------------------------------------------------------

template <class Noise>
void check_noisy_gradients(const Noise& noise) {
    using C = every_gate;
    using D = q::density_matrix<n>;
    const q::executor<C, Noise> ex(noise, {});
    qhybrid::rng r(41);
    const auto params = uniform(r, C::num_params, -M_PI, M_PI);
    const auto inputs = uniform(r, C::num_inputs, 0, M_PI);
    const auto zw = uniform(r, n, -1, 1);
    auto f = [&](const D& rho) {
        const auto z = q::expval_z(rho);
        double e = 0;
        for (std::size_t i = 0; i < n; ++i) e += zw[i] * z[i];
        return e;
    };
    auto eval = [&](const std::vector<double>& p, const std::vector<double>& x) {
        D rho;
        ex.run(rho, p, x);
        return f(rho);
    };
    std::vector<double> dp(C::num_params), dx(C::num_inputs);
    D rho, lam;
    ex.vjp(rho, lam, q::z_weights<double>{zw}, params, inputs, dp, dx);

    const double h = 1e-6;
    double fd_err = 0, largest = 0;
    for (std::size_t k = 0; k < C::num_params; ++k) {
        auto a = params, b = params;
        a[k] += h, b[k] -= h;
        fd_err = std::max(fd_err, std::abs(dp[k] - (eval(a, inputs) - eval(b, inputs)) / (2 * h)));
        largest = std::max(largest, std::abs(dp[k]));
    }
    for (std::size_t k = 0; k < C::num_inputs; ++k) {
        auto a = inputs, b = inputs;
        a[k] += h, b[k] -= h;
        fd_err = std::max(fd_err, std::abs(dx[k] - (eval(params, a) - eval(params, b)) / (2 * h)));
    }
    CHECK(fd_err <= 1e-8);
    CHECK(largest > 1e-3);

    std::vector<double> sp(C::num_params), sx(C::num_inputs);
    ex.template parameter_shift<D>(f, params, inputs, sp, sx);
    double ps_err = 0;
    for (std::size_t k = 0; k < C::num_params; ++k) ps_err = std::max(ps_err, std::abs(dp[k] - sp[k]));
    for (std::size_t k = 0; k < C::num_inputs; ++k) ps_err = std::max(ps_err, std::abs(dx[k] - sx[k]));
    CHECK(ps_err <= 1e-11);

    // The forward run with a tape, then the backward half, is vjp exactly.
    std::vector<double> tp(C::num_params), tx(C::num_inputs);
    q::noise_tape<D> tape;
    ex.run(rho, params, inputs, tape);
    ex.vjp_after_run(rho, lam, q::z_weights<double>{zw}, params, inputs, tp, tx, tape);
    CHECK(tp == dp);
    CHECK(tx == dx);

    // Probability read-out (the VJP QT-CNN uses), against finite differences of the parameters.
    const auto pw = uniform(r, std::size_t{1} << n, -1, 1);
    std::fill(dp.begin(), dp.end(), 0.0);
    std::fill(dx.begin(), dx.end(), 0.0);
    ex.vjp(rho, lam, q::probability_weights<double>{pw}, params, inputs, dp, dx);
    auto g = [&](const std::vector<double>& p) {
        D s;
        ex.run(s, p, inputs);
        const auto pr = q::probabilities(s);
        double e = 0;
        for (std::size_t k = 0; k < pr.size(); ++k) e += pw[k] * pr[k];
        return e;
    };
    double pv_err = 0;
    for (std::size_t k = 0; k < C::num_params; ++k) {
        auto a = params, b = params;
        a[k] += h, b[k] -= h;
        pv_err = std::max(pv_err, std::abs(dp[k] - (g(a) - g(b)) / (2 * h)));
    }
    CHECK(pv_err <= 1e-8);

    // Batched: each lane's input gradient equals the single state's; parameter gradients sum.
    using BD = q::batched_density_matrix<n>;
    constexpr std::size_t w = BD::samples;
    std::vector<double> xs(C::num_inputs * w), zs(n * w);
    for (auto& v : xs) v = r.uniform(0, M_PI);
    for (auto& v : zs) v = r.uniform(-1, 1);
    std::vector<double> bp(C::num_params), bx(C::num_inputs * w), sum_p(C::num_params);
    BD brho, blam;
    ex.vjp(brho, blam, q::z_weights<double>{zs}, params, xs, bp, bx);
    double lane_err = 0;
    for (std::size_t l = 0; l < w; ++l) {
        std::vector<double> xl(C::num_inputs), zl(n), gp(C::num_params), gx(C::num_inputs);
        for (std::size_t i = 0; i < C::num_inputs; ++i) xl[i] = xs[i * w + l];
        for (std::size_t i = 0; i < n; ++i) zl[i] = zs[i * w + l];
        ex.vjp(rho, lam, q::z_weights<double>{zl}, params, xl, gp, gx);
        for (std::size_t i = 0; i < C::num_inputs; ++i) lane_err = std::max(lane_err, std::abs(bx[i * w + l] - gx[i]));
        for (std::size_t k = 0; k < C::num_params; ++k) sum_p[k] += gp[k];
    }
    for (std::size_t k = 0; k < C::num_params; ++k) lane_err = std::max(lane_err, std::abs(bp[k] - sum_p[k]));
    CHECK(lane_err <= 1e-12);
}

TEST_CASE("gradients through noise: adjoint on the density matrix against finite differences and parameter shift") {
    check_noisy_gradients(q::noiseless{});
    check_noisy_gradients(q::mixed(0.03));
    check_noisy_gradients(q::depolarizing(0.02));
}
