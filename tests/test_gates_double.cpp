// Every two-qubit gate at every pair of positions, double precision, against the dense reference
// (1e-12): single states. The batched state, single precision and the one-qubit gates have files
// of their own: one each keeps every file under 2 minutes of compile time.
#include "gate_check.hpp"

TEST_CASE("every two-qubit gate at every position: statevector<6, double>") {
    check_two_qubit_gates<q::statevector<6, double>>(1e-12);
}
TEST_CASE("every two-qubit gate at every position: statevector<2, double> (smaller than a register)") {
    check_two_qubit_gates<q::statevector<2, double>>(1e-12);
}
