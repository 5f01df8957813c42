// SPDX-License-Identifier: Apache-2.0
#pragma once
// Mixed states of N qubits. A density matrix rho is stored as a 2N-qubit vector, entry (r, c) at
// index r + 2^N c: the row index spans qubits 0..N-1 and the column index qubits N..2N-1. A gate
// U becomes U on the row qubits and conj(U) on the column qubits (that is U rho U^dagger), so
// gates run on the statevector kernels unchanged, and a real rho stays real under real gates.
//
// `density_matrix<N, Real>` holds one state; `batched_density_matrix<N, Real>` holds one per SIMD
// lane, like batched_statevector. Channels (channels.hpp) act with `apply_channel`.
//
// Usage:
//   density_matrix<4> rho;                           // |0000><0000|
//   executor<my_circuit, mixed> ex(mixed(0.005), {});
//   ex.run(rho, params, inputs);
//   auto z = expval_z(rho);
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/channels.hpp"
#include "qhybrid/quantum/dynamic_gates.hpp"
#include "qhybrid/quantum/observables.hpp"
#include "qhybrid/quantum/policies.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <array>
#include <complex>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace qhybrid::quantum {

template <class Vector>
class basic_density_matrix {
    static_assert(Vector::num_qubits % 2 == 0);

public:
    static constexpr state_kind kind = state_kind::density;
    using vector_type = Vector;
    using real_type = typename Vector::real_type;
    using value_type = typename Vector::value_type;
    using batch_type = typename Vector::batch_type;
    static constexpr std::size_t num_qubits = Vector::num_qubits / 2;
    static constexpr std::size_t dimension = std::size_t{1} << num_qubits;
    static constexpr std::size_t samples = Vector::samples;

    // |0...0><0...0| in every sample.
    basic_density_matrix() = default;

    // Every sample becomes |k><k|.
    void set_basis_state(std::size_t k) {
        require(k < dimension, [&] {
            return "basis state " + std::to_string(k) + " out of range for " + std::to_string(num_qubits) + " qubits";
        });
        v_.set_basis_state(index(k, k));
    }
    void reset() { v_.reset(); }

    // One sample becomes |psi><psi| (2^N amplitudes; the caller normalizes).
    void set_pure_state(std::span<const std::complex<real_type>> psi, std::size_t sample = 0) {
        require(psi.size() == dimension, [&] {
            return "set_pure_state: got " + std::to_string(psi.size()) + " amplitudes, expected " +
                   std::to_string(dimension);
        });
        std::vector<std::complex<real_type>> rho(dimension * dimension);
        for (std::size_t r = 0; r < dimension; ++r)
            for (std::size_t c = 0; c < dimension; ++c) rho[index(r, c)] = psi[r] * std::conj(psi[c]);
        v_.set_amplitudes(rho, sample);
    }

    std::complex<real_type> entry(std::size_t r, std::size_t c, std::size_t sample = 0) const {
        require(r < dimension && c < dimension, [&] {
            return "entry (" + std::to_string(r) + ", " + std::to_string(c) + ") out of range for " +
                   std::to_string(num_qubits) + " qubits";
        });
        return v_.amplitude(index(r, c), sample);
    }

    real_type trace(std::size_t sample = 0) const {
        real_type t = 0;
        for (std::size_t k = 0; k < dimension; ++k) t += entry(k, k, sample).real();
        return t;
    }

    bool is_real() const noexcept { return v_.is_real(); }

    // The 2N-qubit vector the kernels work on.
    Vector& vectorized() noexcept { return v_; }
    const Vector& vectorized() const noexcept { return v_; }

    // Where entry (r, c) lives in the vector.
    static constexpr std::size_t index(std::size_t r, std::size_t c) noexcept { return r + (c << num_qubits); }

private:
    Vector v_;
};

template <std::size_t N, class Real = double>
using density_matrix = basic_density_matrix<statevector<2 * N, Real>>;
template <std::size_t N, class Real = double>
using batched_density_matrix = basic_density_matrix<batched_statevector<2 * N, Real>>;
static_assert(density_state<density_matrix<1>> && density_state<batched_density_matrix<1, float>>,
              "qhybrid: the density matrices keep the density_state contract");

