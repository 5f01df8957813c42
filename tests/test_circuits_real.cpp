// Circuits of real gates: random 200-gate real circuits on real states against the dense
// reference, and the 96-block RY-CNOT circuit of the Quantum-Train on 12 qubits.
#include "gate_check.hpp"
#include "random_circuit.hpp"

TEST_CASE("random circuits of 200 real gates on real states match the dense reference") {
    using real200 = randomized::real_circuit<5, 200, 17>;
    qhybrid::rng r(12);
    CHECK(circuit_error<q::statevector<5, double>, real200>(r, 1, true) <= 1e-12);
    CHECK(circuit_error<q::batched_statevector<5, double>, real200>(r, 1, true) <= 1e-12);
    CHECK(circuit_error<q::statevector<5, float>, real200>(r, 1, true) <= 1e-5);
    CHECK(circuit_error<q::batched_statevector<5, float>, real200>(r, 1, true) <= 1e-5);
}

TEST_CASE("a 96-block circuit on 12 qubits runs: one compiled body, 2304 gates") {
    using C = q::ry_cnot_blocks<12, 96>;
    q::executor<C> ex;
    q::statevector<12> psi;
    qhybrid::rng r(3);
    std::vector<double> p(C::num_params);
    for (auto& v : p) v = r.uniform(-M_PI, M_PI);
    ex.run(psi, p);
    CHECK(std::abs(psi.norm_squared() - 1) <= 1e-12);
}
