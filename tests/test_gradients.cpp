// The adjoint method against central finite differences and the parameter-shift rule, for
// parameters and inputs, for <Z>-weighted expectations, Pauli strings and probability VJPs; the
// batched adjoint against the single-state one, lane by lane. Two circuits: one with every gate
// kind (complex amplitudes) and one with real gates only (the real-register kernels).
#include "random_circuit.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum.hpp>

#include <functional>
#include <initializer_list>
#include <vector>

namespace q = qhybrid::quantum;

// Every gate kind, angles from parameters, inputs, feature products and constants.
using every_gate = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, randomized::circuit<4, 60, 21>,
                              q::real_amplitudes<4, 1, q::entanglement::circular>>;
// Real gates only: the state stays real and the kernels skip the imaginary parts.
using real_gates = q::compose<q::angle_encoding<4, q::axis::y>, randomized::real_circuit<4, 60, 22>,
                              q::ry_cnot_blocks<4, 2>>;
constexpr std::size_t n = 4;
using state = q::statevector<n>;

template <class C>
struct problem {
    std::vector<double> params, inputs, z_w, prob_w;
    explicit problem(std::uint64_t seed) {
        qhybrid::rng r(seed);
        auto fill = [&](std::vector<double>& v, std::size_t size, double lo, double hi) {
            v.resize(size);
            for (auto& a : v) a = r.uniform(lo, hi);
        };
        fill(params, C::num_params, -M_PI, M_PI);
        fill(inputs, C::num_inputs, 0, M_PI);
        fill(z_w, n, -1, 1);
        fill(prob_w, std::size_t{1} << n, -1, 1);
    }
};

using readout = std::function<double(const state&)>;

template <class C>
double evaluate(const readout& f, const std::vector<double>& p, const std::vector<double>& x) {
    state psi;
    q::executor<C>().run(psi, p, x);
    return f(psi);
}

struct gradient {
    std::vector<double> params, inputs;
};

template <class C>
gradient finite_difference(const readout& f, const problem<C>& pb) {
    const double h = 1e-6;
    gradient g{std::vector<double>(pb.params.size()), std::vector<double>(pb.inputs.size())};
    for (std::size_t k = 0; k < pb.params.size(); ++k) {
        auto a = pb.params, b = pb.params;
        a[k] += h, b[k] -= h;
        g.params[k] = (evaluate<C>(f, a, pb.inputs) - evaluate<C>(f, b, pb.inputs)) / (2 * h);
    }
    for (std::size_t k = 0; k < pb.inputs.size(); ++k) {
        auto a = pb.inputs, b = pb.inputs;
        a[k] += h, b[k] -= h;
        g.inputs[k] = (evaluate<C>(f, pb.params, a) - evaluate<C>(f, pb.params, b)) / (2 * h);
    }
    return g;
}

template <class C>
gradient parameter_shift(const readout& f, const problem<C>& pb) {
    gradient g{std::vector<double>(pb.params.size()), std::vector<double>(pb.inputs.size())};
    q::executor<C>().template parameter_shift<state>(f, pb.params, pb.inputs, g.params, g.inputs);
    return g;
}

template <class C, class Cotangent>
gradient adjoint(const Cotangent& dy, const problem<C>& pb) {
    gradient g{std::vector<double>(pb.params.size()), std::vector<double>(pb.inputs.size())};
    state psi, lambda;
    q::executor<C>().vjp(psi, lambda, dy, pb.params, pb.inputs, g.params, g.inputs);
    return g;
}

double max_diff(const gradient& a, const gradient& b) {
    double m = 0;
    for (std::size_t k = 0; k < a.params.size(); ++k) m = std::max(m, std::abs(a.params[k] - b.params[k]));
    for (std::size_t k = 0; k < a.inputs.size(); ++k) m = std::max(m, std::abs(a.inputs[k] - b.inputs[k]));
    return m;
}

template <class C, class Cotangent>
void check_all_three(const readout& f, const Cotangent& dy, const problem<C>& pb) {
    const gradient ad = adjoint(dy, pb), fd = finite_difference(f, pb), ps = parameter_shift(f, pb);
    REQUIRE(ad.params.size() == C::num_params);
    // Finite differences with h = 1e-6 carry about 1e-10 of rounding and truncation error.
    CHECK(max_diff(ad, fd) <= 1e-8);
    // The shift rule is exact: only rounding separates it from the adjoint method.
    CHECK(max_diff(ad, ps) <= 1e-11);
    double largest = 0;
    for (double v : ad.params) largest = std::max(largest, std::abs(v));
    CHECK(largest > 1e-3); // the check above is not vacuous
}

template <class C>
void check_z_weights(std::uint64_t seed) {
    const problem<C> pb(seed);
    readout f = [&](const state& psi) {
        const auto z = q::expval_z(psi);
        double e = 0;
        for (std::size_t i = 0; i < n; ++i) e += pb.z_w[i] * z[i];
        return e;
    };
    check_all_three(f, q::z_weights<double>{pb.z_w}, pb);
}

