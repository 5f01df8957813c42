// Monte-Carlo trajectories and crosstalk.
// - Trajectories: without noise a trajectory is the statevector; with noise (depolarizing, mixed
//   with amplitude damping, injected CNOT pairs) the mean <Z> over thousands of trajectories is
//   within 5 standard errors of the density matrix's exact value.
// - zz_crosstalk equals the circuit with the RZZ(pi zeta t) gates written in by hand, on both
//   backends; cnot_pair_injection is the identity without noise and equals the hand-written
//   CNOTs with noise; the adjoint method through crosstalk agrees with finite differences.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum.hpp>
#include <qhybrid/quantum/crosstalk.hpp>

#include <cmath>
#include <vector>

namespace q = qhybrid::quantum;

namespace {

using circuit4 = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, q::real_amplitudes<4, 2, q::entanglement::full>>;

std::vector<double> values(std::size_t n, double first, double step) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = first + step * double(k);
    return v;
}

template <std::size_t N, class Ex>
void check_trajectories_converge(const Ex& ex, const std::vector<double>& p, const std::vector<double>& x,
                                 std::size_t runs) {
    q::density_matrix<N> rho;
    ex.run(rho, p, x);
    const auto exact = q::expval_z(rho);
    q::batched_trajectory<N> t(12345);
    constexpr std::size_t w = q::batched_trajectory<N>::samples;
    std::vector<double> xs(x.size() * w);
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t l = 0; l < w; ++l) xs[i * w + l] = x[i];
    std::vector<double> sum(N), sum2(N);
    for (std::size_t r = 0; r < runs; ++r) {
        ex.run(t, p, xs);
        const auto z = q::expval_z(t.state());
        for (std::size_t k = 0; k < N; ++k)
            for (std::size_t l = 0; l < w; ++l) sum[k] += z[k * w + l], sum2[k] += z[k * w + l] * z[k * w + l];
    }
    const double m = double(runs * w);
    for (std::size_t k = 0; k < N; ++k) {
        const double mean = sum[k] / m, se = std::sqrt((sum2[k] / m - mean * mean) / (m - 1));
        INFO("qubit " << k << ": trajectories " << mean << " +- " << se << ", density matrix " << exact[k]);
        CHECK(std::abs(mean - exact[k]) <= 5 * se + 1e-12);
        CHECK(se > 0); // the noise made the trajectories differ
    }
}

} // namespace

TEST_CASE("trajectories: without noise, a trajectory is the statevector") {
    const auto p = values(circuit4::num_params, 0.2, 0.13), x = values(4, 0.3, 0.4);
    q::statevector<4> psi;
    q::trajectory<4> t(1);
    q::executor<circuit4> ex;
    ex.run(psi, p, x);
    ex.run(t, p, x);
    for (std::size_t k = 0; k < 16; ++k) CHECK(t.state().amplitude(k) == psi.amplitude(k));
}

TEST_CASE("trajectories: the mean converges to the density matrix") {
    const auto p = values(circuit4::num_params, 0.2, 0.13), x = values(4, 0.3, 0.4);
    check_trajectories_converge<4>(q::executor<circuit4, q::mixed>(q::mixed(0.04), {}), p, x, 500);
    check_trajectories_converge<4>(q::executor<circuit4, q::depolarizing>(q::depolarizing(0.05), {}), p, x, 500);
    check_trajectories_converge<4>(q::executor<circuit4, q::amplitude_damping>(q::amplitude_damping(0.1), {}), p, x, 500);
    // Injected CNOT pairs to an idle fifth qubit, with two-qubit depolarizing noise.
    using c = q::compose<q::angle_encoding<4, q::axis::y>, q::real_amplitudes<4, 1, q::entanglement::linear>>;
    const q::executor<c, q::depolarizing, q::cnot_pair_injection> ex(
        q::depolarizing(0.05, q::noise_sites::two_qubit_gates), q::cnot_pair_injection({{1, 4, 2}}));
    check_trajectories_converge<5>(ex, values(c::num_params, 0.5, 0.2), values(4, 0.3, 0.4), 500);
}

