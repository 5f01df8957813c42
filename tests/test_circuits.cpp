// Random 200-gate circuits against the dense reference; norm preservation over 10^5 gates;
// circuit sizes known at compile time. (test_circuits_real.cpp has the real-gate circuits: one
// file each keeps either under 2 minutes of compile time in the sanitizer build.)
#include "gate_check.hpp"
#include "random_circuit.hpp"

using circuit200 = randomized::circuit<5, 200, 7>;

TEST_CASE("random 200-gate circuits equal the dense reference") {
    qhybrid::rng r(11);
    CHECK(circuit_error<q::statevector<5, double>, circuit200>(r) <= 1e-12);
    CHECK(circuit_error<q::batched_statevector<5, double>, circuit200>(r) <= 1e-12);
    CHECK(circuit_error<q::statevector<5, float>, circuit200>(r) <= 1e-5);
    CHECK(circuit_error<q::batched_statevector<5, float>, circuit200>(r) <= 1e-5);
}

// With fresh angles on every pass, the rounding errors of rotations are a random walk. A gate
// whose matrix is fixed is not: it scales the norm by the same factor every time, which is why H
// and T use a (cos, sin) pair of pi/4 whose squares sum to 1 within 2e-17 (gates.hpp). This
// circuit has 20 H, T and T-dagger gates in 200 (and 17 SX and SX-dagger, whose entries are
// exact halves); over 10^5 gates the norm drifts by 1.3e-13 (measured; 1.9e-13 when the random
// circuits drew from 17 gate kinds instead of 22).
TEST_CASE("norm is preserved to 1e-12 after 10^5 gates") {
    using C = randomized::circuit<6, 200, 3, false>;
    qhybrid::rng r(5);
    q::statevector<6> psi;
    randomize(psi, r);
    q::executor<C> ex;
    std::vector<double> p(ex.num_params), x(ex.num_inputs);
    for (int k = 0; k < 500; ++k) {
        for (auto& v : p) v = r.uniform(-M_PI, M_PI);
        for (auto& v : x) v = r.uniform(-M_PI, M_PI);
        ex.apply(psi, p, x);
    }
    const double drift = std::abs(psi.norm_squared() - 1);
    INFO("norm drift " << drift); // shown by: tests/test_circuits "norm*" -s
    CHECK(drift <= 1e-12);
}

TEST_CASE("circuit sizes are compile-time constants") {
    using q::entanglement;
    STATIC_REQUIRE(q::real_amplitudes<8, 3>::num_params == 32);
    STATIC_REQUIRE(q::real_amplitudes<8, 3>::num_gates == 32 + 3 * 7);
    STATIC_REQUIRE(q::real_amplitudes<5, 1, entanglement::full>::num_gates == 10 + 10);
    STATIC_REQUIRE(q::zz_feature_map<8, 2>::num_inputs == 8);
    STATIC_REQUIRE(q::zz_feature_map<8, 2>::num_params == 0);
    STATIC_REQUIRE(q::zz_feature_map<4, 2, entanglement::circular>::num_gates == 2 * (4 + 4 + 3 * 4));
    STATIC_REQUIRE(q::ry_cnot_blocks<12, 96>::num_params == 12 * 96);
    STATIC_REQUIRE(q::ry_cnot_blocks<12, 96>::num_gates == 24 * 96);
    STATIC_REQUIRE(q::compose<q::angle_encoding<8>, q::real_amplitudes<8, 3>>::num_inputs == 8);
    STATIC_REQUIRE(q::compose<q::angle_encoding<8>, q::real_amplitudes<8, 3>>::num_qubits == 8);
    STATIC_REQUIRE(circuit200::num_inputs <= 3);
}
