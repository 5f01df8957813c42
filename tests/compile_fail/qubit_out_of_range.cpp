// Must not compile: a circuit that uses qubit 3 run on a 3-qubit state. The ctest that builds it
// passes when the compiler reports the library's static_assert message.
#include <qhybrid/quantum.hpp>

#include <vector>

int main() {
    namespace q = qhybrid::quantum;
    q::executor<q::circuit<q::h<0>, q::cnot<0, 3>>> ex;
    q::statevector<3> psi;
    ex.run(psi, std::vector<double>{});
}
