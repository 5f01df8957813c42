// Density matrices, channels and noise policies.
// - Gates: a density matrix under a random circuit of every gate kind equals |psi><psi| of the
//   (dense-checked) statevector, single and batched, double and float.
// - Channels: each equals the sum K rho K^dagger of its textbook Kraus operators written out
//   here; each is completely positive and trace preserving (its Choi matrix, built by running the
//   library's channel on |i><j|, is positive semidefinite with partial trace I); closed forms for
//   T1 decay and T2 dephasing; depolarizing to the maximally mixed state; readout confusion.
// test_density_noise.cpp has noisy circuits, test_density_gradients.cpp gradients through noise,
// test_density_adjoint.cpp the noiseless adjoint against the statevector's (one file each keeps
// every one under 2 minutes of compile time in the sanitizer build).
#include "density_check.hpp"

// ---- gates ----------------------------------------------------------------------------------

template <class Real, class C>
void check_gates_match_statevector(double tol) {
    qhybrid::rng r(7);
    const auto params = uniform(r, C::num_params, -M_PI, M_PI);
    const auto inputs = uniform(r, C::num_inputs, 0, M_PI);
    const std::vector<Real> p(params.begin(), params.end()), x(inputs.begin(), inputs.end());
    q::statevector<n, Real> psi;
    q::density_matrix<n, Real> rho;
    q::executor<C> ex;
    ex.run(psi, p, x);
    ex.run(rho, p, x);
    CHECK(max_diff_pure(rho, psi) <= tol);
    CHECK(rho.is_real() == psi.is_real());

    // Batched: each lane its own inputs.
    constexpr std::size_t w = q::batched_density_matrix<n, Real>::samples;
    std::vector<Real> xs(C::num_inputs * w);
    for (auto& v : xs) v = Real(r.uniform(0, M_PI));
    q::batched_density_matrix<n, Real> batch;
    ex.run(batch, p, xs);
    for (std::size_t l = 0; l < w; ++l) {
        std::vector<Real> xl(C::num_inputs);
        for (std::size_t i = 0; i < C::num_inputs; ++i) xl[i] = xs[i * w + l];
        ex.run(rho, p, xl);
        double el = 0;
        for (std::size_t a = 0; a < rho.dimension; ++a)
            for (std::size_t b = 0; b < rho.dimension; ++b)
                el = std::max(el, double(std::abs(batch.entry(a, b, l) - rho.entry(a, b))));
        CHECK(el <= tol);
    }
}

TEST_CASE("density matrix: every gate kind gives |psi><psi| of the statevector (double, float, batched)") {
    check_gates_match_statevector<double, every_gate>(1e-12);
    check_gates_match_statevector<float, every_gate>(2e-5);
    check_gates_match_statevector<double, real_gates>(1e-12);
}

// Real uncontrolled pair gates run factored by the larger entry of each row (pivoted), and
// flips and rotations with lane controls run fused with their column halves. Every angle regime
// of RY is checked (the diagonal pivot, the off-diagonal one, c = 0, |c| = |s|) on lane and
// register targets, from a real and from a complex start, and in batches whose lanes agree on
// the pivot or not (these run unfactored).
template <class Start>
using pivot_circuit =
    q::compose<Start, q::circuit<q::ry<0, q::input<0>>, q::ry<1, q::input<1>>, q::ry<2, q::input<2>>, q::ry<3, q::input<3>>,
                                 q::h<1>, q::h<3>, q::cnot<0, 1>, q::cnot<2, 3>, q::cnot<3, 0>, q::cry<0, 2, q::input<1>>,
                                 q::cry<3, 1, q::input<2>>, q::x<2>, q::ry<3, q::input<0>>, q::ry<0, q::input<3>>>>;
using real_start = q::circuit<q::barrier<0b1111>>;
using complex_start = q::circuit<q::rx<0, q::constant<0.7>>, q::rx<3, q::constant<1.1>>>;

