// Every gate at every position, single precision, against the dense reference (1e-5): the
// batched state (test_gates_float.cpp has the single ones).
#include "gate_check.hpp"

TEST_CASE("every gate at every position: batched_statevector<5, float>") {
    check_every_gate<q::batched_statevector<5, float>>(1e-5);
}
