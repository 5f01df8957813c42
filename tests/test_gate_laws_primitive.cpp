// The gate laws (gate_laws.hpp) for every primitive gate of all_gates.hpp, on qubits held in SIMD
// lanes and in registers, with angles from parameters and from scaled inputs.
#include "gate_laws.hpp"

namespace ag = all_gates;

TEST_CASE("gate laws: one-qubit primitives") {
    laws::check_laws(ag::one_qubit<0, q::param<0>>{});
    laws::check_laws(ag::one_qubit<2, q::input<1, -1.5>>{});
}

TEST_CASE("gate laws: two-qubit primitives") {
    laws::check_laws(ag::two_qubit<0, 2, q::param<0>>{});
    laws::check_laws(ag::two_qubit<2, 1, q::input<0, 0.5>>{});
}
