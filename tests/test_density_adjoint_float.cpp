// The noiseless adjoint method on the density matrix equals the statevector's, in single precision.
#include "density_check.hpp"

TEST_CASE("noiseless density-matrix adjoint equals the statevector adjoint (float, batched)") {
    check_adjoint_matches_statevector<float, every_gate>(2e-5);
}
