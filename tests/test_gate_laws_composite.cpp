// The gate laws (gate_laws.hpp) for every composite gate of all_gates.hpp (their decompositions
// against Qiskit's matrices in the dense reference), and each composite's device cost as the sum
// of its parts' declarations.
#include "gate_laws.hpp"

namespace ag = all_gates;

TEST_CASE("gate laws: composite gates") {
    laws::check_laws(ag::composite<0, 1, 2, q::param<0>, q::param<1>, q::param<2>>{});
    laws::check_laws(ag::composite<2, 0, 1, q::input<0>, q::input<2, -0.5>, q::param<0>>{});
}

template <class... Gs>
constexpr bool natives_as_listed(q::gate_sequence<Gs...>) {
    std::size_t k = 0;
    return ((q::natives_of<Gs>() == ag::composite_natives[k++]) && ...);
}

TEST_CASE("gate laws: a composite costs its parts' natives") {
    STATIC_REQUIRE(natives_as_listed(ag::composite<0, 1, 2, q::param<0>, q::param<1>, q::param<2>>{}));
}
