// Every gate at every position, single precision, against the dense reference (1e-5): single
// states (test_gates_float_batched.cpp has the batched one; one file each keeps either under
// 2 minutes of compile time in the sanitizer build).
#include "gate_check.hpp"

TEST_CASE("every gate at every position: statevector<6, float>") {
    check_every_gate<q::statevector<6, float>>(1e-5);
}
TEST_CASE("every gate at every position: statevector<3, float> (smaller than a register)") {
    check_every_gate<q::statevector<3, float>>(1e-5);
}
