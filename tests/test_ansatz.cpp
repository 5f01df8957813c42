// RealAmplitudes, ZZFeatureMap, angle encoding and the Quantum-Train blocks against unitaries
// built here, gate by gate, from Qiskit's published definitions (qiskit.circuit.library:
// RealAmplitudes, ZZFeatureMap = PauliFeatureMap(paulis=['Z','ZZ'], alpha=2,
// data_map = x for one qubit and (pi - x_i)(pi - x_j) for two), entangler maps from
// NLocal.get_entangler_map). Columns of our unitary come from running the circuit on |k>.
#include "dense.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum.hpp>

#include <utility>
#include <vector>

namespace q = qhybrid::quantum;
using pairs = std::vector<std::pair<std::size_t, std::size_t>>;

// Qiskit's get_entangler_map(2, n, entanglement), written out.
pairs entangler_map(std::size_t n, q::entanglement e) {
    pairs p;
    switch (e) {
    case q::entanglement::full:
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j) p.push_back({i, j});
        break;
    case q::entanglement::linear:
        for (std::size_t i = 0; i + 1 < n; ++i) p.push_back({i, i + 1});
        break;
    case q::entanglement::reverse_linear: // [(n-i-2, n-i-1) for i in range(n-1)]
        for (std::size_t i = 0; i + 1 < n; ++i) p.push_back({n - i - 2, n - i - 1});
        break;
    case q::entanglement::circular: // [(n-1, 0)] + linear, when n > 2
        if (n > 2) p.push_back({n - 1, 0});
        for (std::size_t i = 0; i + 1 < n; ++i) p.push_back({i, i + 1});
        break;
    case q::entanglement::star:
        for (std::size_t j = 1; j < n; ++j) p.push_back({0, j});
        break;
    }
    return p;
}

dense::mat real_amplitudes(std::size_t n, std::size_t reps, q::entanglement e, const std::vector<double>& theta) {
    dense::mat u = dense::identity(std::size_t{1} << n);
    std::size_t k = 0;
    auto rotation_layer = [&] {
        for (std::size_t i = 0; i < n; ++i) u = dense::embed(n, {{i, dense::RY(theta[k++])}}) * u;
    };
    for (std::size_t r = 0; r < reps; ++r) {
        rotation_layer();
        for (auto [c, t] : entangler_map(n, e)) u = dense::controlled(n, c, t, dense::X()) * u;
    }
    rotation_layer(); // skip_final_rotation_layer=False
    return u;
}

dense::mat zz_feature_map(std::size_t n, std::size_t reps, q::entanglement e, const std::vector<double>& x) {
    dense::mat u = dense::identity(std::size_t{1} << n);
    for (std::size_t r = 0; r < reps; ++r) {
        for (std::size_t i = 0; i < n; ++i) u = dense::embed(n, {{i, dense::H()}}) * u;
        for (std::size_t i = 0; i < n; ++i) u = dense::embed(n, {{i, dense::P(2.0 * x[i])}}) * u;
        for (auto [i, j] : entangler_map(n, e)) {
            const double phi = (M_PI - x[i]) * (M_PI - x[j]);
            u = dense::controlled(n, i, j, dense::X()) * u;
            u = dense::embed(n, {{j, dense::P(2.0 * phi)}}) * u;
            u = dense::controlled(n, i, j, dense::X()) * u;
        }
    }
    return u;
}

template <class Circuit, std::size_t N>
double unitary_error(const dense::mat& expected, const std::vector<double>& p, const std::vector<double>& x) {
    q::executor<Circuit> ex;
    q::statevector<N> psi;
    double err = 0;
    for (std::size_t col = 0; col < psi.dimension; ++col) {
        psi.set_basis_state(col);
        ex.apply(psi, p, x);
        for (std::size_t row = 0; row < psi.dimension; ++row)
            err = std::max(err, std::abs(psi.amplitude(row) - expected(row, col)));
    }
    return err;
}

std::vector<double> random_values(std::size_t count, std::uint64_t seed) {
    qhybrid::rng r(seed);
    std::vector<double> v(count);
    for (auto& a : v) a = r.uniform(-M_PI, M_PI);
    return v;
}

