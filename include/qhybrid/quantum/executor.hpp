// SPDX-License-Identifier: Apache-2.0
#pragma once
// executor<Circuit, Noise, Crosstalk> runs a circuit on a state and differentiates it.
//
// Usage:
//   executor<compose<angle_encoding<8>, real_amplitudes<8, 3>>> ex;
//   statevector<8> psi, lambda;
//   ex.run(psi, params, inputs);                  // psi = U(params, inputs)|0>
//   auto z = expval_z(psi);                       // <Z_q> for every qubit
//   ex.vjp(psi, lambda, z_weights<double>{dz},    // dL/dparams += ..., dL/dinputs += ...
//          params, inputs, dparams, dinputs);
//
// For a batched_statevector, `inputs`, `dinputs` and the cotangent hold one value per sample,
// index-major ([i * samples + l]); parameters are shared, and their gradients are summed over
// the samples. Parameters and inputs are checked: count, and finite values.
//
// The same executor runs on a density matrix (density_matrix.hpp), exactly and differentiably
// through its noise and crosstalk policies, and on Monte-Carlo trajectories (trajectory.hpp); a
// noisy executor refuses a plain statevector at compile time.
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/executor_context.hpp"
#include "qhybrid/quantum/gate_dispatch.hpp"
#include "qhybrid/quantum/fusion.hpp"
#include "qhybrid/quantum/half_angles.hpp"
#include "qhybrid/quantum/policies.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace qhybrid::quantum {

// What a forward run keeps for the adjoint method: the state before each group of noise steps,
// and the steps (empty for a noiseless run).
template <class State>
struct noise_tape {
    struct entry {
        std::size_t gate;
        bool before; // crosstalk before the gate, or noise after it
        std::vector<noise_step> steps;
        State state;
    };
    std::vector<entry> entries;
};

// The adjoint method's starting state for a pure state: lambda = O psi.
template <class Cotangent, class State>
void seed_adjoint(const Cotangent& cotangent, const State& psi, State& lam) {
    cotangent.apply(psi, lam);
}

template <class Circuit, class Noise = noiseless, class Crosstalk = no_crosstalk>
class executor {
    static_assert(noise_policy<Noise>, "qhybrid: executor<Circuit, Noise, Crosstalk>: Noise must be a noise policy "
                                       "(policies.hpp: is_noiseless and after_gate<G>(steps, i))");
    static_assert(crosstalk_policy<Crosstalk, Noise>,
                  "qhybrid: executor<Circuit, Noise, Crosstalk>: Crosstalk must be a crosstalk policy "
                  "(policies.hpp: is_noiseless and before_gate<G>(steps, i, noise))");

public:
    using circuit_type = Circuit;
    static constexpr std::size_t num_qubits = Circuit::num_qubits;
    static constexpr std::size_t num_params = Circuit::num_params;
    static constexpr std::size_t num_inputs = Circuit::num_inputs;

    executor() = default;
    executor(Noise noise, Crosstalk crosstalk) : noise_(noise), crosstalk_(crosstalk) {}

    // psi = U(params, inputs)|0>.
    template <class State>
    void run(State& psi, std::span<const typename State::real_type> params,
             std::span<const typename State::real_type> inputs = {}) const {
        psi.reset();
        apply(psi, params, inputs);
    }

    // psi = U(params, inputs) psi.
    template <class State>
    void apply(State& psi, std::span<const typename State::real_type> params,
               std::span<const typename State::real_type> inputs = {}) const {
        check_arguments<State>(params, inputs);
        const auto x = detail::to_lanes<State, num_inputs>(inputs);
        sweep(psi, half_angles<State>(detail::forward_context<State>{params, x.data()}));
    }

