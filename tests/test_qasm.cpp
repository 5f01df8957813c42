// OpenQASM export (quantum/qasm.hpp): the text written for every gate of all_gates.hpp (composites
// expanded into their primitives), for random circuits and for the library's ansatze, run by the tests' own reader (qasm_reader.hpp: the standard
// libraries' gates as the dense reference's textbook matrices), equals the dense reference
// unitary of the circuit: to 1e-12 in OpenQASM 3.0, and in 2.0 up to one global phase (its
// library has none).
#include "all_gates.hpp"
#include "qasm_reader.hpp"
#include "random_circuit.hpp"
#include "reference.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum/qasm.hpp>

#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <vector>

namespace q = qhybrid::quantum;

namespace {

// Largest entry difference of a and b; with up_to_phase, after turning a by the phase that
// matches b's largest entry.
double distance(const dense::mat& a, const dense::mat& b, bool up_to_phase) {
    std::size_t largest = 0;
    for (std::size_t k = 0; k < b.a.size(); ++k)
        if (std::abs(b.a[k]) > std::abs(b.a[largest])) largest = k;
    const dense::cplx turn = up_to_phase ? std::abs(a.a[largest]) / a.a[largest] * b.a[largest] / std::abs(b.a[largest]) : 1.0;
    double d = 0;
    for (std::size_t k = 0; k < a.a.size(); ++k) d = std::max(d, std::abs(turn * a.a[k] - b.a[k]));
    return d;
}

template <class C>
void check_export(std::uint64_t seed) {
    qhybrid::rng r(seed);
    std::vector<double> params(C::num_params), inputs(C::num_inputs);
    for (auto& p : params) p = r.uniform(-M_PI, M_PI);
    for (auto& x : inputs) x = r.uniform(-M_PI, M_PI);
    const auto expected = ref::unitary<C>(C::num_qubits, params, inputs);
    const std::string v3 = q::to_qasm(C{}, params, inputs);
    const std::string v2 = q::to_qasm(C{}, params, inputs, q::qasm_version::v2);
    INFO(v3);
    INFO(v2);
    CHECK(distance(qasm_reader::reader::run(v3), expected, false) < 1e-12);
    CHECK(distance(qasm_reader::reader::run(v2), expected, true) < 1e-12);
}

template <class... Gates>
void check_each(q::gate_sequence<Gates...>) {
    std::uint64_t seed = 1;
    (check_export<q::circuit<Gates>>(seed++), ...);
}

} // namespace

TEST_CASE("qasm: every gate, with angles from parameters, inputs, constants and feature products, runs as the reference") {
    check_each(all_gates::one_qubit<1, q::param<0>>{});
    check_each(all_gates::one_qubit<2, q::feature_product<0, 1>>{});
    check_each(all_gates::two_qubit<2, 0, q::input<1, 2.0>>{});
    check_each(all_gates::two_qubit<0, 1, q::constant<-0.75>>{});
    check_each(all_gates::composite<0, 1, 2, q::param<0>, q::input<0>, q::constant<-0.75>>{});
    check_each(all_gates::composite<2, 0, 1, q::param<2>, q::param<0>, q::param<1>>{});
}

TEST_CASE("qasm: random circuits and the library's ansatze run as the reference") {
    check_export<randomized::circuit<4, 60, 3>>(11);
    check_export<q::compose<q::circuit<q::barrier<0b101>>, randomized::circuit<3, 40, 8>>>(12);
    check_export<q::real_amplitudes<4, 2>>(13);
    check_export<q::zz_feature_map<3, 2>>(14);
    check_export<q::compose<q::angle_encoding<4, q::axis::x>, q::ry_cnot_blocks<4, 2>>>(15);
    check_export<q::u3_cu3_blocks<3, 2>>(16);
}

TEST_CASE("qasm: a gate its library lacks is defined once, before the circuit") {
    using c = q::circuit<q::rzz<0, 1>, q::h<0>, q::rzz<1, 0>>;
    const std::vector<double> theta{0.25};
    const std::string v3 = q::to_qasm(c{}, theta);
    CHECK(v3.find("gate rzz") < v3.find("qubit[2] q;"));
    CHECK(v3.find("gate rzz") == v3.rfind("gate rzz"));
    CHECK(q::to_qasm(c{}, theta, {}, q::qasm_version::v2).find("gate ") == std::string::npos);
    CHECK(q::to_qasm(c{}, theta) ==
          "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ngate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }\n"
          "qubit[2] q;\nrzz(0.25) q[0], q[1];\nh q[0];\nrzz(0.25) q[1], q[0];\n");
}

TEST_CASE("qasm: parameters and inputs are checked as the executor checks them") {
    using c = q::circuit<q::rx<0>, q::ry<1, q::input<0>>>;
    const std::vector<double> one{0.5}, none;
    CHECK_THROWS_WITH(q::to_qasm(c{}, none, one), Catch::Contains("to_qasm: parameters: got 0 values, the circuit needs 1"));
    CHECK_THROWS_WITH(q::to_qasm(c{}, one, none), Catch::Contains("to_qasm: inputs: got 0 values"));
    const std::vector<double> nan{std::numeric_limits<double>::quiet_NaN()};
    CHECK_THROWS_WITH(q::to_qasm(c{}, one, nan), Catch::Contains("to_qasm: inputs: value 0 is not finite"));
}