template <class Real, class Start>
void check_pivots(const std::vector<std::vector<double>>& angle_sets, double tol) {
    using C = pivot_circuit<Start>;
    const q::executor<C> ex;
    q::density_matrix<n, Real> rho;
    q::statevector<n, Real> psi;
    for (const auto& set : angle_sets) {
        const std::vector<Real> x(set.begin(), set.end());
        ex.run(psi, {}, x);
        ex.run(rho, {}, x);
        CHECK(rho.is_real() == std::is_same_v<Start, real_start>);
        CHECK(max_diff_pure(rho, psi) <= tol);
    }
    // A batch: lane l takes set l mod the number of sets.
    using D = q::batched_density_matrix<n, Real>;
    constexpr std::size_t w = D::samples;
    std::vector<Real> xs(C::num_inputs * w);
    for (std::size_t i = 0; i < C::num_inputs; ++i)
        for (std::size_t l = 0; l < w; ++l) xs[i * w + l] = Real(angle_sets[l % angle_sets.size()][i]);
    D batch;
    ex.run(batch, {}, xs);
    for (std::size_t l = 0; l < w; ++l) {
        const auto& set = angle_sets[l % angle_sets.size()];
        ex.run(psi, {}, std::vector<Real>(set.begin(), set.end()));
        CHECK(max_diff_pure(batch, psi, l) <= tol);
    }
}

template <class Real>
void check_pivots(double tol) {
    const double pi = M_PI;
    const std::vector<std::vector<double>> diagonal{{0.3, -1.2, 0, 1.5}, {-0.9, 0.1, 1.1, -1.4}};
    const std::vector<std::vector<double>> off_diagonal{{pi, -pi, 2.5, -3.0}, {2.0, -2.2, 3.5, 4.0}};
    const std::vector<std::vector<double>> mixed{{pi / 2, 3 * pi / 2, -pi / 2, 2 * pi}, {0.2, 2.8, -2.9, 0.7}, {pi, 0, 1.0, -2.0}};
    for (const auto* sets : {&diagonal, &off_diagonal, &mixed}) {
        check_pivots<Real, real_start>(*sets, tol);
        check_pivots<Real, complex_start>(*sets, tol);
    }
}

TEST_CASE("density matrix: factored real gates and fused controlled gates at every angle (double, float, batched)") {
    check_pivots<double>(1e-14);
    check_pivots<float>(2e-6);
}

// 200 rotations just below pi/2 each defer a scale c^2 of about 1/2 (the diagonal pivot, which
// defers in lanes too): without settling it on the way, the pending scale underflows in float
// and the unscaled entries overflow.
TEST_CASE("density matrix: a long circuit of factored rotations settles its deferred scale") {
    using C = q::real_amplitudes<n, 49, q::entanglement::linear>;
    qhybrid::rng r(5);
    const auto params = uniform(r, C::num_params, 1.5, 1.57);
    auto check = [&]<class Real>(Real tol) {
        const std::vector<Real> p(params.begin(), params.end());
        q::density_matrix<n, Real> rho;
        q::statevector<n, Real> psi;
        q::executor<C>().run(psi, p, {});
        q::executor<C>().run(rho, p, {});
        CHECK(max_diff_pure(rho, psi) <= tol);
        CHECK(rho.trace() == Approx(1).margin(tol));
    };
    check(1e-13);
    check(2e-5f);
}

TEST_CASE("density matrix: read-outs equal their definitions on a mixed state") {
    qhybrid::rng r(3);
    const dense::mat m = random_mixed_state<3>(r);
    q::density_matrix<3> rho;
    load(rho, m);
    const auto z = q::expval_z(rho);
    const auto p = q::probabilities(rho);
    for (std::size_t qb = 0; qb < 3; ++qb) {
        double ez = 0;
        for (std::size_t k = 0; k < 8; ++k) ez += ((k >> qb) & 1 ? -1 : 1) * m(k, k).real();
        CHECK(z[qb] == Approx(ez).margin(1e-14));
    }
    for (std::size_t k = 0; k < 8; ++k) CHECK(p[k] == Approx(m(k, k).real()).margin(1e-15));
    for (const char* label : {"XYZ", "IXI", "ZZY", "YII"}) {
        const q::pauli_string ps(label);
        dense::mat pm = dense::identity(1);
        for (char ch : std::string(label))
            pm = dense::kron(pm, ch == 'X' ? dense::X() : ch == 'Y' ? dense::Y() : ch == 'Z' ? dense::Z() : dense::id2());
        const dense::mat prod = pm * m;
        cplx tr = 0;
        for (std::size_t k = 0; k < 8; ++k) tr += prod(k, k);
        CHECK(q::expval(rho, ps) == Approx(tr.real()).margin(1e-14));
    }
    CHECK(rho.trace() == Approx(1).margin(1e-14));
    // Sampling: frequencies within 5 standard errors of the diagonal.
    qhybrid::rng gen(11);
    const std::size_t shots = 200000;
    std::vector<double> counts(8);
    for (auto o : q::sample(rho, shots, gen)) counts[o] += 1;
    for (std::size_t k = 0; k < 8; ++k) {
        const double pk = m(k, k).real();
        CHECK(std::abs(counts[k] / shots - pk) <= 5 * std::sqrt(pk * (1 - pk) / shots) + 1e-12);
    }
}

