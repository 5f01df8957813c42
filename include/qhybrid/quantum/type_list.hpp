// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compile-time lists of types, for circuits, composite gates and the fusion planner.
#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstddef>

namespace qhybrid::quantum {

// Gates in circuit order: a composite gate's decomposition (gate_contract.hpp), or the primitives
// a circuit runs.
template <class... Gates>
struct gate_sequence {
    static constexpr std::size_t size = sizeof...(Gates);
};

namespace detail {

// Type I of a pack, in constant depth (Hana's at_c; a recursive lookup would nest as deep as the
// pack, and circuits hold hundreds of gates).
template <std::size_t I, class... Ts>
using nth_type = typename decltype(+boost::hana::at_c<I>(boost::hana::tuple_t<Ts...>))::type;

template <class T>
inline constexpr bool is_gate_sequence = false;
template <class... Gs>
inline constexpr bool is_gate_sequence<gate_sequence<Gs...>> = true;

// The sequences' gates end to end; four at a time, so that a circuit of n composites nests n/4
// deep.
template <class... Sequences>
struct join;
template <>
struct join<> {
    using type = gate_sequence<>;
};
template <class... A>
struct join<gate_sequence<A...>> {
    using type = gate_sequence<A...>;
};
template <class... A, class... B>
struct join<gate_sequence<A...>, gate_sequence<B...>> {
    using type = gate_sequence<A..., B...>;
};
template <class... A, class... B, class... C>
struct join<gate_sequence<A...>, gate_sequence<B...>, gate_sequence<C...>> {
    using type = gate_sequence<A..., B..., C...>;
};
template <class... A, class... B, class... C, class... D, class... Rest>
struct join<gate_sequence<A...>, gate_sequence<B...>, gate_sequence<C...>, gate_sequence<D...>, Rest...>
    : join<gate_sequence<A..., B..., C..., D...>, Rest...> {};
template <class... Sequences>
using join_t = typename join<Sequences...>::type;

} // namespace detail

} // namespace qhybrid::quantum