    // psi = U(params, inputs) psi one gate at a time, with the single-gate kernels and without
    // fusion (fusion.hpp): the reference the fused passes are tested and benchmarked against.
    template <class State>
    void apply_gate_by_gate(State& psi, std::span<const typename State::real_type> params,
                            std::span<const typename State::real_type> inputs = {}) const {
        check_arguments<State>(params, inputs);
        const auto x = detail::to_lanes<State, num_inputs>(inputs);
        sweep_gates(psi, half_angles<State>(detail::forward_context<State>{params, x.data()}));
    }

    // psi = U(params, inputs)|0>, keeping on `tape` what the adjoint method needs afterwards
    // (vjp_after_run): a layer's forward pass.
    template <class State>
    void run(State& psi, std::span<const typename State::real_type> params,
             std::span<const typename State::real_type> inputs, noise_tape<State>& tape) const {
        check_arguments<State>(params, inputs);
        const auto x = detail::to_lanes<State, num_inputs>(inputs);
        tape.entries.clear();
        psi.reset();
        sweep(psi, half_angles<State>(detail::forward_context<State>{params, x.data()}), &tape);
    }

    // Adjoint method: runs the circuit, then adds the gradient of <psi|O|psi> (O = the cotangent,
    // e.g. z_weights or probability_weights) to dparams and dinputs in one backward sweep.
    // `lambda` is workspace; on return psi and lambda hold no useful state. On a density matrix
    // the gradient is that of tr(O rho), through every noise step: the sweep keeps a copy of rho
    // before each group of noise steps (memory: one state per noisy gate).
    template <class State, class Cotangent>
    void vjp(State& psi, State& lambda, const Cotangent& cotangent,
             std::span<const typename State::real_type> params,
             std::span<const typename State::real_type> inputs,
             std::span<typename State::real_type> dparams,
             std::span<typename State::real_type> dinputs) const {
        noise_tape<State> tape;
        run(psi, params, inputs, tape);
        vjp_after_run(psi, lambda, cotangent, params, inputs, dparams, dinputs, tape);
    }

    // The backward half of vjp, after run(psi, params, inputs, tape) with the same parameters and
    // inputs: psi still holds that run's final state. Consumes the tape.
    template <class State, class Cotangent>
    void vjp_after_run(State& psi, State& lambda, const Cotangent& cotangent,
                       std::span<const typename State::real_type> params,
                       std::span<const typename State::real_type> inputs,
                       std::span<typename State::real_type> dparams,
                       std::span<typename State::real_type> dinputs, noise_tape<State>& tape) const {
        static_assert(!noisy || density_state<State>,
                      "qhybrid: the adjoint method through noise needs a density matrix");
        using Real = typename State::real_type;
        check_arguments<State>(params, inputs);
        require(dparams.size() == num_params && dinputs.size() == num_inputs * State::samples, [&] {
            return "vjp: gradient buffers have " + std::to_string(dparams.size()) + " and " +
                   std::to_string(dinputs.size()) + " values, expected " + std::to_string(num_params) +
                   " and " + std::to_string(num_inputs * State::samples);
        });
        const auto x = detail::to_lanes<State, num_inputs>(inputs);
        auto dx = detail::to_lanes<State, num_inputs>(std::span<const Real>(dinputs));
        detail::backward_context<State> ctx{{params, x.data()}, dparams, dx.data()};
        const auto trig = half_angles<State>(ctx);
        seed_adjoint(cotangent, psi, lambda);
        if constexpr (fused<State>) {
            detail::in_passes<Circuit>::backward(psi, lambda, trig, 0, 0, ctx);
        } else {
            std::size_t k = Circuit::num_angles, gate = Circuit::num_gates;
            Circuit::for_each_gate_reversed([&](auto g, std::size_t first_param) {
                using G = typename decltype(g)::type;
                --gate;
                unwind(psi, lambda, tape, gate, false);
                const auto [c, s] = trig.template previous<G>(k);
                detail::backward_gate<G>(psi, lambda, ctx, first_param, c, s);
                unwind(psi, lambda, tape, gate, true);
            });
        }
        for (std::size_t i = 0; i < num_inputs; ++i) {
            if constexpr (State::samples == 1)
                dinputs[i] = dx[i];
            else
                dx[i].store_unaligned(dinputs.data() + i * State::samples);
        }
    }

