#pragma once
// The laws every gate obeys (as Boost.Hana's concept laws): check_gate_laws<G> runs all of them
// on a 3-qubit state, so that a new gate in all_gates.hpp that breaks one fails a test.
// - matrix: the library's unitary (its columns, run from basis states) is unitary and equals the
//   dense reference's Qiskit definition, single and batched;
// - generator: each angled primitive's matrix derivative (central differences of G::matrix) is
//   -i G U for its declared generator G, for the gate and for its column half on a density
//   matrix (conjugated), and its shift_terms fits the generator's spectrum;
// - gradient: the adjoint method equals the parameter-shift rule and central finite differences,
//   with angles from parameters and inputs, from a complex entangled start;
// - density: the density matrix's result is |psi><psi| of the statevector's;
// - natives: the gate expands to primitive gates that declare natives, whose total is expected.
#include "all_gates.hpp"
#include "gate_check.hpp"

#include <qhybrid/quantum/conjugated.hpp>

#include <boost/core/demangle.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

namespace laws {

namespace q = qhybrid::quantum;
using cplx = std::complex<double>;
constexpr std::size_t n = 3;

// Leaves |000> complex and entangled; it has no parameters, so the gate's come first.
using prep = q::circuit<q::h<0>, q::ry<1, q::constant<0.7>>, q::cnot<0, 2>, q::s<2>, q::rx<2, q::constant<-1.1>>,
                        q::cnot<1, 0>, q::t<1>, q::rz<0, q::constant<0.4>>, q::h<2>>;

template <class G>
using after_prep = q::compose<prep, q::circuit<G>>;

// The library's unitary of C, column by column from basis states.
template <class C>
dense::mat library_unitary(const std::vector<double>& p, const std::vector<double>& x) {
    dense::mat u(std::size_t{1} << n);
    q::executor<C> ex;
    for (std::size_t k = 0; k < u.n; ++k) {
        q::statevector<n> psi;
        psi.set_basis_state(k);
        ex.apply(psi, p, x);
        for (std::size_t r = 0; r < u.n; ++r) u(r, k) = psi.amplitude(r);
    }
    return u;
}

inline double largest(const dense::mat& a) {
    double m = 0;
    for (const auto& v : a.a) m = std::max(m, std::abs(v));
    return m;
}
inline dense::mat adjoint(const dense::mat& a) {
    dense::mat t(a.n);
    for (std::size_t r = 0; r < a.n; ++r)
        for (std::size_t c = 0; c < a.n; ++c) t(r, c) = std::conj(a(c, r));
    return t;
}

template <class C>
std::pair<std::vector<double>, std::vector<double>> random_values(std::uint64_t seed) {
    qhybrid::rng r(seed);
    std::vector<double> p(C::num_params), x(C::num_inputs);
    for (auto& v : p) v = r.uniform(-M_PI, M_PI);
    for (auto& v : x) v = r.uniform(-M_PI, M_PI);
    return {p, x};
}

// Law: matrix.
template <class G>
void matrix_law(std::string& broken) {
    using C = q::circuit<G>;
    const auto [p, x] = random_values<C>(7);
    const dense::mat u = library_unitary<C>(p, x);
    if (largest(adjoint(u) * u + (-1.0) * dense::identity(u.n)) > 1e-13) broken += "not unitary; ";
    if (largest(u + (-1.0) * ref::unitary<C>(n, p, x)) > 1e-13) broken += "differs from the reference; ";
    qhybrid::rng r(11);
    if (!(circuit_error<q::batched_statevector<n>, C>(r) <= 1e-13)) broken += "batched differs from the reference; ";
}

// Law: generator, for an angled primitive P (and its column half).
template <class P>
void generator_law(std::string& broken, const std::string& what) {
    const double theta = 0.83, h = 1e-5;
    const auto m = [](double t) { return P::template matrix<double>(std::cos(t / 2), std::sin(t / 2)); };
    const auto plus = m(theta + h), minus = m(theta - h), at = m(theta);
    const auto g = P::generator;
    double err = 0;
    std::vector<double> spectrum;
    if constexpr (q::matrix_gate<P>) {
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c) {
                const cplx derivative = (cplx(plus.re[2 * r + c], plus.im[2 * r + c]) - cplx(minus.re[2 * r + c], minus.im[2 * r + c])) / (2 * h);
                cplx gu = 0;
                for (int k = 0; k < 2; ++k) gu += cplx(g.re[2 * r + k], g.im[2 * r + k]) * cplx(at.re[2 * k + c], at.im[2 * k + c]);
                err = std::max(err, std::abs(derivative - cplx(0, -1) * gu));
            }
        // A Hermitian 2x2 [[a, b], [conj(b), d]]: eigenvalues (a + d)/2 +- sqrt(((a - d)/2)^2 + |b|^2).
        const double mid = (g.re[0] + g.re[3]) / 2, half = std::hypot((g.re[0] - g.re[3]) / 2, std::abs(cplx(g.re[1], g.im[1])));
        spectrum = {mid - half, mid + half};
        if (P::controls != 0) spectrum.push_back(0); // the generator is 0 where a control is 0
    } else {
        const int entries = P::arity == 2 ? 4 : 2;
        for (int k = 0; k < entries; ++k) {
            const cplx derivative = (cplx(plus.re[k], plus.im[k]) - cplx(minus.re[k], minus.im[k])) / (2 * h);
            err = std::max(err, std::abs(derivative - cplx(0, -1) * g[k] * cplx(at.re[k], at.im[k])));
            spectrum.push_back(g[k]);
        }
    }
    if (err > 1e-9) broken += what + ": derivative is not -i G U (" + std::to_string(err) + "); ";
    // The two-term shift rule needs every gap between eigenvalues to be 1; four terms allow 1/2.
    std::set<double> gaps;
    for (double a : spectrum)
        for (double b : spectrum)
            if (a > b) gaps.insert(a - b);
    const bool two = std::all_of(gaps.begin(), gaps.end(), [](double d) { return std::abs(d - 1) < 1e-12; });
    const bool four = std::all_of(gaps.begin(), gaps.end(), [](double d) { return std::abs(d - 1) < 1e-12 || std::abs(d - 0.5) < 1e-12; });
    if (P::shift_terms != (two ? 2 : four ? 4 : -1)) broken += what + ": shift_terms does not fit the generator; ";
}

