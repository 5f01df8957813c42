// What the test_density*.cpp files share: the circuits, random states and the
// comparisons of a density matrix with a dense matrix or a pure state.
#pragma once
// First, as a user's own intrinsics or Eigen may come: qhybrid's AVX-512 code must compile without
// warnings whichever header brought <immintrin.h> (g++ 12 judges its warnings there by that).
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include "dense.hpp"
#include "random_circuit.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/quantum.hpp>

#include <cmath>
#include <complex>
#include <vector>

namespace q = qhybrid::quantum;
using cplx = std::complex<double>;

inline constexpr std::size_t n = 4;
using every_gate = q::compose<q::zz_feature_map<n, 1, q::entanglement::linear>, randomized::circuit<n, 60, 31>,
                              q::real_amplitudes<n, 1, q::entanglement::circular>>;
using real_gates = q::compose<q::angle_encoding<n, q::axis::y>, randomized::real_circuit<n, 40, 32>>;

inline std::vector<double> uniform(qhybrid::rng& r, std::size_t size, double lo, double hi) {
    std::vector<double> v(size);
    for (auto& a : v) a = r.uniform(lo, hi);
    return v;
}

template <class D>
Eigen::MatrixXcd to_eigen(const D& rho, std::size_t sample = 0) {
    Eigen::MatrixXcd m(D::dimension, D::dimension);
    for (std::size_t r = 0; r < D::dimension; ++r)
        for (std::size_t c = 0; c < D::dimension; ++c) m(r, c) = cplx(rho.entry(r, c, sample));
    return m;
}

// Hermitian, trace 1, eigenvalues >= -tol.
inline void check_state(const Eigen::MatrixXcd& m, double tol) {
    CHECK((m - m.adjoint()).cwiseAbs().maxCoeff() <= tol);
    CHECK(std::abs(m.trace() - cplx(1)) <= tol);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(m);
    CHECK(eig.eigenvalues().minCoeff() >= -tol);
}

// A random mixed state: a mixture of 3 random pure states.
template <std::size_t N>
dense::mat random_mixed_state(qhybrid::rng& r) {
    const std::size_t d = std::size_t{1} << N;
    dense::mat rho(d);
    double total = 0;
    for (int k = 0; k < 3; ++k) {
        dense::vec psi(d);
        double norm = 0;
        for (auto& a : psi) a = cplx(r.normal(), r.normal()), norm += std::norm(a);
        const double w = r.uniform(0.1, 1);
        total += w;
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) rho(i, j) += w * psi[i] * std::conj(psi[j]) / norm;
    }
    return (1 / total) * rho;
}

template <class D>
void load(D& rho, const dense::mat& m) {
    std::vector<std::complex<typename D::real_type>> v(D::dimension * D::dimension);
    for (std::size_t r = 0; r < D::dimension; ++r)
        for (std::size_t c = 0; c < D::dimension; ++c) v[D::index(r, c)] = m(r, c);
    rho.vectorized().set_amplitudes(v);
}

template <class D>
double max_diff(const D& rho, const dense::mat& m) {
    double e = 0;
    for (std::size_t r = 0; r < D::dimension; ++r)
        for (std::size_t c = 0; c < D::dimension; ++c) e = std::max(e, std::abs(cplx(rho.entry(r, c)) - m(r, c)));
    return e;
}

// Largest |rho - |psi><psi|| over the entries of one sample of rho.
template <class D, class S>
double max_diff_pure(const D& rho, const S& psi, std::size_t sample = 0) {
    double e = 0;
    for (std::size_t r = 0; r < D::dimension; ++r)
        for (std::size_t c = 0; c < D::dimension; ++c)
            e = std::max(e, double(std::abs(rho.entry(r, c, sample) - psi.amplitude(r) * std::conj(psi.amplitude(c)))));
    return e;
}

// The adjoint step of a density matrix un-applies a gate's row and column halves, and takes its
// generator terms, in one sweep where the gate's qubits are held in registers (every qubit of a
// batch, the high ones of a single state), in two elsewhere; RY runs on real registers while rho
// and lambda are real. Every path against the statevector's adjoint method.
template <class Real, class C>
void check_adjoint_matches_statevector(double tol) {
    const q::executor<C> ex;
    qhybrid::rng r(43);
    const auto params = uniform(r, C::num_params, -M_PI, M_PI);
    auto run = [&]<class D, class S>(D rho, S psi) {
        constexpr std::size_t w = D::samples;
        const auto inputs = uniform(r, C::num_inputs * w, 0, M_PI);
        const auto zw = uniform(r, n * w, -1, 1);
        const std::vector<Real> p(params.begin(), params.end()), x(inputs.begin(), inputs.end()), z(zw.begin(), zw.end());
        std::vector<Real> dp(C::num_params), dx(x.size()), sp(C::num_params), sx(x.size());
        D lam;
        S lpsi;
        ex.vjp(rho, lam, q::z_weights<Real>{z}, p, x, dp, dx);
        ex.vjp(psi, lpsi, q::z_weights<Real>{z}, p, x, sp, sx);
        double err = 0, largest = 0;
        for (std::size_t k = 0; k < dp.size(); ++k) err = std::max(err, double(std::abs(dp[k] - sp[k])));
        for (std::size_t k = 0; k < dx.size(); ++k) err = std::max(err, double(std::abs(dx[k] - sx[k])));
        for (std::size_t k = 0; k < dx.size(); ++k) largest = std::max(largest, double(std::abs(sx[k])));
        CHECK(err <= tol);
        CHECK(largest > 0.1);
        CHECK(rho.is_real() == std::is_same_v<C, real_gates>);
    };
    run(q::density_matrix<n, Real>{}, q::statevector<n, Real>{});
    run(q::batched_density_matrix<n, Real>{}, q::batched_statevector<n, Real>{});
}
