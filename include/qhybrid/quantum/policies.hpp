// SPDX-License-Identifier: Apache-2.0
#pragma once
// Execution policies chosen at compile time, with runtime parameters. Around gate number i (in
// circuit order) of type G, an executor asks `crosstalk.before_gate<G>(steps, i, noise)` and
// `noise.after_gate<G>(steps, i)` (and, if the noise policy has one, `noise.before_gate<G>(steps,
// i)`) for the noise steps that act there, and the state applies them
// (a density matrix exactly). Policies with `is_noiseless` are skipped at compile time, so the
// defaults cost nothing.
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/channels.hpp"
#include "qhybrid/quantum/gates.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>

namespace qhybrid::quantum {

// One step of a noise model between gates, on qubits known at run time: a one-qubit channel on
// qubit a; Qiskit's two-qubit depolarizing channel of parameter p on qubits a and b; or, for
// crosstalk, the unitaries CNOT(a -> b) and RZZ(p) = exp(-i p/2 Z_a Z_b).
struct noise_step {
    enum class kind : std::uint8_t { channel, depolarizing_pair, cnot, zz, conditional_phase };
    kind what = kind::channel;
    qubit a = 0, b = 0;
    const qubit_channel* channel = nullptr; // owned by the policy
    double p = 0;
};

// The steps at one point of a circuit, in order (fixed capacity: no allocation per gate).
class noise_steps {
public:
    static constexpr std::size_t capacity = 128; // a device policy's routing SWAPs before a gate

    void add(const qubit_channel& channel, qubit q) { push({noise_step::kind::channel, q, q, &channel, 0}); }
    void add_depolarizing_pair(qubit a, qubit b, double p) { push({noise_step::kind::depolarizing_pair, a, b, nullptr, p}); }
    void add_cnot(qubit control, qubit target) { push({noise_step::kind::cnot, control, target, nullptr, 0}); }
    void add_zz(qubit a, qubit b, double theta) { push({noise_step::kind::zz, a, b, nullptr, theta}); }
    // exp(-i phi |11><11|) on qubits a and b.
    void add_conditional_phase(qubit a, qubit b, double phi) { push({noise_step::kind::conditional_phase, a, b, nullptr, phi}); }

    const noise_step* begin() const noexcept { return items_.data(); }
    const noise_step* end() const noexcept { return items_.data() + size_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    void clear() noexcept { size_ = 0; }

private:
    void push(const noise_step& s) {
        require(size_ < capacity, [] {
            return "noise_steps: more than " + std::to_string(capacity) + " noise steps at one gate";
        });
        items_[size_++] = s;
    }

    std::array<noise_step, capacity> items_{};
    std::size_t size_ = 0;
};

// ---- the policy contracts -----------------------------------------------------------------------
// A member template of a gate type cannot be checked for every gate: cnot<0, 1> stands for them.

// A noise policy: the steps after gate number i of type G.
template <class P>
concept noise_policy = requires(const P& p, noise_steps& steps) {
    { P::is_noiseless } -> std::convertible_to<bool>;
    p.template after_gate<cnot<0, 1>>(steps, std::size_t{});
};

// A noise policy that also acts before gate G (a device policy's routing SWAPs).
template <class P, class G>
concept routing_noise_policy = noise_policy<P> && requires(const P& p, noise_steps& steps) {
    p.template before_gate<G>(steps, std::size_t{});
};

// A noise policy whose two-qubit gates carry a noise of their own, which the CNOTs that crosstalk
// injects take on (crosstalk.hpp).
template <class P>
concept two_qubit_noise_source = noise_policy<P> && requires(const P& p, noise_steps& steps, qubit q) {
    p.two_qubit_gate_noise(steps, q, q);
};

// A crosstalk policy: the steps before gate number i of type G, beside the noise policy Noise.
template <class C, class Noise>
concept crosstalk_policy = requires(const C& c, noise_steps& steps, const Noise& noise) {
    { C::is_noiseless } -> std::convertible_to<bool>;
    c.template before_gate<cnot<0, 1>>(steps, std::size_t{}, noise);
};

struct noiseless {
    static constexpr bool is_noiseless = true;
    template <class Gate>
    void after_gate(noise_steps&, std::size_t) const noexcept {}
};

struct no_crosstalk {
    static constexpr bool is_noiseless = true;
    template <class Gate, class Noise>
    void before_gate(noise_steps&, std::size_t, const Noise&) const noexcept {}
};

static_assert(noise_policy<noiseless> && crosstalk_policy<no_crosstalk, noiseless>,
              "qhybrid: the default policies keep the policy contracts");

} // namespace qhybrid::quantum
