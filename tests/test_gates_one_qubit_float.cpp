// Every one-qubit gate at every position, single precision, against the dense reference (1e-5):
// single and batched states.
#include "gate_check.hpp"

TEST_CASE("every one-qubit gate at every position: statevector<6, float> and statevector<3, float>") {
    check_one_qubit_gates<q::statevector<6, float>>(1e-5);
    check_one_qubit_gates<q::statevector<3, float>>(1e-5);
}
TEST_CASE("every one-qubit gate at every position: batched_statevector<5, float>") {
    check_one_qubit_gates<q::batched_statevector<5, float>>(1e-5);
}
