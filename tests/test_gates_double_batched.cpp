// Every two-qubit gate at every pair of positions, double precision, against the dense reference
// (1e-12): the batched state (test_gates_double.cpp has the single ones).
#include "gate_check.hpp"

TEST_CASE("every two-qubit gate at every position: batched_statevector<6, double>") {
    check_two_qubit_gates<q::batched_statevector<6, double>>(1e-12);
}