// ---- channels -------------------------------------------------------------------------------

namespace {

struct textbook_channel {
    const char* name;
    q::qubit_channel channel;
    std::vector<dense::mat> kraus; // written from the definitions, not from the library
};

std::vector<textbook_channel> textbook_channels() {
    using dense::m2;
    const double p = 0.13, g = 0.27, l = 0.31;
    const double t1 = 80, t2 = 50, t = 7; // T2 <= T1 and T1 < T2 <= 2 T1 below
    const double t2b = 140;
    auto thermal = [&](double t2v) { // damping by 1 - exp(-t/T1), coherences by exp(-t/T2)
        const double pr = 1 - std::exp(-t / t1), c = std::exp(-t / t2v);
        return std::vector<dense::mat>{m2(1, 0, 0, c), m2(0, std::sqrt(pr), 0, 0),
                                       m2(0, 0, 0, std::sqrt(1 - pr - c * c))};
    };
    return {
        {"depolarizing", q::qubit_channel::depolarizing(p),
         {std::sqrt(1 - 3 * p / 4) * dense::id2(), std::sqrt(p / 4) * dense::X(), std::sqrt(p / 4) * dense::Y(),
          std::sqrt(p / 4) * dense::Z()}},
        {"depolarizing 4/3", q::qubit_channel::depolarizing(4.0 / 3),
         {std::sqrt(1.0 / 3) * dense::X(), std::sqrt(1.0 / 3) * dense::Y(), std::sqrt(1.0 / 3) * dense::Z()}},
        {"amplitude damping", q::qubit_channel::amplitude_damping(g),
         {m2(1, 0, 0, std::sqrt(1 - g)), m2(0, std::sqrt(g), 0, 0)}},
        {"phase damping", q::qubit_channel::phase_damping(l), {m2(1, 0, 0, std::sqrt(1 - l)), m2(0, 0, 0, std::sqrt(l))}},
        {"bit flip", q::qubit_channel::bit_flip(p), {std::sqrt(1 - p) * dense::id2(), std::sqrt(p) * dense::X()}},
        {"phase flip", q::qubit_channel::phase_flip(p), {std::sqrt(1 - p) * dense::id2(), std::sqrt(p) * dense::Z()}},
        {"thermal relaxation T2 < T1", q::qubit_channel::thermal_relaxation(t1, t2, t), thermal(t2)},
        {"thermal relaxation T1 < T2 < 2 T1", q::qubit_channel::thermal_relaxation(t1, t2b, t), thermal(t2b)},
        {"mixed (merged)", q::mixed(0.05).channel(), {}}, // checked for CPTP only
    };
}

dense::mat apply_kraus(const std::vector<dense::mat>& kraus, std::size_t nq, std::size_t qb, const dense::mat& rho) {
    dense::mat out(rho.n);
    for (const auto& k : kraus) {
        const dense::mat full = dense::embed(nq, {{qb, k}});
        dense::mat adj(full.n);
        for (std::size_t i = 0; i < full.n; ++i)
            for (std::size_t j = 0; j < full.n; ++j) adj(i, j) = std::conj(full(j, i));
        out = out + full * rho * adj;
    }
    return out;
}

} // namespace