    // The parameter-shift rule, the reference for the adjoint method and the way to differentiate
    // noisy runs: adds the gradient of f(U(params, inputs)|0>) to dparams and dinputs, where f
    // is any read-out that is an expectation value (linear in |psi><psi|). Every gate with an
    // angle is shifted on its own (2 runs per gate; 4 for controlled rotations, whose generator
    // has eigenvalues 0 and +-1/2), and dE/dtheta is passed on to the angle's sources.
    template <class State, class Readout>
    void parameter_shift(Readout&& f, std::span<const typename State::real_type> params,
                         std::span<const typename State::real_type> inputs,
                         std::span<typename State::real_type> dparams,
                         std::span<typename State::real_type> dinputs) const {
        static_assert(State::samples == 1, "parameter_shift works on a statevector");
        using Real = typename State::real_type;
        check_arguments<State>(params, inputs);
        require(dparams.size() == num_params && dinputs.size() == num_inputs,
                [] { return std::string("parameter_shift: gradient buffers have the wrong size"); });
        const auto x = detail::to_lanes<State, num_inputs>(inputs);
        const auto shifted = [&](std::size_t gate, Real delta) {
            State psi;
            sweep(psi, half_angles<State>(detail::shifted_context<State>{{params, x.data()}, gate, delta}));
            return Real(f(psi));
        };
        detail::backward_context<State> ctx{{params, x.data()}, dparams, dinputs.data()};
        std::size_t gate = 0;
        Circuit::for_each_gate([&](auto g, std::size_t first_param) {
            using G = typename decltype(g)::type;
            using Angle = typename G::angle;
            if constexpr (has_angle<Angle>) {
                constexpr Real half_pi = Real(std::numbers::pi / 2);
                Real d = (shifted(gate, half_pi) - shifted(gate, -half_pi)) / 2;
                if constexpr (G::shift_terms == 4) {
                    constexpr Real sqrt2 = std::numbers::sqrt2_v<Real>;
                    d = (sqrt2 + 1) / (4 * sqrt2) * (2 * d) -
                        (sqrt2 - 1) / (4 * sqrt2) * (shifted(gate, 3 * half_pi) - shifted(gate, -3 * half_pi));
                }
                Angle::template add_gradient<Real>(ctx, first_param, d);
                ++gate;
            }
        });
    }

private:
    template <class State, class Ctx>
    static auto half_angles(const Ctx& ctx) {
        using table = detail::half_angle_table<typename State::value_type, Circuit::num_angles>;
        return table::template of<Circuit>(ctx);
    }

    static constexpr bool noisy = !(Noise::is_noiseless && Crosstalk::is_noiseless);
    // Nothing acts between the gates of a pure state: they run in fused passes (fusion.hpp).
    template <class State>
    static constexpr bool fused = !noisy && !density_state<State> && !trajectory_state<State>;

    // Runs the circuit: in fused passes if nothing acts between the gates, else gate by gate.
    template <class State, class Table>
    void sweep(State& psi, const Table& trig, noise_tape<State>* tape = nullptr) const {
        if constexpr (fused<State>)
            detail::apply_fused_passes<Circuit>(psi, trig);
        else
            sweep_gates(psi, trig, tape);
    }

    // The noise steps before (or after) gate G: the noise policy's, then the crosstalk's. A member
    // template, so that the calls stay dependent inside sweep_gates' generic lambda: clang checks
    // a lambda's non-dependent expressions even in discarded branches, and a noiseless executor's
    // steps are a char.
    template <class G, bool Before, class Steps>
    void collect_noise(Steps& steps, std::size_t gate) const {
        steps.clear();
        if constexpr (!Before) {
            noise_.template after_gate<G>(steps, gate);
        } else {
            if constexpr (routing_noise_policy<Noise, G>) noise_.template before_gate<G>(steps, gate);
            if constexpr (!Crosstalk::is_noiseless) crosstalk_.template before_gate<G>(steps, gate, noise_);
        }
    }

