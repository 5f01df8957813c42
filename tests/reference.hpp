#pragma once
// Test-side meaning of every gate type and angle source, written from the definitions, so that a
// whole circuit type can be turned into a dense unitary for comparison.
#include "dense.hpp"

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <qhybrid/quantum.hpp>

#include <cmath>
#include <span>

namespace ref {

namespace q = qhybrid::quantum;
using q::qubit;

// ---- angles ----
template <class A>
struct angle;
template <std::size_t K>
struct angle<q::param<K>> {
    static double of(std::span<const double> p, std::size_t off, std::span<const double>) { return p[off + K]; }
};
template <std::size_t I, double S>
struct angle<q::input<I, S>> {
    static double of(std::span<const double>, std::size_t, std::span<const double> x) { return S * x[I]; }
};
template <std::size_t I, std::size_t J>
struct angle<q::feature_product<I, J>> {
    static double of(std::span<const double>, std::size_t, std::span<const double> x) {
        return 2 * (M_PI - x[I]) * (M_PI - x[J]);
    }
};
template <double V>
struct angle<q::constant<V>> {
    static double of(std::span<const double>, std::size_t, std::span<const double>) { return V; }
};

template <class A, double S>
struct angle<q::scaled<A, S>> {
    static double of(std::span<const double> p, std::size_t off, std::span<const double> x) {
        return S * angle<A>::of(p, off, x);
    }
};
template <class... As>
struct angle<q::sum<As...>> {
    static double of(std::span<const double> p, std::size_t off, std::span<const double> x) {
        return (angle<As>::of(p, off, x) + ...);
    }
};

// ---- gates ----
template <class G>
struct gate;
template <qubit Q> struct gate<q::h<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::H()}}); } };
template <qubit Q> struct gate<q::x<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::X()}}); } };
template <qubit Q> struct gate<q::y<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::Y()}}); } };
template <qubit Q> struct gate<q::z<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::Z()}}); } };
template <qubit Q> struct gate<q::s<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::S()}}); } };
template <qubit Q> struct gate<q::t<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::T()}}); } };
template <qubit Q, class A> struct gate<q::rx<Q, A>> { static dense::mat of(std::size_t n, double t) { return dense::embed(n, {{Q, dense::RX(t)}}); } };
template <qubit Q, class A> struct gate<q::ry<Q, A>> { static dense::mat of(std::size_t n, double t) { return dense::embed(n, {{Q, dense::RY(t)}}); } };
template <qubit Q, class A> struct gate<q::rz<Q, A>> { static dense::mat of(std::size_t n, double t) { return dense::embed(n, {{Q, dense::RZ(t)}}); } };
template <qubit Q, class A> struct gate<q::phase<Q, A>> { static dense::mat of(std::size_t n, double t) { return dense::embed(n, {{Q, dense::P(t)}}); } };
template <qubit C, qubit T> struct gate<q::cnot<C, T>> { static dense::mat of(std::size_t n, double) { return dense::controlled(n, C, T, dense::X()); } };
template <qubit A, qubit B> struct gate<q::cz<A, B>> { static dense::mat of(std::size_t n, double) { return dense::controlled(n, A, B, dense::Z()); } };
template <qubit A, qubit B> struct gate<q::swap<A, B>> { static dense::mat of(std::size_t n, double) { return dense::swap(n, A, B); } };
template <qubit A, qubit B, class Ang> struct gate<q::rzz<A, B, Ang>> { static dense::mat of(std::size_t n, double t) { return dense::rzz(n, A, B, t); } };
template <qubit C, qubit T, class A> struct gate<q::crx<C, T, A>> { static dense::mat of(std::size_t n, double t) { return dense::controlled(n, C, T, dense::RX(t)); } };
template <qubit C, qubit T, class A> struct gate<q::cry<C, T, A>> { static dense::mat of(std::size_t n, double t) { return dense::controlled(n, C, T, dense::RY(t)); } };
template <qubit C, qubit T, class A> struct gate<q::crz<C, T, A>> { static dense::mat of(std::size_t n, double t) { return dense::controlled(n, C, T, dense::RZ(t)); } };
template <qubit Q> struct gate<q::sdg<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::Sdg()}}); } };
template <qubit Q> struct gate<q::tdg<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::Tdg()}}); } };
template <qubit Q> struct gate<q::sx<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::SX()}}); } };
template <qubit Q> struct gate<q::sxdg<Q>> { static dense::mat of(std::size_t n, double) { return dense::embed(n, {{Q, dense::SXdg()}}); } };
template <qubit C, qubit T, class A> struct gate<q::cp<C, T, A>> { static dense::mat of(std::size_t n, double t) { return dense::controlled(n, C, T, dense::P(t)); } };
template <std::uint64_t M> struct gate<q::barrier<M>> { static dense::mat of(std::size_t n, double) { return dense::identity(std::size_t{1} << n); } };