TEST_CASE("channels: each equals the sum of its textbook Kraus operators, on every qubit") {
    qhybrid::rng r(5);
    for (const auto& tc : textbook_channels()) {
        if (tc.kraus.empty()) continue;
        INFO(tc.name);
        for (q::qubit qb = 0; qb < 3; ++qb) {
            const dense::mat m = random_mixed_state<3>(r);
            q::density_matrix<3> rho;
            load(rho, m);
            q::apply_channel(rho, tc.channel, qb);
            CHECK(max_diff(rho, apply_kraus(tc.kraus, 3, qb, m)) <= 1e-15);
            // Batched: every lane the same.
            q::batched_density_matrix<3> batch;
            std::vector<cplx> v(64);
            for (std::size_t a = 0; a < 8; ++a)
                for (std::size_t b = 0; b < 8; ++b) v[q::density_matrix<3>::index(a, b)] = m(a, b);
            for (std::size_t l = 0; l < batch.samples; ++l) batch.vectorized().set_amplitudes(v, l);
            q::apply_channel(batch, tc.channel, qb);
            for (std::size_t l = 0; l < batch.samples; ++l)
                for (std::size_t a = 0; a < 8; ++a)
                    for (std::size_t b = 0; b < 8; ++b) CHECK(batch.entry(a, b, l) == rho.entry(a, b));
        }
    }
}

// Choi matrix of a channel on `nq` qubits, from the library's action on |i><j|.
template <std::size_t NQ, class Apply>
Eigen::MatrixXcd choi(Apply&& apply) {
    constexpr std::size_t d = std::size_t{1} << NQ;
    Eigen::MatrixXcd j = Eigen::MatrixXcd::Zero(d * d, d * d);
    for (std::size_t a = 0; a < d; ++a)
        for (std::size_t b = 0; b < d; ++b) {
            q::density_matrix<NQ> rho;
            std::vector<cplx> v(d * d);
            v[q::density_matrix<NQ>::index(a, b)] = 1;
            rho.vectorized().set_amplitudes(v);
            apply(rho);
            for (std::size_t r = 0; r < d; ++r)
                for (std::size_t c = 0; c < d; ++c) j(a * d + r, b * d + c) = rho.entry(r, c);
        }
    return j;
}

void check_cptp(const Eigen::MatrixXcd& j, std::size_t d) {
    CHECK((j - j.adjoint()).cwiseAbs().maxCoeff() <= 1e-15);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(j);
    CHECK(eig.eigenvalues().minCoeff() >= -1e-14);
    // Trace preserving: tr_out J = I.
    for (std::size_t a = 0; a < d; ++a)
        for (std::size_t b = 0; b < d; ++b) {
            cplx t = 0;
            for (std::size_t r = 0; r < d; ++r) t += j(a * d + r, b * d + r);
            CHECK(std::abs(t - cplx(a == b ? 1 : 0)) <= 1e-14);
        }
}

TEST_CASE("channels: completely positive and trace preserving (Choi matrix)") {
    for (const auto& tc : textbook_channels()) {
        INFO(tc.name);
        check_cptp(choi<1>([&](auto& rho) { q::apply_channel(rho, tc.channel, 0); }), 2);
        // The adjoint (Heisenberg) map is unital: it keeps I.
        q::density_matrix<1> id;
        load(id, dense::identity(2));
        q::apply_channel(id, tc.channel, 0, true);
        CHECK(max_diff(id, dense::identity(2)) <= 1e-15);
    }
    for (double p : {0.0, 0.2, 1.0, 16.0 / 15})
        check_cptp(choi<2>([&](auto& rho) { q::apply_depolarizing_pair(rho, 0, 1, p); }), 4);
}

TEST_CASE("channels: two-qubit depolarizing equals its Pauli-sum definition") {
    qhybrid::rng r(9);
    const double p = 0.21;
    const dense::mat m = random_mixed_state<3>(r);
    q::density_matrix<3> rho;
    load(rho, m);
    q::apply_depolarizing_pair(rho, 2, 0, p);
    // (1 - p) rho + p tr_02(rho) (x) I/4 = (1 - 15p/16) rho + p/16 sum over the 15 non-identity P
    const dense::mat paulis[4] = {dense::id2(), dense::X(), dense::Y(), dense::Z()};
    dense::mat expected = (1 - 15 * p / 16) * m;
    for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
            if (a == 0 && b == 0) continue;
            const dense::mat pp = dense::embed(3, {{2, paulis[a]}, {0, paulis[b]}});
            expected = expected + (p / 16) * (pp * m * pp);
        }
    CHECK(max_diff(rho, expected) <= 1e-15);
}

