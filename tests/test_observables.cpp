// Read-outs against the dense reference: <Z_q>, Pauli strings, probabilities, sampling.
#include "gate_check.hpp"

#include <map>

namespace {
dense::mat pauli_matrix(std::size_t n, const std::string& label) {
    std::vector<dense::on> ops;
    for (std::size_t i = 0; i < label.size(); ++i) {
        const std::size_t qb = label.size() - 1 - i;
        switch (label[i]) {
        case 'X': ops.push_back({qb, dense::X()}); break;
        case 'Y': ops.push_back({qb, dense::Y()}); break;
        case 'Z': ops.push_back({qb, dense::Z()}); break;
        default: break;
        }
    }
    return dense::embed(n, ops);
}

double dense_expval(const dense::vec& v, const dense::mat& m) {
    const dense::vec mv = m * v;
    std::complex<double> s = 0;
    for (std::size_t k = 0; k < v.size(); ++k) s += std::conj(v[k]) * mv[k];
    return s.real();
}
} // namespace

TEMPLATE_TEST_CASE("<Z_q> for every qubit in one sweep", "", (q::statevector<5, double>),
                   (q::batched_statevector<5, double>), (q::statevector<2, double>), (q::statevector<6, float>),
                   (q::batched_statevector<4, float>)) {
    using State = TestType;
    const double tol = std::is_same_v<typename State::real_type, double> ? 1e-12 : 1e-5;
    qhybrid::rng r(4);
    State psi;
    const auto v = randomize(psi, r);
    const auto z = q::expval_z(psi);
    const auto p = q::probabilities(psi);
    for (std::size_t l = 0; l < State::samples; ++l) {
        for (std::size_t qb = 0; qb < State::num_qubits; ++qb)
            CHECK(std::abs(z[qb * State::samples + l] -
                           dense_expval(v[l], dense::embed(State::num_qubits, {{qb, dense::Z()}}))) <= tol);
        for (std::size_t k = 0; k < State::dimension; ++k)
            CHECK(std::abs(p[k * State::samples + l] - std::norm(v[l][k])) <= tol);
    }
}

TEST_CASE("Pauli-string expectations in Qiskit's label order") {
    qhybrid::rng r(6);
    q::batched_statevector<4> psi;
    const auto v = randomize(psi, r);
    for (std::string label : {"Z", "X", "Y", "XYZI", "IZZI", "YYYY", "XIIX", "ZIY"}) {
        INFO(label);
        const q::pauli_string p(label);
        for (std::size_t l = 0; l < psi.samples; ++l)
            CHECK(std::abs(q::expval(psi, p, l) - dense_expval(v[l], pauli_matrix(4, label))) <= 1e-12);
    }
}

TEST_CASE("sampling: frequencies within 5 sigma of the probabilities, a seed repeats the draw") {
    q::statevector<3> psi;
    q::executor<q::real_amplitudes<3, 1>> ex;
    const std::vector<double> theta{0.3, 1.1, -0.7, 2.0, 0.4, -1.3};
    ex.run(psi, theta);
    const auto p = q::probabilities(psi);
    const std::size_t shots = 200000;
    qhybrid::rng gen(42);
    const auto outcomes = q::sample(psi, shots, gen);
    std::map<std::uint64_t, std::size_t> counts;
    for (auto o : outcomes) ++counts[o];
    for (std::size_t k = 0; k < p.size(); ++k) {
        const double sigma = std::sqrt(p[k] * (1 - p[k]) / shots);
        CHECK(std::abs(double(counts[k]) / shots - p[k]) <= 5 * sigma + 1e-12);
    }
    qhybrid::rng again(42);
    CHECK(q::sample(psi, shots, again) == outcomes);
}
