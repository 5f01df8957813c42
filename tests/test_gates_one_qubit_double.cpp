// Every one-qubit gate at every position, double precision, against the dense reference (1e-12):
// single and batched states.
#include "gate_check.hpp"

TEST_CASE("every one-qubit gate at every position: statevector<6, double> and statevector<2, double>") {
    check_one_qubit_gates<q::statevector<6, double>>(1e-12);
    check_one_qubit_gates<q::statevector<2, double>>(1e-12);
}
TEST_CASE("every one-qubit gate at every position: batched_statevector<6, double>") {
    check_one_qubit_gates<q::batched_statevector<6, double>>(1e-12);
}