TEST_CASE("channels: T1 decay and T2 dephasing follow their closed forms") {
    const double t1 = 90, t2 = 60, dt = 0.75;
    const auto step = q::qubit_channel::thermal_relaxation(t1, t2, dt);
    q::density_matrix<1> excited, plus;
    excited.set_basis_state(1);
    const std::complex<double> h[2] = {M_SQRT1_2, M_SQRT1_2};
    plus.set_pure_state(h);
    for (int k = 1; k <= 200; ++k) {
        q::apply_channel(excited, step, 0);
        q::apply_channel(plus, step, 0);
        const double t = k * dt;
        CHECK(excited.entry(1, 1).real() == Approx(std::exp(-t / t1)).margin(1e-14));
        CHECK(std::abs(plus.entry(0, 1)) == Approx(0.5 * std::exp(-t / t2)).margin(1e-14));
        CHECK(plus.entry(1, 1).real() == Approx(0.5 * std::exp(-t / t1)).margin(1e-14));
    }
    CHECK_THROWS_WITH(q::qubit_channel::thermal_relaxation(50, 101, 1), Catch::Contains("exceeds 2 T1"));
    CHECK_THROWS_WITH(q::qubit_channel::amplitude_damping(1.5), Catch::Contains("outside [0, 1]"));
    CHECK_THROWS_WITH(q::qubit_channel::depolarizing(-0.1), Catch::Contains("outside [0, 1.33"));
    CHECK_THROWS_WITH(q::qubit_channel({{1, 0, 0, 0.5}}), Catch::Contains("not trace preserving"));
    const std::complex<double> i(0, 1);
    CHECK_THROWS_WITH(q::qubit_channel({{std::cos(0.3), -i * std::sin(0.3), -i * std::sin(0.3), std::cos(0.3)}}),
                      Catch::Contains("mixes populations with coherences"));
}

TEST_CASE("channels: full depolarizing gives the maximally mixed state") {
    qhybrid::rng r(1);
    q::density_matrix<3> rho;
    load(rho, random_mixed_state<3>(r));
    const auto full = q::qubit_channel::depolarizing(1);
    for (q::qubit qb = 0; qb < 3; ++qb) q::apply_channel(rho, full, qb);
    CHECK(max_diff(rho, (1.0 / 8) * dense::identity(8)) <= 1e-15);
    load(rho, random_mixed_state<3>(r));
    q::apply_depolarizing_pair(rho, 0, 2, 1);
    q::apply_channel(rho, full, 1);
    CHECK(max_diff(rho, (1.0 / 8) * dense::identity(8)) <= 1e-15);
}

TEST_CASE("channels and noise steps: bad qubits and parameters are errors") {
    q::density_matrix<2> rho;
    const auto damp = q::qubit_channel::amplitude_damping(0.1);
    CHECK_THROWS_WITH(q::apply_channel(rho, damp, 2), Catch::Contains("amplitude_damping: qubit 2 out of range for 2 qubits"));
    CHECK_THROWS_WITH(q::apply_depolarizing_pair(rho, 1, 1, 0.1), Catch::Contains("must be different"));
    CHECK_THROWS_WITH(q::apply_depolarizing_pair(rho, 0, 1, 1.2), Catch::Contains("outside [0, 16/15]"));
    CHECK_THROWS_WITH(q::apply_noise_step(rho, {q::noise_step::kind::cnot, 0, 3, nullptr, 0}),
                      Catch::Contains("noise step on qubits 0 and 3 of a 2-qubit state"));
    q::trajectory<2> t;
    CHECK_THROWS_WITH(q::apply_noise_step(t, {q::noise_step::kind::zz, 5, 0, nullptr, 0.1}),
                      Catch::Contains("noise step on qubits 5 and 0 of a 2-qubit state"));
    CHECK_THROWS_WITH(q::apply_noise_step(t, {q::noise_step::kind::channel, 0, 0, &damp, 0}, true),
                      Catch::Contains("no adjoint"));
    q::noise_steps steps;
    for (std::size_t k = 0; k < q::noise_steps::capacity; ++k) steps.add(damp, 0);
    CHECK_THROWS_WITH(steps.add(damp, 0), Catch::Contains("more than 128 noise steps"));
    // mixed's own parameters are named, with the channel whose range they leave.
    CHECK_THROWS_WITH(q::mixed(1.2), Catch::Equals("mixed: strength 1.2 with proportions (1, 1, 1) is out of range "
                                                   "(amplitude_damping: parameter 1.2 is outside [0, 1])"));
    CHECK_THROWS_WITH(q::mixed(-0.01), Catch::StartsWith("mixed: strength -0.01 with proportions (1, 1, 1) is out of range "
                                                         "(depolarizing: parameter -0.01 is outside [0, 1.3333333333333333])"));
    CHECK_THROWS_WITH(q::mixed(0.5, q::noise_sites::every_gate, {1, 1, 2.5}),
                      Catch::Equals("mixed: strength 0.5 with proportions (1, 1, 2.5) is out of range "
                                    "(phase_damping: parameter 1.25 is outside [0, 1])"));
}

