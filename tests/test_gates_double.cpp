// Every gate at every position, double precision, against the dense reference (1e-12): single
// states (test_gates_double_batched.cpp has the batched one; one file each keeps either under
// 2 minutes of compile time in the sanitizer build).
#include "gate_check.hpp"

TEST_CASE("every gate at every position: statevector<6, double>") {
    check_every_gate<q::statevector<6, double>>(1e-12);
}
TEST_CASE("every gate at every position: statevector<2, double> (smaller than a register)") {
    check_every_gate<q::statevector<2, double>>(1e-12);
}