    // Runs the gates one at a time with the policies' noise steps; records the noise on `tape` if
    // given.
    template <class State, class Table>
    void sweep_gates(State& psi, const Table& trig, noise_tape<State>* tape = nullptr) const {
        static_assert(!noisy || density_state<State> || trajectory_state<State>,
                      "qhybrid: a noisy executor runs on a density matrix or a trajectory");
        std::size_t k = 0, gate = 0;
        [[maybe_unused]] std::conditional_t<noisy, noise_steps, char> steps;
        // A density matrix's factored rotations leave a scale pending (apply_density.hpp): it is applied
        // before the tape copies the state, and at the end.
        constexpr bool density = density_state<State>;
        [[maybe_unused]] std::conditional_t<density, detail::pending_scale<State>, char> pending;
        [[maybe_unused]] auto noise_steps_run = [&](bool before) {
            if constexpr (noisy) {
                if constexpr (density)
                    if (tape && !steps.empty()) pending.settle(psi);
                run_noise(psi, steps, gate, before, tape);
            }
        };
        Circuit::for_each_gate([&](auto g, std::size_t) {
            using G = typename decltype(g)::type;
            const auto [c, s] = trig.template next<G>(k);
            if constexpr (!Crosstalk::is_noiseless || routing_noise_policy<Noise, G>) {
                collect_noise<G, true>(steps, gate);
                noise_steps_run(true);
            }
            if constexpr (density) {
                detail::apply_gate<G>(psi, c, s, pending);
                pending.settle_if_large(psi);
            } else {
                detail::apply_gate<G>(psi, c, s);
            }
            if constexpr (!Noise::is_noiseless) {
                collect_noise<G, false>(steps, gate);
                noise_steps_run(false);
            }
            ++gate;
        });
        if constexpr (density) pending.settle(psi);
    }

    template <class State>
    static void run_noise(State& psi, const noise_steps& steps, std::size_t gate, bool before,
                          noise_tape<State>* tape) {
        if (steps.empty()) return;
        if (tape) tape->entries.push_back({gate, before, {steps.begin(), steps.end()}, psi});
        for (const auto& step : steps) apply_noise_step(psi, step);
    }

    // The adjoint method at a noise group of the tape: psi goes back to the state before the group
    // (channels have no inverse to un-apply), lambda back through the adjoint channels.
    template <class State>
    static void unwind(State& psi, State& lambda, noise_tape<State>& tape, std::size_t gate, bool before) {
        if constexpr (noisy) {
            if (tape.entries.empty() || tape.entries.back().gate != gate || tape.entries.back().before != before)
                return;
            auto& e = tape.entries.back();
            psi = std::move(e.state);
            for (auto step = e.steps.rbegin(); step != e.steps.rend(); ++step) apply_noise_step(lambda, *step, true);
            tape.entries.pop_back();
        }
    }

    // The circuit fits the state; parameters and per-sample inputs are as many as it needs, and
    // finite.
    template <class State>
    static void check_arguments(std::span<const typename State::real_type> params,
                                std::span<const typename State::real_type> inputs) {
        static_assert(quantum_state<State>, "qhybrid: the executor runs on a state (statevector.hpp: pure_state, "
                                            "density_state or trajectory_state)");
        static_assert(Circuit::num_qubits <= State::num_qubits,
                      "qhybrid: the circuit uses a qubit index out of range for this state");
        detail::check_values(params, num_params, "parameters");
        detail::check_values(inputs, num_inputs * State::samples, "inputs", State::samples);
    }

    [[no_unique_address]] Noise noise_{};
    [[no_unique_address]] Crosstalk crosstalk_{};
};

} // namespace qhybrid::quantum
