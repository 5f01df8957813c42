// Must not compile: an executor whose noise policy has no after_gate.
#include <qhybrid/quantum.hpp>

namespace q = qhybrid::quantum;

struct silent {
    static constexpr bool is_noiseless = true;
};

int main() {
    q::executor<q::circuit<q::h<0>>, silent> ex;
    (void)ex;
}