TEST_CASE("zz_crosstalk: RZZ(pi zeta t) on the gate's coupled pairs before each timed gate, on both backends") {
    // 1 MHz, 100 ns one-qubit and 200 ns two-qubit natives: ry (two sx) and cnot each last 200 ns,
    // theta = pi * 1e6 * 200e-9 = 0.2 pi, on the coupled pairs (0, 1), (1, 2) that share a qubit
    // with the gate; rz is virtual (no time, no crosstalk).
    using c = q::circuit<q::ry<0>, q::cnot<0, 1>, q::rz<1, q::param<1>>, q::ry<2, q::param<2>>>;
    constexpr double theta = 0.6283185307179586;
    using zz01 = q::rzz<0, 1, q::constant<theta>>;
    using zz12 = q::rzz<1, 2, q::constant<theta>>;
    using by_hand = q::circuit<zz01, q::ry<0>, zz01, zz12, q::cnot<0, 1>, q::rz<1, q::param<1>>, zz12,
                               q::ry<2, q::param<2>>>;
    const std::vector<double> p{0.7, -0.4, 1.3};
    const q::zz_crosstalk zz({{0, 1}, {1, 2}}, 1e6, 100, 200);
    const q::executor<c, q::noiseless, q::zz_crosstalk> ex({}, zz);
    q::statevector<3> ref;
    q::executor<by_hand>().run(ref, p);
    q::density_matrix<3> rho;
    ex.run(rho, p);
    q::trajectory<3> t;
    ex.run(t, p);
    double e_rho = 0, e_t = 0;
    for (std::size_t a = 0; a < 8; ++a) {
        e_t = std::max(e_t, std::abs(t.state().amplitude(a) - ref.amplitude(a)));
        for (std::size_t b = 0; b < 8; ++b)
            e_rho = std::max(e_rho, std::abs(rho.entry(a, b) - ref.amplitude(a) * std::conj(ref.amplitude(b))));
    }
    CHECK(e_rho <= 1e-13);
    CHECK(e_t <= 1e-13);
    // The crosstalk changed something.
    q::statevector<3> plain;
    q::executor<c>().run(plain, p);
    std::complex<double> overlap = 0;
    for (std::size_t a = 0; a < 8; ++a) overlap += std::conj(plain.amplitude(a)) * ref.amplitude(a);
    CHECK(std::abs(overlap) < 1 - 1e-3);
    CHECK_THROWS_WITH(q::zz_crosstalk({{1, 1}}, 1e5, 35, 300), Catch::Contains("with itself"));
    CHECK_THROWS_WITH(q::zz_crosstalk({{0, 1}}, 1e5, -35, 300), Catch::Contains("the times >= 0"));
    CHECK_THROWS_WITH(q::zz_crosstalk({{0, 1}}, std::nan(""), 35, 300), Catch::Contains("must be finite"));
}

TEST_CASE("cnot_pair_injection: identity without noise, the hand-written CNOTs with noise") {
    using c = q::circuit<q::ry<0>, q::cnot<0, 1>>;
    const std::vector<double> p{0.9};
    const q::cnot_pair_injection inject({{0, 2, 1}});
    q::density_matrix<3> plain, injected;
    q::executor<c>().run(plain, p);
    q::executor<c, q::noiseless, q::cnot_pair_injection>({}, inject).run(injected, p);
    for (std::size_t a = 0; a < 8; ++a)
        for (std::size_t b = 0; b < 8; ++b) CHECK(std::abs(injected.entry(a, b) - plain.entry(a, b)) <= 1e-15);

    using by_hand = q::circuit<q::cnot<0, 2>, q::cnot<0, 2>, q::ry<0>, q::cnot<0, 2>, q::cnot<0, 2>, q::cnot<0, 1>>;
    const q::depolarizing noise(0.03, q::noise_sites::two_qubit_gates);
    q::density_matrix<3> ref, noisy;
    q::executor<by_hand, q::depolarizing>(noise, {}).run(ref, p);
    q::executor<c, q::depolarizing, q::cnot_pair_injection>(noise, inject).run(noisy, p);
    double e = 0, moved = 0;
    for (std::size_t a = 0; a < 8; ++a)
        for (std::size_t b = 0; b < 8; ++b) {
            e = std::max(e, std::abs(noisy.entry(a, b) - ref.entry(a, b)));
            moved = std::max(moved, std::abs(noisy.entry(a, b) - plain.entry(a, b)));
        }
    CHECK(e <= 1e-15);
    CHECK(moved > 1e-3);
    CHECK_THROWS_WITH(q::cnot_pair_injection({{2, 2, 1}}), Catch::Contains("target and idle neighbour are both qubit 2"));
}

