// Bad input is a qhybrid::error that says what was wrong.
#include <catch2/catch.hpp>
#include <qhybrid/quantum.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace q = qhybrid::quantum;
using Catch::Matchers::Contains;

TEST_CASE("wrong parameter and input counts") {
    q::executor<q::compose<q::angle_encoding<3>, q::real_amplitudes<3, 1>>> ex;
    q::statevector<3> psi;
    const std::vector<double> p(6), x(3);
    REQUIRE_NOTHROW(ex.run(psi, p, x));
    REQUIRE_THROWS_AS(ex.run(psi, std::vector<double>(5), x), qhybrid::error);
    REQUIRE_THROWS_WITH(ex.run(psi, std::vector<double>(5), x), Contains("parameters: got 5 values, the circuit needs 6"));
    REQUIRE_THROWS_WITH(ex.run(psi, p, std::vector<double>(2)), Contains("inputs: got 2 values, the circuit needs 3"));
    q::batched_statevector<3> batch; // one sample per SIMD lane: 8 with AVX-512, 4 with AVX2
    REQUIRE_THROWS_WITH(ex.run(batch, p, x),
                        Contains("inputs: got 3 values, the circuit needs " + std::to_string(3 * q::batched_statevector<3>::samples)));
}

TEST_CASE("NaN and infinite angles") {
    q::executor<q::compose<q::angle_encoding<2>, q::real_amplitudes<2, 1>>> ex;
    q::statevector<2> psi;
    std::vector<double> p(4, 0.1), x(2, 0.2);
    p[2] = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(ex.run(psi, p, x), Contains("parameters: value 2 is not finite"));
    p[2] = 0;
    x[1] = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_WITH(ex.run(psi, p, x), Contains("inputs: value 1 is not finite"));
}

TEST_CASE("gradient buffers and cotangents of the wrong size") {
    q::executor<q::real_amplitudes<2, 1>> ex;
    q::statevector<2> psi, lambda;
    std::vector<double> p(4), dp(3), w(2), w_bad(3);
    std::vector<double> none;
    REQUIRE_THROWS_WITH(ex.vjp(psi, lambda, q::z_weights<double>{w}, p, {}, dp, none),
                        Contains("vjp: gradient buffers have 3 and 0 values, expected 4 and 0"));
    dp.resize(4);
    REQUIRE_THROWS_WITH(ex.vjp(psi, lambda, q::z_weights<double>{w_bad}, p, {}, dp, none),
                        Contains("z_weights: got 3 weights, expected 2"));
    REQUIRE_THROWS_WITH(ex.vjp(psi, lambda, q::probability_weights<double>{w_bad}, p, {}, dp, none),
                        Contains("probability_weights: got 3 weights, expected 4"));
}

TEST_CASE("states: out-of-range indices and bad amplitudes") {
    q::statevector<3> psi;
    REQUIRE_THROWS_WITH(psi.set_basis_state(8), Contains("basis state 8 out of range for 3 qubits"));
    REQUIRE_THROWS_WITH(psi.amplitude(9), Contains("amplitude 9 of sample 0 out of range"));
    REQUIRE_THROWS_WITH(psi.amplitude(0, 1), Contains("amplitude 0 of sample 1 out of range"));
    std::vector<std::complex<double>> a(8);
    a[3] = {std::nan(""), 0};
    REQUIRE_THROWS_WITH(psi.set_amplitudes(a), Contains("amplitude 3 is not finite"));
    a.resize(4);
    REQUIRE_THROWS_WITH(psi.set_amplitudes(a), Contains("got 4 amplitudes, expected 8"));
}

TEST_CASE("Pauli strings: bad letters, too many qubits") {
    REQUIRE_THROWS_WITH(q::pauli_string("XQZ"), Contains("letter 'Q' at position 1 of \"XQZ\""));
    REQUIRE_THROWS_WITH(q::pauli_string(""), Contains("1 to 64 letters"));
    q::statevector<2> psi;
    REQUIRE_THROWS_WITH(q::expval(psi, q::pauli_string("XYZ")), Contains("acts on 3 qubits, the state has 2"));
    qhybrid::rng gen(1);
    REQUIRE_THROWS_WITH(q::sample(psi, 10, gen, 3), Contains("sample: lane 3 out of range"));
}
