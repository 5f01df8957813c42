// SPDX-License-Identifier: Apache-2.0
#pragma once
// quantum_layer<Circuit, T>: a parameterized circuit as a layer. Input [batch, num_inputs] (the
// circuit's angle inputs), output [batch, num_qubits] = <Z_q> of every qubit. The minibatch runs
// through batched_statevector lanes, W samples per sweep (the last sweep padded with zero
// inputs whose cotangent is zero); backward is the adjoint method: one backward sweep per
// forward sweep, from the final states forward kept, gives the gradients of the circuit's
// parameters and of its inputs.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/quantum/executor.hpp"
#include "qhybrid/quantum/observables.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <numbers>
#include <vector>

namespace qhybrid::nn {

template <class Circuit, class T = double>
class quantum_layer : public layer_base<quantum_layer<Circuit, T>, T> {
    using state = quantum::batched_statevector<Circuit::num_qubits, T>;
    static constexpr std::size_t lanes = state::samples, qubits = Circuit::num_qubits;
    static constexpr std::size_t inputs = Circuit::num_inputs, params = Circuit::num_params;

public:
    // Parameters uniform in [-pi, pi).
    explicit quantum_layer(rng& gen) : theta_({params}), dtheta_({params}) {
        for (auto& v : theta_.values()) v = T(gen.uniform(-std::numbers::pi, std::numbers::pi));
    }

    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, inputs}, "quantum_layer");
        kept_ = false;
        x_ = x;
        const std::size_t batch = x.dim(0), sweeps = (batch + lanes - 1) / lanes;
        tensor<T> y({batch, qubits});
        states_.resize(sweeps), tapes_.resize(sweeps);
        for (std::size_t first = 0; first < batch; first += lanes) {
            const std::size_t used = std::min(lanes, batch - first);
            state& psi = states_[first / lanes];
            load_lanes(x, first, used);
            ex_.run(psi, theta_.values(), lane_inputs_, tapes_[first / lanes]);
            const auto z = quantum::expval_z(psi);
            for (std::size_t l = 0; l < used; ++l)
                for (std::size_t q = 0; q < qubits; ++q) y[(first + l) * qubits + q] = z[q * lanes + l];
        }
        kept_ = true;
        return y;
    }

    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(x_, "quantum_layer");
        require(kept_, [] { return std::string("quantum_layer: backward() needs a forward() that completed after the last backward()"); });
        const std::size_t batch = x_.dim(0);
        require_shape(dy, {batch, qubits}, "quantum_layer backward");
        tensor<T> dx({batch, inputs});
        std::vector<T> weights(qubits * lanes), dinputs(inputs * lanes);
        for (std::size_t first = 0; first < batch; first += lanes) {
            const std::size_t used = std::min(lanes, batch - first);
            load_lanes(x_, first, used);
            std::fill(weights.begin(), weights.end(), T(0));
            for (std::size_t l = 0; l < used; ++l)
                for (std::size_t q = 0; q < qubits; ++q) weights[q * lanes + l] = dy[(first + l) * qubits + q];
            std::fill(dinputs.begin(), dinputs.end(), T(0));
            ex_.vjp_after_run(states_[first / lanes], lambda_, quantum::z_weights<T>{weights}, theta_.values(),
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
               std::to_string(params) + " parameters, " + std::to_string(Circuit::num_gates) + " gates)";
    }

private:
    // Samples first .. first + used of x into the lanes (index-major); unused lanes get zeros.
    void load_lanes(const tensor<T>& x, std::size_t first, std::size_t used) {
        lane_inputs_.assign(inputs * lanes, T(0));
        for (std::size_t l = 0; l < used; ++l)
            for (std::size_t i = 0; i < inputs; ++i) lane_inputs_[i * lanes + l] = x[(first + l) * inputs + i];
    }

    quantum::executor<Circuit> ex_;
    tensor<T> theta_, dtheta_, x_;
    std::vector<state> states_;                      // forward's final state of every sweep
    std::vector<quantum::noise_tape<state>> tapes_;  // and what the adjoint method needs of it
    state lambda_;
    std::vector<T> lane_inputs_;
    bool kept_ = false;
};

} // namespace qhybrid::nn
