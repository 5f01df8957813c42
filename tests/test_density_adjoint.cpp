// The noiseless adjoint method on the density matrix equals the statevector's, in double precision
// (test_density_adjoint_float.cpp: in single; one file each keeps either under 2 minutes of
// compile time in the sanitizer build).
#include "density_check.hpp"

TEST_CASE("noiseless density-matrix adjoint equals the statevector adjoint (double, batched, real)") {
    check_adjoint_matches_statevector<double, every_gate>(1e-13);
    check_adjoint_matches_statevector<double, real_gates>(1e-13);
}
