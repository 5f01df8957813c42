#pragma once
// Applies one gate type to random states and compares every amplitude of every sample with the
// dense reference: every gate of all_gates.hpp at every position. Shared by the gate tests.
#include "all_gates.hpp"
#include "reference.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>

#include <boost/core/demangle.hpp>
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
            list += boost::core::demangle(typeid(G).name()) + (real ? " (real state)" : "") + " error " + std::to_string(err) + "\n";
    }
};

template <class State, class... Gs>
void check_gates(qhybrid::rng& r, failures& f, q::gate_sequence<Gs...>) {
    (f.check<State, Gs>(r), ...);
}

// Angles from a parameter (single states) or from a per-sample input (batched states, so that
// every lane turns by its own angle).
template <class State>
using angle_for = std::conditional_t<State::samples == 1, q::param<0>, q::input<0>>;

inline void report(const failures& f) {
    INFO(f.list);
    CHECK(f.list.empty());
}

// Every one-qubit gate of all_gates.hpp on every qubit of State.
template <class State>
void check_one_qubit_gates(double tol) {
    qhybrid::rng r(State::num_qubits * 1000 + State::samples);
    failures f{tol, {}};
    [&]<std::size_t... Q>(std::index_sequence<Q...>) {
        (check_gates<State>(r, f, all_gates::one_qubit<Q, angle_for<State>>{}), ...);
    }(std::make_index_sequence<State::num_qubits>{});
    report(f);
}

// Every two-qubit gate of all_gates.hpp on every ordered pair of qubits of State.
template <class State>
void check_two_qubit_gates(double tol) {
    constexpr std::size_t n = State::num_qubits;
    qhybrid::rng r(State::num_qubits * 1000 + State::samples + 1);
    failures f{tol, {}};
    [&]<std::size_t... P>(std::index_sequence<P...>) {
        ([&] {
            constexpr q::qubit a = P / n, b = P % n;
            if constexpr (a != b) check_gates<State>(r, f, all_gates::two_qubit<a, b, angle_for<State>>{});
        }(), ...);
    }(std::make_index_sequence<n * n>{});
    report(f);
}
