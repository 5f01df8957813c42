// The adjoint method in fused passes (quantum/fusion.hpp) against the parameter-shift rule.
#include "gate_check.hpp"
#include "random_circuit.hpp"

#include <qhybrid/quantum/fusion.hpp>

// The adjoint method in fused passes against the parameter-shift rule (forward runs only, exact
// up to rounding) on circuits of many passes; a batched state's gradient against the sum of its
// lanes' single-state gradients.
template <class Circuit, std::size_t N>
double vjp_error(std::uint64_t seed) {
    qhybrid::rng r(seed);
    std::vector<double> params(Circuit::num_params), inputs(Circuit::num_inputs), w(N);
    for (auto& v : params) v = r.uniform(-M_PI, M_PI);
    for (auto& v : inputs) v = r.uniform(-M_PI, M_PI);
    for (auto& v : w) v = r.uniform(-1, 1);
    q::executor<Circuit> ex;
    q::statevector<N> psi, lambda;
    std::vector<double> dp(params.size()), dx(inputs.size()), sp(params.size()), sx(inputs.size());
    ex.vjp(psi, lambda, q::z_weights<double>{w}, params, inputs, dp, dx);
    const auto f = [&](const q::statevector<N>& s) {
        const auto z = q::expval_z(s);
        double e = 0;
        for (std::size_t i = 0; i < N; ++i) e += w[i] * z[i];
        return e;
    };
    ex.template parameter_shift<q::statevector<N>>(f, params, inputs, sp, sx);
    double err = 0;
    for (std::size_t k = 0; k < dp.size(); ++k) err = std::max(err, std::abs(dp[k] - sp[k]));
    for (std::size_t k = 0; k < dx.size(); ++k) err = std::max(err, std::abs(dx[k] - sx[k]));
    return err;
}

template <class Circuit, std::size_t N>
double batched_vjp_error(std::uint64_t seed) {
    using batched = q::batched_statevector<N>;
    constexpr std::size_t lanes = batched::samples;
    qhybrid::rng r(seed);
    std::vector<double> params(Circuit::num_params), inputs(Circuit::num_inputs * lanes), w(N * lanes);
    for (auto& v : params) v = r.uniform(-M_PI, M_PI);
    for (auto& v : inputs) v = r.uniform(-M_PI, M_PI);
    for (auto& v : w) v = r.uniform(-1, 1);
    q::executor<Circuit> ex;
    batched psi, lambda;
    std::vector<double> dp(params.size()), dx(inputs.size()), sum(params.size());
    ex.vjp(psi, lambda, q::z_weights<double>{w}, params, inputs, dp, dx);
    double err = 0;
    for (std::size_t l = 0; l < lanes; ++l) {
        std::vector<double> x(Circuit::num_inputs), wl(N), sp(params.size()), sx(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = inputs[i * lanes + l];
        for (std::size_t i = 0; i < N; ++i) wl[i] = w[i * lanes + l];
        q::statevector<N> s, sl;
        ex.vjp(s, sl, q::z_weights<double>{wl}, params, x, sp, sx);
        for (std::size_t k = 0; k < sp.size(); ++k) sum[k] += sp[k];
        for (std::size_t i = 0; i < sx.size(); ++i) err = std::max(err, std::abs(sx[i] - dx[i * lanes + l]));
    }
    for (std::size_t k = 0; k < dp.size(); ++k) err = std::max(err, std::abs(sum[k] - dp[k]));
    return err;
}

TEST_CASE("the adjoint method in fused passes equals the parameter-shift rule") {
    using random9 = randomized::circuit<9, 40, 41>;
    using qt = q::ry_cnot_blocks<10, 3>; // a repeat run as a loop
    using qnn = q::compose<q::angle_encoding<9>, q::real_amplitudes<9, 2, q::entanglement::full>>;
    CHECK(vjp_error<random9, 9>(1) <= 1e-11);
    CHECK(vjp_error<qt, 10>(2) <= 1e-11);
    CHECK(vjp_error<qnn, 9>(3) <= 1e-11);
    CHECK(batched_vjp_error<random9, 9>(4) <= 1e-11);
    CHECK(batched_vjp_error<qt, 10>(5) <= 1e-11);
}
