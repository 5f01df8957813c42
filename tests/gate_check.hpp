#pragma once
// Applies one gate type to random states and compares every amplitude of every sample with the
// dense reference. Shared by the per-precision gate tests.
#include "reference.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>

#include <boost/hana/for_each.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace q = qhybrid::quantum;

// A random normalized state for every sample (with zero imaginary parts if `real`); returns them
// as double vectors.
template <class State>
std::vector<dense::vec> randomize(State& psi, qhybrid::rng& r, bool real = false) {
    using Real = typename State::real_type;
    std::vector<dense::vec> out;
    for (std::size_t l = 0; l < State::samples; ++l) {
        std::vector<std::complex<Real>> a(State::dimension);
        double norm = 0;
        for (auto& v : a) {
            v = {Real(r.normal()), real ? Real(0) : Real(r.normal())};
            norm += std::norm(std::complex<double>(v));
        }
        dense::vec d(a.size());
        for (std::size_t k = 0; k < a.size(); ++k) {
            a[k] /= Real(std::sqrt(norm));
            d[k] = std::complex<double>(a[k]);
        }
        psi.set_amplitudes(a, l);
        out.push_back(d);
    }
    return out;
}

template <class State, class Real = typename State::real_type>
std::vector<double> lane_inputs(const std::vector<Real>& x, std::size_t lane, std::size_t count) {
    std::vector<double> v(count);
    for (std::size_t i = 0; i < count; ++i) v[i] = x[i * State::samples + lane];
    return v;
}

// Largest |amplitude - expected| over samples after applying Circuit to random states (real ones
// if `real`).
template <class State, class Circuit>
double circuit_error(qhybrid::rng& r, std::size_t repeats = 1, bool real = false) {
    using Real = typename State::real_type;
    State psi;
    const auto start = randomize(psi, r, real);
    q::executor<Circuit> ex;
    std::vector<Real> params(ex.num_params), inputs(ex.num_inputs * State::samples);
    for (auto& p : params) p = Real(r.uniform(-M_PI, M_PI));
    for (auto& x : inputs) x = Real(r.uniform(-M_PI, M_PI));
    for (std::size_t k = 0; k < repeats; ++k) ex.apply(psi, params, inputs);
    if (real && !psi.is_real()) return INFINITY; // a real circuit must keep the state real
    const std::vector<double> pd(params.begin(), params.end());
    double err = 0;
    for (std::size_t l = 0; l < State::samples; ++l) {
        const auto x = lane_inputs<State>(inputs, l, ex.num_inputs);
        const dense::mat u = ref::unitary<Circuit>(State::num_qubits, pd, x);
        dense::vec expected = start[l];
        for (std::size_t k = 0; k < repeats; ++k) expected = u * expected;
        for (std::size_t k = 0; k < State::dimension; ++k)
            err = std::max(err, std::abs(std::complex<double>(psi.amplitude(k, l)) - expected[k]));
    }
    return err;
}

// The gates whose error exceeds tol, with their errors (one Catch assertion per test case keeps
// the hundreds of instantiations cheap to compile). A gate with a real matrix is checked on a
// complex state and on a real one (its real-register kernel).
struct failures {
    double tol;
    std::string list;
    template <class State, class G>
    void check(qhybrid::rng& r) {
        check_on<State, G>(r, false);
        if constexpr (G::real_matrix) check_on<State, G>(r, true);
    }
    template <class State, class G>
    void check_on(qhybrid::rng& r, bool real) {
        const double err = circuit_error<State, q::circuit<G>>(r, 1, real);
        if (!(err <= tol))
            list += std::string(typeid(G).name()) + (real ? " (real state)" : "") + " error " + std::to_string(err) + "\n";
    }
};

template <class State, class Angle, std::size_t... Q>
void check_one_qubit_gates(qhybrid::rng& r, failures& f, std::index_sequence<Q...>) {
    auto each = [&](auto gates) {
        boost::hana::for_each(gates, [&](auto g) { f.check<State, typename decltype(g)::type>(r); });
    };
    (each(boost::hana::tuple_t<q::h<Q>, q::x<Q>, q::y<Q>, q::z<Q>, q::s<Q>, q::t<Q>, q::rx<Q, Angle>,
                               q::ry<Q, Angle>, q::rz<Q, Angle>, q::phase<Q, Angle>>),
     ...);
}

template <class State, class Angle, std::size_t... K>
void check_two_qubit_gates(qhybrid::rng& r, failures& f, std::index_sequence<K...>) {
    constexpr std::size_t n = State::num_qubits;
    auto each = [&]<std::size_t P>(std::integral_constant<std::size_t, P>) {
        constexpr q::qubit a = P / n, b = P % n;
        if constexpr (a != b) {
            boost::hana::for_each(
                boost::hana::tuple_t<q::cnot<a, b>, q::cz<a, b>, q::swap<a, b>, q::rzz<a, b, Angle>,
                                     q::crx<a, b, Angle>, q::cry<a, b, Angle>, q::crz<a, b, Angle>>,
                [&](auto g) { f.check<State, typename decltype(g)::type>(r); });
        }
    };
    (each(std::integral_constant<std::size_t, K>{}), ...);
}

// Every gate at every qubit (pair) of State; angles from a parameter (single states) or from a
// per-sample input (batched states, so that every lane turns by its own angle).
template <class State>
void check_every_gate(double tol) {
    using Angle = std::conditional_t<State::samples == 1, q::param<0>, q::input<0>>;
    qhybrid::rng r(State::num_qubits * 1000 + State::samples);
    failures f{tol, {}};
    check_one_qubit_gates<State, Angle>(r, f, std::make_index_sequence<State::num_qubits>{});
    check_two_qubit_gates<State, Angle>(r, f, std::make_index_sequence<State::num_qubits * State::num_qubits>{});
    INFO(f.list);
    CHECK(f.list.empty());
}
