// examples/snippets/noisy_device.cpp: the same circuits with noise, on density matrices and a real device
#include <qhybrid/qhybrid.hpp>
#include <qhybrid/quantum/device_noise.hpp>   // real devices: not in the umbrella (JSON parser)

#include <cstdio>
#include <vector>

namespace q = qhybrid::quantum;

int main(int argc, char** argv) {
    using module = q::compose<q::angle_encoding<4>, q::real_amplitudes<4, 1, q::entanglement::full>,
                              q::circuit<q::barrier<0b1111>>>;
    using state = q::batched_density_matrix<4>;   // rho stored as an 8-qubit vector
    std::vector<double> params(module::num_params, 0.3), inputs(4 * state::samples, 0.7);
    std::vector<double> dl_dz(4 * state::samples, 1.0), dparams(params.size()), dinputs(inputs.size());
    q::executor<module, q::mixed> noisy(q::mixed(0.005, q::noise_sites::barriers), {});
    state rho, lambda;
    noisy.run(rho, params, inputs);
    noisy.vjp(rho, lambda, q::z_weights<double>{dl_dz}, params, inputs, dparams, dinputs); // through the noise

    const auto data = qhybrid::data::data_root(argc > 1 ? argv[1] : "");
    const auto nairobi = q::device_model::load(qhybrid::data::require_data(data, "ibm-backends/nairobi"));
    q::executor<module, q::device_noise> on_device(q::device_noise::place<module>(nairobi, {0, 1, 3, 5}), {});
    on_device.run(rho, params, inputs);
    std::printf("<Z_0> on nairobi's qubits 0, 1, 3, 5: %.4f\n", q::expval_z(rho)[0]);
}