TEMPLATE_TEST_CASE_SIG("RealAmplitudes equals Qiskit's definition", "", ((q::entanglement E), E),
                       q::entanglement::linear, q::entanglement::reverse_linear, q::entanglement::circular,
                       q::entanglement::full, q::entanglement::star) {
    using C = q::real_amplitudes<4, 3, E>;
    STATIC_REQUIRE(C::num_params == 16);
    const auto theta = random_values(C::num_params, 1);
    CHECK(unitary_error<C, 4>(real_amplitudes(4, 3, E, theta), theta, {}) <= 1e-12);
}

TEMPLATE_TEST_CASE_SIG("ZZFeatureMap equals Qiskit's definition", "", ((q::entanglement E), E),
                       q::entanglement::linear, q::entanglement::reverse_linear, q::entanglement::circular,
                       q::entanglement::full, q::entanglement::star) {
    using C = q::zz_feature_map<4, 2, E>;
    const auto x = random_values(4, 2);
    CHECK(unitary_error<C, 4>(zz_feature_map(4, 2, E, x), {}, x) <= 1e-12);
}

TEST_CASE("Qiskit's defaults: RealAmplitudes reverse_linear with 3 reps, ZZFeatureMap full with 2 reps") {
    const auto theta = random_values(12, 3);
    CHECK(unitary_error<q::real_amplitudes<3>, 3>(real_amplitudes(3, 3, q::entanglement::reverse_linear, theta),
                                                  theta, {}) <= 1e-12);
    const auto x = random_values(3, 4);
    CHECK(unitary_error<q::zz_feature_map<3>, 3>(zz_feature_map(3, 2, q::entanglement::full, x), {}, x) <= 1e-12);
}

TEST_CASE("encoding then ansatz: angle encoding composed with RealAmplitudes") {
    using C = q::compose<q::angle_encoding<3, q::axis::y>, q::real_amplitudes<3, 2, q::entanglement::linear>>;
    const auto theta = random_values(C::num_params, 5);
    const auto x = random_values(3, 6);
    dense::mat enc = dense::identity(8);
    for (std::size_t i = 0; i < 3; ++i) enc = dense::embed(3, {{i, dense::RY(x[i])}}) * enc;
    CHECK(unitary_error<C, 3>(real_amplitudes(3, 2, q::entanglement::linear, theta) * enc, theta, x) <= 1e-12);
}

TEST_CASE("Quantum-Train blocks: RY on every qubit, then the CNOT ring 0->1->...->N-1->0") {
    using C = q::ry_cnot_blocks<4, 3>;
    const auto theta = random_values(C::num_params, 7);
    dense::mat u = dense::identity(16);
    std::size_t k = 0;
    for (int b = 0; b < 3; ++b) {
        for (std::size_t i = 0; i < 4; ++i) u = dense::embed(4, {{i, dense::RY(theta[k++])}}) * u;
        for (std::size_t i = 0; i < 4; ++i) u = dense::controlled(4, i, (i + 1) % 4, dense::X()) * u;
    }
    CHECK(unitary_error<C, 4>(u, theta, {}) <= 1e-12);
}

TEST_CASE("Quantum-Train's U3 + CU3 blocks: TorchQuantum's U3CU3Layer0") {
    // Per block: U3 on wires 0..N-1, then CU3 on (k, k + 1 mod N), each gate's (theta, phi,
    // lambda) in turn (torchquantum/layer/layers/u3_layer.py, Op2QAllLayer with circular=True);
    // U3 and CU3 as TorchQuantum and Qiskit define them.
    using C = q::u3_cu3_blocks<3, 2>;
    STATIC_REQUIRE(C::num_params == 2 * 6 * 3);
    const auto theta = random_values(C::num_params, 9);
    dense::mat u = dense::identity(8);
    std::size_t k = 0;
    for (int b = 0; b < 2; ++b) {
        for (std::size_t i = 0; i < 3; ++i, k += 3) u = dense::embed(3, {{i, dense::U3(theta[k], theta[k + 1], theta[k + 2])}}) * u;
        for (std::size_t i = 0; i < 3; ++i, k += 3)
            u = dense::controlled(3, i, (i + 1) % 3, dense::U3(theta[k], theta[k + 1], theta[k + 2])) * u;
    }
    CHECK(unitary_error<C, 3>(u, theta, {}) <= 1e-12);
}