// Law: gradients of sum_q w_q <Z_q> after the preparation.
template <class G>
void gradient_law(std::string& broken) {
    using C = after_prep<G>;
    using state = q::statevector<n>;
    const auto [p, x] = random_values<C>(5);
    const std::vector<double> w{0.7, -0.4, 1.1};
    const auto f = [&](const state& psi) {
        const auto z = q::expval_z(psi);
        return w[0] * z[0] + w[1] * z[1] + w[2] * z[2];
    };
    const auto value = [&](const std::vector<double>& pv, const std::vector<double>& xv) {
        state psi;
        q::executor<C>().run(psi, pv, xv);
        return f(psi);
    };
    std::vector<double> ad_p(p.size()), ad_x(x.size()), ps_p(p.size()), ps_x(x.size());
    state psi, lambda;
    q::executor<C>().vjp(psi, lambda, q::z_weights<double>{w}, p, x, ad_p, ad_x);
    q::executor<C>().template parameter_shift<state>(f, p, x, ps_p, ps_x);
    double to_shift = 0, to_fd = 0;
    const double h = 1e-6;
    for (std::size_t k = 0; k < p.size(); ++k) {
        auto a = p, b = p;
        a[k] += h, b[k] -= h;
        to_fd = std::max(to_fd, std::abs(ad_p[k] - (value(a, x) - value(b, x)) / (2 * h)));
        to_shift = std::max(to_shift, std::abs(ad_p[k] - ps_p[k]));
    }
    for (std::size_t k = 0; k < x.size(); ++k) {
        auto a = x, b = x;
        a[k] += h, b[k] -= h;
        to_fd = std::max(to_fd, std::abs(ad_x[k] - (value(p, a) - value(p, b)) / (2 * h)));
        to_shift = std::max(to_shift, std::abs(ad_x[k] - ps_x[k]));
    }
    if (to_shift > 1e-11) broken += "adjoint differs from the shift rule by " + std::to_string(to_shift) + "; ";
    if (to_fd > 1e-8) broken += "adjoint differs from finite differences by " + std::to_string(to_fd) + "; ";
}

// Law: density.
template <class G>
void density_law(std::string& broken) {
    using C = after_prep<G>;
    const auto [p, x] = random_values<C>(3);
    q::statevector<n> psi;
    q::density_matrix<n> rho;
    q::executor<C> ex;
    ex.run(psi, p, x);
    ex.run(rho, p, x);
    double err = 0;
    for (std::size_t r = 0; r < (std::size_t{1} << n); ++r)
        for (std::size_t c = 0; c < (std::size_t{1} << n); ++c)
            err = std::max(err, std::abs(std::complex<double>(rho.entry(r, c)) -
                                         std::complex<double>(psi.amplitude(r)) * std::conj(std::complex<double>(psi.amplitude(c)))));
    if (err > 1e-13) broken += "density matrix differs from |psi><psi| by " + std::to_string(err) + "; ";
}

template <class... Ps>
constexpr bool all_primitive(q::gate_sequence<Ps...>) {
    return (q::primitive_gate<Ps> && ...);
}

// Every law for gate G; the broken ones, named.
template <class G>
std::string broken_laws() {
    static_assert(all_primitive(q::primitives_of<G>{}), "every part of a gate is a primitive that declares natives");
    std::string broken;
    matrix_law<G>(broken);
    [&]<class... Ps>(q::gate_sequence<Ps...>) {
        ([&] {
            if constexpr (q::has_angle<typename Ps::angle>) {
                generator_law<Ps>(broken, "generator");
                generator_law<q::conjugated<Ps, n>>(broken, "column half's generator");
            }
        }(), ...);
    }(q::primitives_of<G>{});
    gradient_law<G>(broken);
    density_law<G>(broken);
    return broken;
}

// The laws for every gate of a gate_sequence, one Catch assertion per gate.
template <class... Gs>
void check_laws(q::gate_sequence<Gs...>) {
    ([] {
        const std::string broken = broken_laws<Gs>();
        INFO(boost::core::demangle(typeid(Gs).name()) << ": " << broken);
        CHECK(broken.empty());
    }(), ...);
}

} // namespace laws
