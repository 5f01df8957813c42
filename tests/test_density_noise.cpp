// Noise policies on density matrices: random noisy circuits keep rho Hermitian, of trace 1 and
// positive semidefinite; noise sites. (test_density_gradients.cpp and test_density_adjoint.cpp
// have the gradients: one file each keeps every one under 2 minutes of compile time in the
// sanitizer build.)
#include "density_check.hpp"

// ---- noisy circuits -----------------------------------------------------------------------

template <class Noise>
void check_noisy_states(const Noise& noise) {
    qhybrid::rng r(21);
    const auto params = uniform(r, every_gate::num_params, -M_PI, M_PI);
    const auto inputs = uniform(r, every_gate::num_inputs, 0, M_PI);
    q::density_matrix<n> rho;
    q::executor<every_gate, Noise>(noise, {}).run(rho, params, inputs);
    check_state(to_eigen(rho), 1e-13);
    // The noise did something: the state is no longer pure.
    const Eigen::MatrixXcd m = to_eigen(rho);
    CHECK((m * m).trace().real() < 0.99);
}

TEST_CASE("noisy circuits keep rho Hermitian, of trace 1 and positive semidefinite") {
    check_noisy_states(q::depolarizing(0.02));
    check_noisy_states(q::amplitude_damping(0.05));
    check_noisy_states(q::phase_damping(0.05));
    check_noisy_states(q::mixed(0.01));
    check_noisy_states(q::mixed(0.05, q::noise_sites::two_qubit_gates));
}

TEST_CASE("noise sites: barriers, two-qubit gates, every gate") {
    using layer = q::compose<q::angle_encoding<2, q::axis::y>, q::circuit<q::cnot<0, 1>, q::barrier<0b11>>>;
    const std::vector<double> x{0.4, 1.1};
    const auto run = [&](q::noise_sites where) {
        q::density_matrix<2> rho;
        q::executor<layer, q::amplitude_damping>(q::amplitude_damping(0.3, where), {}).run(rho, {}, x);
        return rho;
    };
    // Expected: the noiseless state, damped once on each qubit (barrier, or after the CNOT).
    q::density_matrix<2> expected;
    q::executor<layer>().run(expected, {}, x);
    const auto damp = q::qubit_channel::amplitude_damping(0.3);
    q::apply_channel(expected, damp, 0);
    q::apply_channel(expected, damp, 1);
    for (auto where : {q::noise_sites::barriers, q::noise_sites::two_qubit_gates}) {
        const auto rho = run(where);
        for (std::size_t a = 0; a < 4; ++a)
            for (std::size_t b = 0; b < 4; ++b) CHECK(std::abs(rho.entry(a, b) - expected.entry(a, b)) <= 1e-15);
    }
    // Every gate: also after each RY, so more damping: a larger |0..0> population.
    CHECK(run(q::noise_sites::every_gate).entry(0, 0).real() > expected.entry(0, 0).real() + 1e-3);
}
