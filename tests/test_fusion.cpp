// Fused gate passes (quantum/fusion.hpp): the executor's fused runs equal its gate-by-gate runs
// with the single-gate kernels (themselves checked against the dense reference in test_gates_*)
// on circuits of many passes, single and batched, real and complex, float and double.
// (test_fusion_plan.cpp proves the plans; test_fusion_adjoint.cpp has the adjoint method in fused
// passes: one file each keeps either under 2 minutes of compile time in the sanitizer build.)
#include "gate_check.hpp"
#include "random_circuit.hpp"

#include <qhybrid/quantum/fusion.hpp>

namespace d = qhybrid::quantum::detail;

double uniform_angle(qhybrid::rng& r) { return r.uniform(-M_PI, M_PI); }

// Largest amplitude difference between the fused executor and the unfused gates, from the same
// random state (real if `real`); angles drawn by `angle`.
template <class State, class Circuit>
double fused_error(std::uint64_t seed, bool real, double (*angle)(qhybrid::rng&) = uniform_angle) {
    using Real = typename State::real_type;
    qhybrid::rng r(seed);
    State fused, unfused;
    randomize(fused, r, real);
    unfused = fused;
    std::vector<Real> params(Circuit::num_params), inputs(Circuit::num_inputs * State::samples);
    for (auto& p : params) p = Real(angle(r));
    for (auto& x : inputs) x = Real(angle(r));
    q::executor<Circuit> ex;
    ex.apply(fused, params, inputs);
    ex.apply_gate_by_gate(unfused, params, inputs);
    if (fused.is_real() != unfused.is_real()) return INFINITY;
    double err = 0;
    for (std::size_t l = 0; l < State::samples; ++l)
        for (std::size_t k = 0; k < State::dimension; ++k)
            err = std::max(err, double(std::abs(fused.amplitude(k, l) - unfused.amplitude(k, l))));
    return err;
}

TEST_CASE("fused passes equal the gate-at-a-time kernels") {
    using random9 = randomized::circuit<9, 40, 21>;
    using real9 = randomized::real_circuit<9, 40, 22>;
    using qt = q::ry_cnot_blocks<12, 3>;
    using qnn = q::compose<q::angle_encoding<10, q::axis::x>, q::real_amplitudes<10, 2, q::entanglement::full>>;
    CHECK(fused_error<q::statevector<9, double>, random9>(1, false) <= 1e-12);
    CHECK(fused_error<q::statevector<9, double>, real9>(2, true) <= 1e-12);
    CHECK(fused_error<q::batched_statevector<9, double>, random9>(3, false) <= 1e-12);
    CHECK(fused_error<q::batched_statevector<9, double>, real9>(4, true) <= 1e-12);
    CHECK(fused_error<q::statevector<9, float>, random9>(5, false) <= 1e-5);
    CHECK(fused_error<q::statevector<12, double>, qt>(7, true) <= 1e-12);
    CHECK(fused_error<q::statevector<12, float>, qt>(8, false) <= 1e-5);
    CHECK(fused_error<q::batched_statevector<12, double>, qt>(9, true) <= 1e-12);
    CHECK(fused_error<q::statevector<10, double>, qnn>(10, false) <= 1e-12);
    CHECK(fused_error<q::batched_statevector<10, float>, qnn>(11, true) <= 1e-5);
}

TEST_CASE("scaled rotations with a Pauli frame equal the gate-at-a-time kernels") {
    // RY, CNOT, CZ, swap, X, Y, Z on every qubit: the frame's rules for each, on lane and register
    // targets, on real and complex states.
    using frame9 = randomized::frame_circuit<9, 40, 31>;
    using frame4 = randomized::frame_circuit<4, 80, 32>;
    CHECK(fused_error<q::statevector<9, double>, frame9>(21, false) <= 1e-12);
    CHECK(fused_error<q::statevector<9, double>, frame9>(22, true) <= 1e-12);
    CHECK(fused_error<q::statevector<9, float>, frame9>(23, false) <= 1e-5);
    CHECK(fused_error<q::statevector<4, double>, frame4>(24, false) <= 1e-12);
    // Angles where the cosine or the sine of the half angle is 0 or tiny.
    const auto special = [](qhybrid::rng& r) {
        constexpr double turns[] = {0, 0.5, 1, 1.5, 2, -0.5, -1, 1 + 1e-9, 1 - 1e-12, 1e-12};
        return M_PI * turns[r.below(std::size(turns))];
    };
    CHECK(fused_error<q::statevector<12, double>, q::ry_cnot_blocks<12, 3>>(25, true, special) <= 1e-12);
    CHECK(fused_error<q::statevector<9, double>, frame9>(26, false, special) <= 1e-12);
    CHECK(fused_error<q::statevector<9, float>, frame9>(27, true, special) <= 1e-5);
}

TEST_CASE("scaled rotations keep the norm to 1e-12 over 10^5 gates") {
    using C = q::ry_cnot_blocks<9, 5>; // 90 gates
    qhybrid::rng r(6);
    q::statevector<9> psi;
    randomize(psi, r, true);
    q::executor<C> ex;
    std::vector<double> p(C::num_params);
    for (int k = 0; k < 1112; ++k) {
        for (auto& v : p) v = r.uniform(-M_PI, M_PI);
        ex.apply(psi, p);
    }
    const double drift = std::abs(psi.norm_squared() - 1);
    INFO("norm drift " << drift);
    CHECK(drift <= 1e-12);
}

TEST_CASE("the gate-by-gate reference checks its arguments like apply") {
    q::executor<q::ry_cnot_blocks<4, 2>> ex;
    q::statevector<4> psi;
    const std::vector<double> short_params(7, 0.1);
    std::vector<double> nan_params(8, 0.1);
    nan_params[3] = NAN;
    CHECK_THROWS_WITH(ex.apply_gate_by_gate(psi, short_params), Catch::Contains("parameters: got 7 values"));
    CHECK_THROWS_WITH(ex.apply_gate_by_gate(psi, nan_params), Catch::Contains("value 3 is not finite"));
}
