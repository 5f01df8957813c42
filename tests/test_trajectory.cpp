// Monte-Carlo trajectories and crosstalk.
// - Trajectories: without noise a trajectory is the statevector; with noise (depolarizing, mixed
//   with amplitude damping, injected CNOT pairs) the mean <Z> over thousands of trajectories is
//   within 5 standard errors of the density matrix's exact value.
// - zz_crosstalk equals the circuit with the RZZ(pi zeta t) gates written in by hand, on both
//   backends; both of its frames give the conditional phase 2 pi zeta t, and only the calibrated
//   one leaves a qubit next to a neighbour at rest alone; cnot_pair_injection is the identity
//   without noise and equals the hand-written CNOTs with noise (also from a neighbour, with the ZZ
//   over its CNOTs); the adjoint method through crosstalk agrees with finite differences.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum.hpp>
#include <qhybrid/quantum/crosstalk.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace q = qhybrid::quantum;

namespace {

using circuit4 = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, q::real_amplitudes<4, 2, q::entanglement::full>>;

std::vector<double> values(std::size_t n, double first, double step) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = first + step * double(k);
    return v;
}

// The largest entry of |a - b| over two density matrices.
template <class D>
double max_difference(const D& a, const D& b) {
    double e = 0;
    for (std::size_t r = 0; r < D::dimension; ++r)
        for (std::size_t c = 0; c < D::dimension; ++c) e = std::max(e, std::abs(a.entry(r, c) - b.entry(r, c)));
    return e;
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
    CHECK_THROWS_WITH(q::zz_crosstalk({{0, 1}}, 1e5, -35, 300), Catch::Contains("must be >= 0"));
    CHECK_THROWS_WITH(q::zz_crosstalk({{0, 1}}, std::nan(""), 35, 300), Catch::Contains("must be finite"));
}