TEST_CASE("cnot_pair_injection on a device: idle 1-hop and 2-hop neighbours, noisy pairs", "[data]") {
    const auto nairobi = q::device_model::load(std::string(QHYBRID_TEST_DATA) + "/ibm-backends/nairobi");
    // nairobi: 0-1, 1-2, 1-3, 3-5, 4-5, 5-6.
    CHECK(q::cnot_pair_injection::idle_neighbours(nairobi, 1, 1, {1, 3}) == std::vector<q::qubit>{0, 2});
    CHECK(q::cnot_pair_injection::idle_neighbours(nairobi, 0, 2, {0}) == std::vector<q::qubit>{1, 2, 3});
    CHECK_THROWS_WITH(q::cnot_pair_injection::idle_neighbours(nairobi, 0, 3, {}), Catch::Contains("hops must be 1 or 2"));
    using c = q::circuit<q::ry<0>, q::cnot<0, 1>, q::ry<1, q::param<1>>>;
    const std::vector<double> p{0.9, 0.4};
    const auto placed = q::device_noise::place<c>(nairobi, {1, 3, 0}); // logical 2: the idle neighbour 0 of 1
    q::density_matrix<3> without, with;
    q::executor<c, q::device_noise>(placed, {}).run(without, p);
    q::executor<c, q::device_noise, q::cnot_pair_injection>(placed, q::cnot_pair_injection({{0, 2, 3}})).run(with, p);
    CHECK(with.trace() == Approx(1).margin(1e-13));
    // Six more noisy CNOTs on the target (relaxation pulls it toward |0>, depolarizing toward I/2).
    double moved = 0;
    for (std::size_t a = 0; a < 8; ++a)
        for (std::size_t b = 0; b < 8; ++b) moved = std::max(moved, std::abs(with.entry(a, b) - without.entry(a, b)));
    CHECK(moved > 1e-3);
    // Logical 0 and 1 sit on 1 and 3: neighbours; 1 and 2 (3 and 0) are not.
    q::noise_steps steps;
    CHECK_NOTHROW(placed.two_qubit_gate_noise(steps, 0, 1));
    CHECK_THROWS_WITH(placed.two_qubit_gate_noise(steps, 1, 2), Catch::Contains("not neighbours"));
}

TEST_CASE("gradients through crosstalk: adjoint on the density matrix against finite differences") {
    using c = q::compose<q::angle_encoding<3, q::axis::y>, q::real_amplitudes<3, 1, q::entanglement::full>>;
    const q::executor<c, q::mixed, q::zz_crosstalk> ex(q::mixed(0.02), q::zz_crosstalk({{0, 1}, {1, 2}}, 4e5, 35, 300));
    const q::executor<c, q::depolarizing, q::cnot_pair_injection> inj(q::depolarizing(0.02),
                                                                      q::cnot_pair_injection({{1, 3, 1}}));
    const auto check = [](const auto& e, auto rho) {
        using D = decltype(rho);
        auto p = values(c::num_params, 0.3, 0.21), x = values(3, 0.2, 0.5);
        std::vector<double> w(D::num_qubits, 0.0);
        w[0] = 0.6, w[1] = -0.8, w[2] = 0.3;
        std::vector<double> dp(c::num_params), dx(3);
        D lam;
        e.vjp(rho, lam, q::z_weights<double>{w}, p, x, dp, dx);
        const auto f = [&](const std::vector<double>& pp, const std::vector<double>& xx) {
            D s;
            e.run(s, pp, xx);
            const auto z = q::expval_z(s);
            double v = 0;
            for (std::size_t k = 0; k < D::num_qubits; ++k) v += w[k] * z[k];
            return v;
        };
        const double h = 1e-6;
        double err = 0;
        for (std::size_t k = 0; k < p.size(); ++k) {
            auto a = p, b = p;
            a[k] += h, b[k] -= h;
            err = std::max(err, std::abs(dp[k] - (f(a, x) - f(b, x)) / (2 * h)));
        }
        for (std::size_t k = 0; k < x.size(); ++k) {
            auto a = x, b = x;
            a[k] += h, b[k] -= h;
            err = std::max(err, std::abs(dx[k] - (f(p, a) - f(p, b)) / (2 * h)));
        }
        CHECK(err <= 1e-8);
    };
    check(ex, q::density_matrix<3>{});
    check(inj, q::density_matrix<4>{});
}
