// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compile-time lists of types, for circuits and the fusion planner.
#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstddef>

namespace qhybrid::quantum::detail {

// Type I of a pack, in constant depth (Hana's at_c; a recursive lookup would nest as deep as the
// pack, and circuits hold hundreds of gates).
template <std::size_t I, class... Ts>
using nth_type = typename decltype(+boost::hana::at_c<I>(boost::hana::tuple_t<Ts...>))::type;

} // namespace qhybrid::quantum::detail
