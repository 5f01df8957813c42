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

} // namespace qhybrid::quantum
