// Every two-qubit gate at every pair of positions, single precision, against the dense reference
// (1e-5): single states (test_gates_float_batched.cpp has the batched one).
#include "gate_check.hpp"

TEST_CASE("every two-qubit gate at every position: statevector<6, float>") {
    check_two_qubit_gates<q::statevector<6, float>>(1e-5);
}
TEST_CASE("every two-qubit gate at every position: statevector<3, float> (smaller than a register)") {
    check_two_qubit_gates<q::statevector<3, float>>(1e-5);
}
