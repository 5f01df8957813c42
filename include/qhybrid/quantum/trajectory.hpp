// SPDX-License-Identifier: Apache-2.0
#pragma once
// Monte-Carlo trajectories: the second backend for the same noise policies, for more qubits than
// a density matrix can hold. A trajectory is a pure state plus its own seeded generator; at each
// noise step it applies one Kraus operator K_i, drawn with probability ||K_i psi||^2, and
// renormalizes, so that the average of |psi><psi| over trajectories is the density matrix. In a
// batched trajectory every lane draws its own operators: one batch runs W trajectories.
//
// Usage:
//   batched_trajectory<16> t(seed);
//   executor<my_circuit, mixed> ex(mixed(0.01), {});
//   ex.run(t, params, inputs);              // W independent trajectories
//   auto z = expval_z(t.state());           // average the lanes (and further runs) for <Z>
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/quantum/channels.hpp"
#include "qhybrid/quantum/dynamic_gates.hpp"
#include "qhybrid/quantum/policies.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <string>

namespace qhybrid::quantum {

template <class Vector>
class basic_trajectory {
public:
    static constexpr state_kind kind = state_kind::trajectory;
    using vector_type = Vector;
    using real_type = typename Vector::real_type;
    using value_type = typename Vector::value_type;
    using batch_type = typename Vector::batch_type;
    static constexpr std::size_t num_qubits = Vector::num_qubits;
    static constexpr std::size_t dimension = Vector::dimension;
    static constexpr std::size_t samples = Vector::samples;

    explicit basic_trajectory(std::uint64_t seed = 1) : gen_(seed) {}

    // Back to |0...0>; the generator runs on, so the next run is a new trajectory.
    void reset() { psi_.reset(); }

    Vector& state() noexcept { return psi_; }
    const Vector& state() const noexcept { return psi_; }
    rng& generator() noexcept { return gen_; }

private:
    Vector psi_;
    rng gen_;
};

template <std::size_t N, class Real = double>
using trajectory = basic_trajectory<statevector<N, Real>>;
template <std::size_t N, class Real = double>
using batched_trajectory = basic_trajectory<batched_statevector<N, Real>>;
static_assert(trajectory_state<trajectory<1>> && trajectory_state<batched_trajectory<1, float>>,
              "qhybrid: the trajectories keep the trajectory_state contract");

namespace detail {
inline const matrix2& pauli_matrix(int which) { // I, X, Y, Z
    static const std::array<matrix2, 4> p{{{1, 0, 0, 1}, {0, 1, 1, 0}, {0, {0, -1}, {0, 1}, 0}, {1, 0, 0, -1}}};
    return p[which];
}
} // namespace detail

// One noise step on every lane of a trajectory.
template <class Vector>
void apply_noise_step(basic_trajectory<Vector>& t, const noise_step& step, bool adjoint = false) {
    require(!adjoint, [] { return std::string("trajectories: no adjoint (differentiate on a density matrix)"); });
    constexpr qubit n = Vector::num_qubits;
    require(step.a < n && step.b < n, [&] {
        return "noise step on qubits " + std::to_string(step.a) + " and " + std::to_string(step.b) + " of a " +
               std::to_string(n) + "-qubit state";
    });
    auto& v = t.state();
    auto& gen = t.generator();
    switch (step.what) {
    case noise_step::kind::cnot: detail::apply_cnot(v, step.a, step.b); return;
    case noise_step::kind::zz: detail::apply_zz(v, step.a, step.b, step.p); return;
    case noise_step::kind::conditional_phase: detail::apply_conditional_phase(v, step.a, step.b, step.p); return;
    case noise_step::kind::channel: {
        // One pass for the qubit's reduced state gives every operator's weight in every lane;
        // one more applies each lane's draw, rescaled to keep the norm.
        const detail::reduced_qubit<Vector> r(v, step.a);
        const auto kraus = step.channel->kraus();
        std::array<detail::matrix2, Vector::samples> pick;
        for (std::size_t l = 0; l < Vector::samples; ++l) {
            const double total = r.p0[l] + r.p1[l], u = gen.uniform() * total;
            double acc = 0, weight = 0;
            std::size_t chosen = kraus.size();
            for (std::size_t i = 0; i < kraus.size() && acc <= u; ++i) {
                const double w = r.weight(kraus[i], l);
                if (w > 0) chosen = i, weight = w; // past the end by rounding: the last possible one
                acc += w;
            }
            require(chosen < kraus.size(), [] { return std::string("trajectories: every Kraus operator has zero weight"); });
            const double rescale = std::sqrt(total / weight);
            for (int e = 0; e < 4; ++e) pick[l][e] = kraus[chosen][e] * rescale;
        }
        detail::apply_lane_matrices(v, step.a, pick);
        return;
    }
    case noise_step::kind::depolarizing_pair: {
        // (1 - p) rho + p I/4 = (1 - 15p/16) rho + p/16 sum of the 15 non-identity Pauli pairs.
        std::array<detail::matrix2, Vector::samples> on_a, on_b;
        bool any = false;
        for (std::size_t l = 0; l < Vector::samples; ++l) {
            const int pair = gen.uniform() < 15 * step.p / 16 ? 1 + int(gen.below(15)) : 0;
            on_a[l] = detail::pauli_matrix(pair % 4);
            on_b[l] = detail::pauli_matrix(pair / 4);
            any = any || pair != 0;
        }
        if (any) {
            detail::apply_lane_matrices(v, step.a, on_a);
            detail::apply_lane_matrices(v, step.b, on_b);
        }
        return;
    }
    }
}

} // namespace qhybrid::quantum