TEST_CASE("density matrix: bad sizes and indices are errors") {
    q::density_matrix<2> rho;
    const std::vector<std::complex<double>> three(3, 0.5);
    CHECK_THROWS_WITH(rho.set_pure_state(three), Catch::Contains("set_pure_state: got 3 amplitudes, expected 4"));
    CHECK_THROWS_WITH(rho.set_basis_state(4), Catch::Contains("basis state 4 out of range for 2 qubits"));
    CHECK_THROWS_WITH(rho.entry(0, 4), Catch::Contains("entry (0, 4) out of range for 2 qubits"));
    qhybrid::rng gen(1);
    q::batched_density_matrix<2> batch;
    CHECK_THROWS_WITH(q::sample(batch, 10, gen, batch.samples), Catch::Contains("sample: lane"));
    CHECK_THROWS_WITH(q::expval(rho, q::pauli_string("XYZ")), Catch::Contains("acts on 3 qubits, the state has 2"));
    const q::readout_confusion ro({{0.1, 0.1}, {0.1, 0.1}});
    std::vector<double> z(3);
    CHECK_THROWS_WITH(ro.apply_to_z(std::span<double>(z)), Catch::Contains("got 3 <Z> values, expected 2"));
    std::vector<double> w(3);
    q::density_matrix<2> lam;
    CHECK_THROWS_WITH(q::seed_adjoint(q::z_weights<double>{w}, rho, lam), Catch::Contains("z_weights: got 3 weights, expected 2"));
}

TEST_CASE("readout confusion: measured distribution and <Z>") {
    const q::readout_confusion ro({{0.08, 0.03}, {0.02, 0.05}});
    std::vector<double> p{0.1, 0.2, 0.3, 0.4}; // k = q0 + 2 q1
    auto z = std::vector<double>{0.1 - 0.2 + 0.3 - 0.4, 0.1 + 0.2 - 0.3 - 0.4};
    // Dense: the Kronecker product of the per-qubit confusion matrices M[measured][true].
    const double m0[2][2] = {{1 - 0.03, 0.08}, {0.03, 1 - 0.08}}, m1[2][2] = {{1 - 0.05, 0.02}, {0.05, 1 - 0.02}};
    std::vector<double> expected(4);
    for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) expected[a] += m0[a & 1][b & 1] * m1[a >> 1][b >> 1] * p[b];
    ro.apply(std::span<double>(p));
    for (int k = 0; k < 4; ++k) CHECK(p[k] == Approx(expected[k]).margin(1e-15));
    ro.apply_to_z(std::span<double>(z));
    CHECK(z[0] == Approx(p[0] - p[1] + p[2] - p[3]).margin(1e-15));
    CHECK(z[1] == Approx(p[0] + p[1] - p[2] - p[3]).margin(1e-15));
    CHECK_THROWS_WITH(q::readout_confusion({{1.2, 0}}), Catch::Contains("must be probabilities"));
    CHECK_THROWS_WITH(ro.apply(std::span<double>(p.data(), 3)), Catch::Contains("expected 4"));
}
