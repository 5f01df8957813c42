// Must not compile: a two-qubit gate on one qubit.
#include <qhybrid/quantum.hpp>

int main() {
    qhybrid::quantum::circuit<qhybrid::quantum::cz<2, 2>> c;
    (void)c;
    return int(decltype(c)::num_qubits);
}
