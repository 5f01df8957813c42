// Prepares a Bell state with qhybrid and exits 0 when <Z0 Z1> = 1 and <Z0> = 0, parallel_chunks
// covers 100 items on two threads (the package links Threads::Threads), and the headers' version
// is the CMake package's.
#include <qhybrid/qhybrid.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <vector>

int main() {
    namespace q = qhybrid::quantum;
    q::executor<q::circuit<q::h<0>, q::cnot<0, 1>>> bell;
    q::statevector<2> psi;
    bell.run(psi, std::vector<double>{});
    const double zz = q::expval(psi, q::pauli_string("ZZ"));
    const double z0 = q::expval_z(psi)[0];
    qhybrid::set_threads(2);
    std::atomic<std::size_t> items = 0;
    qhybrid::parallel_chunks(100, [&](std::size_t, std::size_t begin, std::size_t end) { items += end - begin; });
    std::printf("qhybrid %s (package %s): <ZZ> = %.15f, <Z0> = %.15f, %zu items on %zu threads\n", QHYBRID_VERSION,
                EXPECTED_VERSION, zz, z0, items.load(), qhybrid::threads());
    return std::abs(zz - 1) < 1e-12 && std::abs(z0) < 1e-12 && items == 100 &&
                   std::strcmp(QHYBRID_VERSION, EXPECTED_VERSION) == 0
               ? 0
               : 1;
}