namespace detail {

// (a, b) <- (m0 a + m1 b, m2 a + m3 b) on two storage streams.
template <class Real>
inline void mix(Real* a, Real* b, std::size_t n, const std::array<double, 4>& m) noexcept {
    const Real m0 = Real(m[0]), m1 = Real(m[1]), m2 = Real(m[2]), m3 = Real(m[3]);
    for (std::size_t i = 0; i < n; ++i) {
        const Real x = a[i], y = b[i];
        a[i] = m0 * x + m1 * y;
        b[i] = m2 * x + m3 * y;
    }
}

} // namespace detail

// rho <- E(rho) for a one-qubit channel E on qubit q, or its adjoint (Heisenberg picture,
// E^dagger(O) = sum K^dagger O K) when `adjoint`: the adjoint method carries observables back
// through channels with it.
template <class Vector>
void apply_channel(basic_density_matrix<Vector>& rho, const qubit_channel& channel, qubit q, bool adjoint = false) {
    constexpr std::size_t n = basic_density_matrix<Vector>::num_qubits;
    require(q < n, [&] {
        return channel.name() + ": qubit " + std::to_string(q) + " out of range for " + std::to_string(n) + " qubits";
    });
    auto transpose = [&](std::array<double, 4> m) {
        if (adjoint) std::swap(m[1], m[2]);
        return m;
    };
    const auto pop = transpose(channel.populations()), coh = transpose(channel.coherences());
    const std::size_t row = std::size_t{1} << q, col = std::size_t{1} << (q + n), s = Vector::samples;
    auto& v = rho.vectorized();
    const bool real = v.is_real();
    const auto view = v.raw_view(); // real coefficients: a real rho stays real
    detail::for_each_run<Vector>(row | col, [&](std::size_t at, std::size_t run) {
        detail::mix(view.re + at, view.re + at + (row | col) * s, run, pop);
        detail::mix(view.re + at + col * s, view.re + at + row * s, run, coh);
        if (!real) {
            detail::mix(view.im + at, view.im + at + (row | col) * s, run, pop);
            detail::mix(view.im + at + col * s, view.im + at + row * s, run, coh);
        }
    });
}

// rho <- (1 - p) rho + p tr_ab(rho) (x) I/4: Qiskit's depolarizing_error(p, 2) on qubits a and b,
// p in [0, 16/15]. It is self-adjoint.
template <class Vector>
void apply_depolarizing_pair(basic_density_matrix<Vector>& rho, qubit a, qubit b, double p) {
    constexpr std::size_t n = basic_density_matrix<Vector>::num_qubits;
    require(a < n && b < n && a != b, [&] {
        return "depolarizing (2 qubits): qubits " + std::to_string(a) + " and " + std::to_string(b) +
               " must be different and below " + std::to_string(n);
    });
    require(p >= 0 && p <= 16.0 / 15.0,
            [&] { return "depolarizing (2 qubits): parameter " + number(p) + " is outside [0, 16/15]"; });
    using Real = typename Vector::real_type;
    const std::size_t ra = std::size_t{1} << a, rb = std::size_t{1} << b, s = Vector::samples;
    const std::array<std::size_t, 4> diagonal{0, ra | (ra << n), rb | (rb << n), (ra | rb) | ((ra | rb) << n)};
    const std::uint64_t bits = ra | rb | (ra << n) | (rb << n);
    auto& v = rho.vectorized();
    const bool real = v.is_real();
    const auto view = v.raw_view();
    const Real keep = Real(1 - p), share = Real(p / 4);
    auto depolarize = [&](Real* x, std::size_t at, std::size_t run) {
        for (std::size_t i = 0; i < run; ++i) {
            Real trace = 0;
            for (auto d : diagonal) trace += x[at + d * s + i];
            for (std::uint64_t sub = bits;; sub = (sub - 1) & bits) { // every entry of the 4x4 block
                x[at + sub * s + i] *= keep;
                if (sub == 0) break;
            }
            for (auto d : diagonal) x[at + d * s + i] += share * trace;
        }
    };
    detail::for_each_run<Vector>(bits, [&](std::size_t at, std::size_t run) {
        depolarize(view.re, at, run);
        if (!real) depolarize(view.im, at, run);
    });
}