template <class C>
void check_pauli_strings(std::uint64_t seed, std::initializer_list<const char*> labels) {
    const problem<C> pb(seed);
    for (const char* label : labels) {
        INFO(label);
        const q::pauli_string p(label);
        check_all_three([&](const state& psi) { return q::expval(psi, p); }, p, pb);
    }
}

template <class C>
void check_probability_vjp(std::uint64_t seed) {
    const problem<C> pb(seed);
    readout f = [&](const state& psi) {
        const auto p = q::probabilities(psi);
        double e = 0;
        for (std::size_t k = 0; k < p.size(); ++k) e += pb.prob_w[k] * p[k];
        return e;
    };
    check_all_three(f, q::probability_weights<double>{pb.prob_w}, pb);
}

TEST_CASE("adjoint gradient of a <Z>-weighted sum: parameters and inputs") {
    check_z_weights<every_gate>(1);
    check_z_weights<real_gates>(4);
}

TEST_CASE("adjoint gradient of Pauli-string expectations") {
    check_pauli_strings<every_gate>(2, {"XYZI", "ZZ", "YIXZ", "IIIY"});
    // On a real state <P> vanishes for an odd number of Y: only even ones have a gradient to test.
    check_pauli_strings<real_gates>(5, {"ZZ", "YIYZ", "XIXZ", "IYIY"});
}

TEST_CASE("probability vector-Jacobian product") {
    check_probability_vjp<every_gate>(3);
    check_probability_vjp<real_gates>(6);
}

TEST_CASE("a circuit of real gates keeps the state real") {
    const problem<real_gates> pb(7);
    state psi;
    q::executor<real_gates>().run(psi, pb.params, pb.inputs);
    CHECK(psi.is_real());
    q::executor<every_gate>().run(psi, problem<every_gate>(7).params, problem<every_gate>(7).inputs);
    CHECK_FALSE(psi.is_real());
}

template <class C, class Real>
void check_batched_against_single(double tol) {
    using batched = q::batched_statevector<n, Real>;
    constexpr std::size_t w = batched::samples;
    qhybrid::rng r(9);
    std::vector<Real> params(C::num_params), inputs(C::num_inputs * w), z_w(n * w), prob_w((std::size_t{1} << n) * w);
    for (auto& v : params) v = Real(r.uniform(-M_PI, M_PI));
    for (auto& v : inputs) v = Real(r.uniform(0, M_PI));
    for (auto& v : z_w) v = Real(r.uniform(-1, 1));
    for (auto& v : prob_w) v = Real(r.uniform(-1, 1));
    q::executor<C> ex;
    auto lane = [&](const std::vector<Real>& v, std::size_t l) {
        std::vector<double> out(v.size() / w);
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = v[i * w + l];
        return out;
    };
    auto check = [&](auto batched_cotangent, auto single_cotangent_of_lane) {
        batched psi, lambda;
        std::vector<Real> dp(C::num_params), dx(C::num_inputs * w);
        ex.vjp(psi, lambda, batched_cotangent, params, inputs, dp, dx);
        std::vector<double> dp_sum(C::num_params);
        double err = 0;
        for (std::size_t l = 0; l < w; ++l) {
            state s, sl;
            std::vector<double> sp(C::num_params), sx(C::num_inputs);
            const std::vector<double> pd(params.begin(), params.end());
            const auto cot = single_cotangent_of_lane(l);
            ex.vjp(s, sl, cot.first, pd, lane(inputs, l), sp, sx);
            for (std::size_t k = 0; k < sp.size(); ++k) dp_sum[k] += sp[k];
            for (std::size_t i = 0; i < sx.size(); ++i) err = std::max(err, std::abs(sx[i] - dx[i * w + l]));
        }
        for (std::size_t k = 0; k < dp.size(); ++k) err = std::max(err, std::abs(dp_sum[k] - dp[k]) / w);
        CHECK(err <= tol);
    };
    std::vector<double> zl, pl;
    check(q::z_weights<Real>{z_w}, [&](std::size_t l) {
        zl = lane(z_w, l);
        return std::pair{q::z_weights<double>{zl}, 0};
    });
    check(q::probability_weights<Real>{prob_w}, [&](std::size_t l) {
        pl = lane(prob_w, l);
        return std::pair{q::probability_weights<double>{pl}, 0};
    });
}

TEST_CASE("batched adjoint equals the single-state adjoint lane by lane") {
    check_batched_against_single<every_gate, double>(1e-12);
    check_batched_against_single<every_gate, float>(2e-4);
    check_batched_against_single<real_gates, double>(1e-12);
    check_batched_against_single<real_gates, float>(2e-4);
}
