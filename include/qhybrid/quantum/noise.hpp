// SPDX-License-Identifier: Apache-2.0
#pragma once
// Noise policies for executor<Circuit, Noise, Crosstalk>: each decides after which gates which
// channels act (see policies.hpp for the interface).
//
// Usage:
//   executor<my_circuit, mixed> ex(mixed(0.005, noise_sites::barriers), {});
//
// `noise_sites` chooses the gates: every gate (on its qubits), the two-qubit gates only, or the
// barriers only (a barrier<mask> marks, say, the end of an entangling layer).
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/channels.hpp"
#include "qhybrid/quantum/policies.hpp"

#include <array>
#include <bit>
#include <cstdint>

namespace qhybrid::quantum {

enum class noise_sites { every_gate, two_qubit_gates, barriers };

namespace detail {

template <class G>
constexpr bool acts_at(noise_sites where) noexcept {
    if constexpr (G::shape == gate_shape::barrier) return where == noise_sites::barriers;
    else if (where == noise_sites::barriers) return false;
    else return where == noise_sites::every_gate || std::popcount(G::qubits) == 2;
}

// Adds `channel` on every qubit of G.
template <class G>
void on_each_qubit(noise_steps& out, const qubit_channel& channel) {
    for (std::uint64_t m = G::qubits; m; m &= m - 1) out.add(channel, static_cast<qubit>(std::countr_zero(m)));
}

// The policies that put one channel on each qubit of the gates they act at.
class per_qubit_noise {
public:
    static constexpr bool is_noiseless = false;
    per_qubit_noise(qubit_channel channel, noise_sites where) : channel_(std::move(channel)), where_(where) {}

    template <class G>
    void after_gate(noise_steps& out, std::size_t) const {
        if (acts_at<G>(where_)) on_each_qubit<G>(out, channel_);
    }
    // The noise of a CNOT that crosstalk injects on qubits chosen at run time.
    void two_qubit_gate_noise(noise_steps& out, qubit a, qubit b) const {
        out.add(channel_, a);
        out.add(channel_, b);
    }
    const qubit_channel& channel() const noexcept { return channel_; }

private:
    qubit_channel channel_;
    noise_sites where_;
};

} // namespace detail

// Qiskit's depolarizing_error(p, 1) after one-qubit gates (and barriers, on each qubit), and
// depolarizing_error(p, 2) after two-qubit gates.
class depolarizing {
public:
    static constexpr bool is_noiseless = false;
    explicit depolarizing(double p, noise_sites where = noise_sites::every_gate)
        : one_(qubit_channel::depolarizing(p)), p_(p), where_(where) {}

    template <class G>
    void after_gate(noise_steps& out, std::size_t) const {
        if (!detail::acts_at<G>(where_)) return;
        if constexpr (G::shape != gate_shape::barrier && std::popcount(G::qubits) == 2) {
            constexpr std::uint64_t m = G::qubits;
            out.add_depolarizing_pair(std::countr_zero(m), std::countr_zero(m & (m - 1)), p_);
        } else {
            detail::on_each_qubit<G>(out, one_);
        }
    }
    void two_qubit_gate_noise(noise_steps& out, qubit a, qubit b) const { out.add_depolarizing_pair(a, b, p_); }

private:
    qubit_channel one_;
    double p_;
    noise_sites where_;
};

// Amplitude damping of parameter gamma on each qubit of the gates.
struct amplitude_damping : detail::per_qubit_noise {
    explicit amplitude_damping(double gamma, noise_sites where = noise_sites::every_gate)
        : per_qubit_noise(qubit_channel::amplitude_damping(gamma), where) {}
};

// Phase damping of parameter lambda on each qubit of the gates.
struct phase_damping : detail::per_qubit_noise {
    explicit phase_damping(double lambda, noise_sites where = noise_sites::every_gate)
        : per_qubit_noise(qubit_channel::phase_damping(lambda), where) {}
};

// QShield's mixed noise of one strength s: on each qubit of the gates, depolarizing(w0 s), then
// amplitude damping(w1 s), then phase damping(w2 s), with fixed proportions w (1, 1, 1 unless
// given), merged into one channel.
struct mixed : detail::per_qubit_noise {
    explicit mixed(double strength, noise_sites where = noise_sites::every_gate,
                   std::array<double, 3> proportions = {1, 1, 1})
        : per_qubit_noise(merged(strength, proportions), where) {}

private:
    // A parameter out of a channel's range is the caller's strength (or proportions): say so.
    static qubit_channel merged(double s, const std::array<double, 3>& w) {
        try {
            return qubit_channel::depolarizing(w[0] * s)
                .then(qubit_channel::amplitude_damping(w[1] * s))
                .then(qubit_channel::phase_damping(w[2] * s));
        } catch (const error& e) {
            fail("mixed: strength " + number(s) + " with proportions (" + number(w[0]) + ", " + number(w[1]) + ", " +
                 number(w[2]) + ") is out of range (" + e.what() + ")");
        }
    }
};

} // namespace qhybrid::quantum