template <class G>
double angle_of(std::span<const double> p, std::size_t off, std::span<const double> x) {
    if constexpr (q::has_angle<typename G::angle>)
        return angle<typename G::angle>::of(p, off, x);
    else
        return 0;
}

// Composite gates, from Qiskit's matrices (never from their decompositions).
template <class G>
struct composite;
template <qubit Q, class Th, class Ph, class La>
struct composite<q::u3<Q, Th, Ph, La>> {
    static dense::mat of(std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        return dense::embed(n, {{Q, dense::U3(angle<Th>::of(p, off, x), angle<Ph>::of(p, off, x), angle<La>::of(p, off, x))}});
    }
};
template <qubit C, qubit T, class Th, class Ph, class La>
struct composite<q::cu3<C, T, Th, Ph, La>> {
    static dense::mat of(std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        return dense::controlled(n, C, T, dense::U3(angle<Th>::of(p, off, x), angle<Ph>::of(p, off, x), angle<La>::of(p, off, x)));
    }
};
template <qubit A, qubit B>
struct composite<q::iswap<A, B>> {
    static dense::mat of(std::size_t n, std::span<const double>, std::size_t, std::span<const double>) { return dense::iswap(n, A, B); }
};
template <qubit A, qubit B, class Ang>
struct composite<q::rxx<A, B, Ang>> {
    static dense::mat of(std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        return dense::pauli_rotation(n, A, B, dense::X(), angle<Ang>::of(p, off, x));
    }
};
template <qubit A, qubit B, class Ang>
struct composite<q::ryy<A, B, Ang>> {
    static dense::mat of(std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        return dense::pauli_rotation(n, A, B, dense::Y(), angle<Ang>::of(p, off, x));
    }
};
template <qubit A, qubit B>
struct composite<q::ecr<A, B>> {
    static dense::mat of(std::size_t n, std::span<const double>, std::size_t, std::span<const double>) { return dense::ecr(n, A, B); }
};
template <qubit C1, qubit C2, qubit T>
struct composite<q::ccx<C1, C2, T>> {
    static dense::mat of(std::size_t n, std::span<const double>, std::size_t, std::span<const double>) { return dense::ccx(n, C1, C2, T); }
};

template <class G>
dense::mat matrix_of(std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
    if constexpr (q::composite_gate<G>) return composite<G>::of(n, p, off, x);
    else return gate<G>::of(n, angle_of<G>(p, off, x));
}

// The circuit as written (its composites whole, not expanded as the library runs them).
template <class C>
struct walk;
template <class... Gs>
struct walk<q::circuit<Gs...>> {
    static void apply(dense::mat& u, std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        boost::hana::for_each(boost::hana::tuple_t<Gs...>, [&](auto g) { u = matrix_of<typename decltype(g)::type>(n, p, off, x) * u; });
    }
};
template <std::size_t R, class C>
struct walk<q::repeat<R, C>> {
    static void apply(dense::mat& u, std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        for (std::size_t r = 0; r < R; ++r) walk<C>::apply(u, n, p, off + r * C::num_params, x);
    }
};
template <class... Cs>
struct walk<q::compose<Cs...>> {
    static void apply(dense::mat& u, std::size_t n, std::span<const double> p, std::size_t off, std::span<const double> x) {
        boost::hana::for_each(boost::hana::tuple_t<Cs...>, [&](auto c) {
            using C = typename decltype(c)::type;
            walk<C>::apply(u, n, p, off, x);
            off += C::num_params;
        });
    }
};

// The dense unitary of a circuit type for given parameters and inputs.
template <class Circuit>
dense::mat unitary(std::size_t n, std::span<const double> p, std::span<const double> x) {
    dense::mat u = dense::identity(std::size_t{1} << n);
    walk<Circuit>::apply(u, n, p, 0, x);
    return u;
}

} // namespace ref