// One step of a noise policy (or its adjoint). A unitary step U acts as U on the row qubits and
// conj(U) on the column qubits.
template <class Vector>
void apply_noise_step(basic_density_matrix<Vector>& rho, const noise_step& step, bool adjoint = false) {
    constexpr qubit n = basic_density_matrix<Vector>::num_qubits;
    require(step.a < n && step.b < n, [&] {
        return "noise step on qubits " + std::to_string(step.a) + " and " + std::to_string(step.b) + " of a " +
               std::to_string(n) + "-qubit state";
    });
    auto& v = rho.vectorized();
    switch (step.what) {
    case noise_step::kind::channel: apply_channel(rho, *step.channel, step.a, adjoint); break;
    case noise_step::kind::depolarizing_pair: apply_depolarizing_pair(rho, step.a, step.b, step.p); break;
    case noise_step::kind::cnot:
        detail::apply_cnot(v, step.a, step.b);
        detail::apply_cnot(v, step.a + n, step.b + n);
        break;
    case noise_step::kind::zz: {
        const double theta = adjoint ? -step.p : step.p;
        detail::apply_zz(v, step.a, step.b, theta);
        detail::apply_zz(v, step.a + n, step.b + n, -theta);
        break;
    }
    case noise_step::kind::conditional_phase: {
        const double phi = adjoint ? -step.p : step.p;
        detail::apply_conditional_phase(v, step.a, step.b, phi);
        detail::apply_conditional_phase(v, step.a + n, step.b + n, -phi);
        break;
    }
    }
}

// <Z_q> for every qubit and sample: [q * samples + l].
template <class Vector>
auto expval_z(const basic_density_matrix<Vector>& rho) {
    using D = basic_density_matrix<Vector>;
    using Real = typename D::real_type;
    std::array<Real, D::num_qubits * D::samples> z{};
    const auto v = rho.vectorized().view();
    for (std::size_t k = 0; k < D::dimension; ++k)
        for (std::size_t l = 0; l < D::samples; ++l) {
            const Real p = v.re[Vector::slot(D::index(k, k), l)];
            for (std::size_t q = 0; q < D::num_qubits; ++q) z[q * D::samples + l] += (k >> q) & 1 ? -p : p;
        }
    return z;
}

// The diagonal of rho, for every sample: [k * samples + l].
template <class Vector>
std::vector<typename Vector::real_type> probabilities(const basic_density_matrix<Vector>& rho) {
    using D = basic_density_matrix<Vector>;
    std::vector<typename Vector::real_type> p(D::dimension * D::samples);
    const auto v = rho.vectorized().view();
    for (std::size_t k = 0; k < D::dimension; ++k)
        for (std::size_t l = 0; l < D::samples; ++l) p[k * D::samples + l] = v.re[Vector::slot(D::index(k, k), l)];
    return p;
}

// tr(P rho) of one sample.
template <class Vector>
typename Vector::real_type expval(const basic_density_matrix<Vector>& rho, const pauli_string& p,
                                  std::size_t sample = 0) {
    using D = basic_density_matrix<Vector>;
    using Real = typename D::real_type;
    p.check_fits<D>();
    Real sum = 0; // tr(P rho) = sum_k phase(k) rho[k, k ^ flip]  (P|k> = phase(k) |k ^ flip>)
    for (std::size_t k = 0; k < D::dimension; ++k)
        sum += (p.phase<Real>(k) * rho.entry(k, k ^ p.flip(), sample)).real();
    return sum;
}

// `shots` outcomes of measuring one sample in the computational basis.
template <class Vector>
std::vector<std::uint64_t> sample(const basic_density_matrix<Vector>& rho, std::size_t shots, rng& gen,
                                  std::size_t lane = 0) {
    using D = basic_density_matrix<Vector>;
    require(lane < D::samples, [&] { return "sample: lane " + std::to_string(lane) + " out of range"; });
    const auto p = probabilities(rho);
    return detail::draw(D::dimension, [&](std::size_t k) { return double(p[k * D::samples + lane]); }, shots, gen);
}

// The adjoint method's start for a density matrix: lambda = the observable itself, as a vector
// (E = <<O|rho>> is linear in rho). Diagonal observables: z_weights and probability_weights.
template <class Cotangent, class Vector>
void seed_adjoint(const Cotangent& cotangent, const basic_density_matrix<Vector>&, basic_density_matrix<Vector>& lam) {
    using D = basic_density_matrix<Vector>;
    auto& v = lam.vectorized();
    cotangent.template check<D>();
    v.set_basis_state(0); // zero off the diagonal; the loop overwrites the diagonal
    const auto out = v.raw_view();
    for (std::size_t k = 0; k < D::dimension; ++k)
        for (std::size_t l = 0; l < D::samples; ++l)
            out.re[Vector::slot(D::index(k, k), l)] = cotangent.template diagonal<D>(k, l);
}

} // namespace qhybrid::quantum
