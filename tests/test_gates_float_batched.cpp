// Every two-qubit gate at every pair of positions, single precision, against the dense reference
// (1e-5): the batched state (test_gates_float.cpp has the single ones).
#include "gate_check.hpp"

TEST_CASE("every two-qubit gate at every position: batched_statevector<5, float>") {
    check_two_qubit_gates<q::batched_statevector<5, float>>(1e-5);
}