TEST_CASE("cnot_pair_injection: identity without noise, the hand-written CNOTs with noise") {
    using c = q::circuit<q::ry<0>, q::cnot<0, 1>>;
    const std::vector<double> p{0.9};
    const q::cnot_pair_injection inject({{0, 2, 1}});
    q::density_matrix<3> plain, injected;
    q::executor<c>().run(plain, p);
    q::executor<c, q::noiseless, q::cnot_pair_injection>({}, inject).run(injected, p);
    CHECK(max_difference(injected, plain) <= 1e-15);

    using by_hand = q::circuit<q::cnot<0, 2>, q::cnot<0, 2>, q::ry<0>, q::cnot<0, 2>, q::cnot<0, 2>, q::cnot<0, 1>>;
    const q::depolarizing noise(0.03, q::noise_sites::two_qubit_gates);
    q::density_matrix<3> ref, noisy;
    q::executor<by_hand, q::depolarizing>(noise, {}).run(ref, p);
    q::executor<c, q::depolarizing, q::cnot_pair_injection>(noise, inject).run(noisy, p);
    CHECK(max_difference(noisy, ref) <= 1e-15);
    CHECK(max_difference(noisy, plain) > 1e-3);
    CHECK_THROWS_WITH(q::cnot_pair_injection({{2, 2, 1}}), Catch::Contains("from qubit 2 to qubit 2 (target 2): the idle qubit must be another"));
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
    CHECK(max_difference(with, without) > 1e-3);
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

TEST_CASE("zz_crosstalk: both frames give the conditional phase 2 pi zeta t, the calibrated one only with an excited neighbour") {
    // The convention pinned: zeta is omega_11 - omega_10 - omega_01 + omega_00 (IBM's zz_ij), so
    // over t the phases of |++> satisfy phi_11 - phi_10 - phi_01 + phi_00 = -2 pi zeta t.
    const double zeta = -74424.5306702971, t_ns = 1000; // nairobi's zz_01, 1 us
    const double theta = std::numbers::pi * zeta * t_ns * 1e-9;
    const auto conditional_phase = [](const q::density_matrix<2>& rho) { // arg rho(11, 01) - arg rho(10, 00)
        return std::arg(rho.entry(3, 2)) - std::arg(rho.entry(1, 0));
    };
    for (const auto kind : {q::noise_step::kind::zz, q::noise_step::kind::conditional_phase}) {
        q::density_matrix<2> rho;
        q::executor<q::circuit<q::h<0>, q::h<1>>>().run(rho, std::vector<double>{});
        q::apply_noise_step(rho, {kind, 0, 1, nullptr, kind == q::noise_step::kind::zz ? theta : 2 * theta});
        CHECK(std::remainder(conditional_phase(rho) + 2 * std::numbers::pi * zeta * t_ns * 1e-9, 2 * std::numbers::pi) ==
              Approx(0).margin(1e-14));
        CHECK(rho.trace() == Approx(1).margin(1e-15));
    }
    // A neighbour at rest in |0> during a 1 us gate on qubit 0 (two sx of 500 ns: ry): the symmetric
    // frame turns qubit 0 by RZ(pi zeta t), the calibrated frame leaves it alone.
    using c = q::circuit<q::h<0>, q::ry<0, q::param<0>>>;
    const std::vector<double> p{0.0};
    q::density_matrix<2> plain, symmetric, calibrated;
    q::executor<c>().run(plain, p);
    q::executor<c, q::noiseless, q::zz_crosstalk>({}, q::zz_crosstalk({{0, 1, zeta}}, 500, 300, q::zz_frame::symmetric)).run(symmetric, p);
    q::executor<c, q::noiseless, q::zz_crosstalk>({}, q::zz_crosstalk({{0, 1, zeta}}, 500, 300, q::zz_frame::calibrated)).run(calibrated, p);
    CHECK(max_difference(calibrated, plain) <= 1e-15);
    // |+> before ry: RZ(theta) before it (and before h, on |0>, a phase only): the coherence of
    // qubit 0 turns by theta.
    CHECK(std::abs(std::arg(symmetric.entry(1, 0)) - std::arg(plain.entry(1, 0))) == Approx(std::abs(theta)).margin(1e-12));
    CHECK(max_difference(symmetric, plain) > 1e-2);
}

TEST_CASE("cnot_pair_injection from a neighbour, with the ZZ over its CNOTs: the hand-written steps") {
    // Target 0, the pairs from its neighbour 1 to the idle 2; the coupling (0, 1) charged for each
    // injected CNOT's 300 ns, in the calibrated frame. Qubit 1 starts excited (an x), so the phase
    // reaches qubit 0.
    using c = q::circuit<q::x<1>, q::ry<0, q::param<0>>, q::h<0>>;
    const std::vector<double> p{0.8};
    const double zeta = 2e5;
    const q::zz_crosstalk zz({{0, 1, zeta}}, 0, 300, q::zz_frame::calibrated);
    const q::cnot_pair_injection inject({{0, 2, 2, q::qubit{1}}}, zz);
    q::density_matrix<3> got;
    q::executor<c, q::noiseless, q::cnot_pair_injection>({}, inject).run(got, p);
    // By hand: before ry and before h, four CNOTs 1 -> 2, each after the phase 2 pi zeta 300 ns on |11> of (0, 1).
    constexpr double phi = 2 * std::numbers::pi * 2e5 * 300e-9;
    q::density_matrix<3> expected;
    q::executor<q::circuit<q::x<1>>>().run(expected, std::vector<double>{});
    const auto injected = [&] {
        for (int k = 0; k < 4; ++k) {
            q::apply_noise_step(expected, {q::noise_step::kind::conditional_phase, 0, 1, nullptr, phi});
            q::apply_noise_step(expected, {q::noise_step::kind::cnot, 1, 2, nullptr, 0});
        }
    };
    injected();
    q::executor<q::circuit<q::ry<0, q::param<0>>>>().apply(expected, p);
    injected();
    q::executor<q::circuit<q::h<0>>>().apply(expected, std::vector<double>{});
    q::density_matrix<3> plain;
    q::executor<c>().run(plain, p);
    CHECK(max_difference(got, expected) <= 1e-14);
    CHECK(max_difference(got, plain) > 1e-2); // the excited neighbour's coupling turned qubit 0
    CHECK_THROWS_WITH(q::cnot_pair_injection({{0, 1, 1, q::qubit{1}}}), Catch::Contains("the idle qubit must be another"));
}
