// Must not compile: a gate that does not declare the native gates it costs on a device. The
// compiler names the gate and says what it misses.
#include <qhybrid/quantum.hpp>

namespace q = qhybrid::quantum;

// H's members, but no `natives`.
struct unpriced_gate : q::matrix_gate_base<0, 0, q::no_angle, true> {
    static constexpr q::qasm_spelling qasm{"h", "h"};
    template <class T>
    static q::mat2<T> matrix(const T& c, const T& s) { return q::h<0>::matrix(c, s); }
};

int main() {
    return int(q::circuit<unpriced_gate>::num_qubits);
}
