// SPDX-License-Identifier: Apache-2.0
#pragma once
// quantum_layer<Circuit, T, Noise, Readout>: a parameterized circuit as a layer. Input
// [batch, num_inputs] (the circuit's angle inputs), output [batch, Readout's width]: <Z_q> of every
// qubit (z_readout, the default) or the probabilities of the 2^N basis states
// (probability_readout). Without noise the minibatch runs through batched_statevector lanes;
// with a noise policy (noise.hpp, e.g. QShield's `mixed`) through batched_density_matrix lanes,
// exactly. W samples per sweep (the last sweep padded with zero inputs whose cotangent is zero);
// backward is the adjoint method (through the noise on a density matrix): one backward sweep per
// forward sweep, from the final states and noise tape forward kept, gives the gradients of the
// circuit's parameters and of its inputs.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/quantum/density_matrix.hpp"
#include "qhybrid/quantum/executor.hpp"
#include "qhybrid/quantum/observables.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <numbers>
#include <type_traits>
#include <utility>
#include <vector>

namespace qhybrid::nn {

// <Z_q> of every qubit, [q * samples + l]; its cotangent z_weights.
struct z_readout {
    template <std::size_t N>
    static constexpr std::size_t width = N;
    template <class State>
    static auto read(const State& s) { return quantum::expval_z(s); }
    template <class Real>
    using cotangent = quantum::z_weights<Real>;
};

// The probabilities of the 2^N basis states, [k * samples + l]; its cotangent probability_weights.
struct probability_readout {
    template <std::size_t N>
    static constexpr std::size_t width = std::size_t{1} << N;
    template <class State>
    static auto read(const State& s) { return quantum::probabilities(s); }
    template <class Real>
    using cotangent = quantum::probability_weights<Real>;
};

template <class Circuit, class T = double, class Noise = quantum::noiseless, class Readout = z_readout>
class quantum_layer : public layer_base<quantum_layer<Circuit, T, Noise, Readout>, T> {
    static constexpr std::size_t qubits = Circuit::num_qubits;
    using state = std::conditional_t<Noise::is_noiseless, quantum::batched_statevector<qubits, T>,
                                     quantum::batched_density_matrix<qubits, T>>;
    static constexpr std::size_t lanes = state::samples, outputs = Readout::template width<qubits>;
    static constexpr std::size_t inputs = Circuit::num_inputs, params = Circuit::num_params;

public:
    // Parameters uniform in [-pi, pi).
    explicit quantum_layer(rng& gen) : quantum_layer(Noise{}, gen) {}
    quantum_layer(Noise noise, rng& gen) : ex_(std::move(noise), {}), theta_({params}), dtheta_({params}) {
        for (auto& v : theta_.values()) v = T(gen.uniform(-std::numbers::pi, std::numbers::pi));
    }

    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, inputs}, "quantum_layer");
        kept_ = false;
        x_ = x;
        const std::size_t batch = x.dim(0), sweeps = (batch + lanes - 1) / lanes;
        tensor<T> y({batch, outputs});
        states_.resize(sweeps), tapes_.resize(sweeps);
        for (std::size_t first = 0; first < batch; first += lanes) {
            const std::size_t used = std::min(lanes, batch - first);
            state& psi = states_[first / lanes];
            load_lanes(x, first, used);
            ex_.run(psi, theta_.values(), lane_inputs_, tapes_[first / lanes]);
            const auto z = Readout::read(psi);
            for (std::size_t l = 0; l < used; ++l)
                for (std::size_t k = 0; k < outputs; ++k) y[(first + l) * outputs + k] = z[k * lanes + l];
        }
        kept_ = true;
        return y;
    }

    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(x_, "quantum_layer");
        require(kept_, [] { return std::string("quantum_layer: backward() needs a forward() that completed after the last backward()"); });
        const std::size_t batch = x_.dim(0);
        require_shape(dy, {batch, outputs}, "quantum_layer backward");
        tensor<T> dx({batch, inputs});
        std::vector<T> weights(outputs * lanes), dinputs(inputs * lanes);
        for (std::size_t first = 0; first < batch; first += lanes) {
            const std::size_t used = std::min(lanes, batch - first);
            load_lanes(x_, first, used);
            std::fill(weights.begin(), weights.end(), T(0));
            for (std::size_t l = 0; l < used; ++l)
                for (std::size_t k = 0; k < outputs; ++k) weights[k * lanes + l] = dy[(first + l) * outputs + k];
            std::fill(dinputs.begin(), dinputs.end(), T(0));
            ex_.vjp_after_run(states_[first / lanes], lambda_, typename Readout::template cotangent<T>{weights}, theta_.values(),
                              lane_inputs_, dtheta_.values(), dinputs, tapes_[first / lanes]);
            for (std::size_t l = 0; l < used; ++l)
                for (std::size_t i = 0; i < inputs; ++i) dx[(first + l) * inputs + i] = dinputs[i * lanes + l];
        }
        kept_ = false; // the backward sweeps consumed the kept states
        return dx;
    }

    std::vector<parameter<T>> parameters() override { return {{"theta", &theta_, &dtheta_}}; }
    std::string describe() const override {
        return "quantum_layer(" + std::to_string(qubits) + " qubits, " + std::to_string(inputs) + " inputs, " +
               std::to_string(params) + " parameters, " + std::to_string(Circuit::num_gates) + " gates" +
               (Noise::is_noiseless ? "" : ", noisy, on density matrices") + // weights files name the architecture:
               (std::is_same_v<Readout, z_readout> ? "" : "; basis-state probabilities") + ")"; // the default's text is unchanged
    }

private:
    // Samples first .. first + used of x into the lanes (index-major); unused lanes get zeros.
    void load_lanes(const tensor<T>& x, std::size_t first, std::size_t used) {
        lane_inputs_.assign(inputs * lanes, T(0));
        for (std::size_t l = 0; l < used; ++l)
            for (std::size_t i = 0; i < inputs; ++i) lane_inputs_[i * lanes + l] = x[(first + l) * inputs + i];
    }

    quantum::executor<Circuit, Noise> ex_;
    tensor<T> theta_, dtheta_, x_;
    std::vector<state> states_;                      // forward's final state of every sweep
    std::vector<quantum::noise_tape<state>> tapes_;  // and what the adjoint method needs of it
    state lambda_;
    std::vector<T> lane_inputs_;
    bool kept_ = false;
};

} // namespace qhybrid::nn
