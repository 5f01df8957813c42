// examples/snippets/quantum_gradients.cpp: a QNN on a minibatch, and its gradients by the adjoint method
#include <qhybrid/qhybrid.hpp>

#include <cstdio>
#include <vector>

namespace q = qhybrid::quantum;

int main() {
    // RY encoding of 8 inputs, then Qiskit's RealAmplitudes(8, reps=3): all sizes known at compile time.
    using qnn = q::compose<q::angle_encoding<8>, q::real_amplitudes<8, 3>>;
    using state = q::batched_statevector<8>;          // one sample per SIMD lane (8 with AVX-512)
    q::executor<qnn> ex;
    std::vector<double> params(qnn::num_params, 0.1), inputs(8 * state::samples, 0.5); // inputs[i * samples + lane]
    state psi, lambda;
    ex.run(psi, params, inputs);
    const auto z = q::expval_z(psi);                   // <Z_q> of every qubit and lane
    std::vector<double> dl_dz(z.size(), 1.0), dparams(params.size()), dinputs(inputs.size());
    ex.vjp(psi, lambda, q::z_weights<double>{dl_dz},   // dL/dparams and dL/dinputs, with L = sum of the <Z>
           params, inputs, dparams, dinputs);
    std::printf("<Z_0> = %.6f, dL/dtheta_0 = %.6f, dL/dx_0 = %.6f\n", z[0], dparams[0], dinputs[0]);
}
