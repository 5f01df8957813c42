// SPDX-License-Identifier: Apache-2.0
#pragma once
// Crosstalk policies for executor<Circuit, Noise, Crosstalk>; both act before each gate, on a
// density matrix or a trajectory.
//
// zz_crosstalk: the always-on ZZ coupling of neighbouring transmons. A coupling of strength zeta
// (Hz) gives a pair a conditional phase of 2 pi zeta t over time t, that is RZZ(pi zeta t). Each
// gate lasts the time of its native gates (device_noise.hpp lists them); during it, every coupled
// pair that includes one of the gate's qubits picks up that phase, applied before the gate (the
// coupling integrated over the gate's duration: a first-order splitting, as it does not commute
// with the gate). Pairs away from the gate are taken as idle in parallel with it, not charged.
//
// cnot_pair_injection: QNAD's defence. Before every gate on a chosen target qubit, `pairs` pairs
// of CNOTs from the target to an idle neighbour: the identity in a noiseless run, and on a
// device each CNOT carries the noise policy's two-qubit gate noise. The idle neighbour is a
// simulated qubit of the state beyond the circuit's own (in |0>), placed on the device's 1-hop
// or 2-hop neighbour of the target (see device_noise's layout).
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/device.hpp"
#include "qhybrid/quantum/device_noise.hpp"
#include "qhybrid/quantum/policies.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace qhybrid::quantum {

class zz_crosstalk {
public:
    static constexpr bool is_noiseless = false;

    // `pairs` of coupled logical qubits; durations of a native one- and two-qubit gate in ns.
    zz_crosstalk(std::vector<std::pair<qubit, qubit>> pairs, double strength_hz, double one_qubit_ns,
                 double two_qubit_ns)
        : pairs_(std::move(pairs)), strength_hz_(strength_hz), one_qubit_ns_(one_qubit_ns), two_qubit_ns_(two_qubit_ns) {
        require(std::isfinite(strength_hz) && one_qubit_ns >= 0 && two_qubit_ns >= 0, [&] {
            return "zz_crosstalk: strength " + number(strength_hz) + " Hz and gate times " + number(one_qubit_ns) +
                   ", " + number(two_qubit_ns) + " ns must be finite and the times >= 0";
        });
        for (const auto& [a, b] : pairs_)
            require(a != b, [&] { return "zz_crosstalk: a pair couples qubit " + std::to_string(a) + " with itself"; });
    }

    // The coupled pairs of a placement on a device, and its mean sx and two-qubit gate lengths
    // (over every calibrated direction of the pairs: the two directions differ in length).
    static zz_crosstalk on_device(const device_model& device, const std::vector<qubit>& layout, double strength_hz) {
        std::vector<std::pair<qubit, qubit>> pairs;
        double one = 0, two = 0;
        std::size_t ones = 0, twos = 0;
        for (qubit a = 0; a < layout.size(); ++a) {
            one += device.gate("sx", {layout[a]}).length_ns, ++ones;
            for (qubit b = 0; b < layout.size(); ++b) {
                if (a == b || !device.coupled(layout[a], layout[b])) continue;
                if (a < b) pairs.push_back({a, b});
                if (device.calibrated(device.two_qubit_gate(), {layout[a], layout[b]}))
                    two += device.gate(device.two_qubit_gate(), {layout[a], layout[b]}).length_ns, ++twos;
            }
        }
        return zz_crosstalk(std::move(pairs), strength_hz, ones ? one / ones : 0, twos ? two / twos : 0);
    }

    template <class G, class Noise>
    void before_gate(noise_steps& out, std::size_t, const Noise&) const {
        constexpr auto natives = detail::natives_of<G>();
        const double ns = natives.two_qubit * two_qubit_ns_ + (natives.sx + natives.x) * one_qubit_ns_;
        if (ns == 0) return; // virtual gates take no time
        const double theta = std::numbers::pi * strength_hz_ * ns * 1e-9;
        for (const auto& [a, b] : pairs_)
            if (((G::qubits >> a) & 1) || ((G::qubits >> b) & 1)) out.add_zz(a, b, theta);
    }

private:
    std::vector<std::pair<qubit, qubit>> pairs_;
    double strength_hz_, one_qubit_ns_, two_qubit_ns_;
};

class cnot_pair_injection {
public:
    static constexpr bool is_noiseless = false;

    struct site {
        qubit target, idle;
        unsigned pairs = 1;
    };

    explicit cnot_pair_injection(std::vector<site> sites) : sites_(std::move(sites)) {
        for (const auto& s : sites_)
            require(s.target != s.idle, [&] {
                return "cnot_pair_injection: target and idle neighbour are both qubit " + std::to_string(s.target);
            });
    }

    // Idle physical qubits within `hops` (1 or 2) of a physical qubit, not in `used`, nearest first.
    static std::vector<qubit> idle_neighbours(const device_model& device, qubit physical, unsigned hops,
                                              const std::vector<qubit>& used) {
        require(hops == 1 || hops == 2, [&] { return "cnot_pair_injection: hops must be 1 or 2, got " + std::to_string(hops); });
        std::vector<qubit> out;
        const auto add = [&](qubit q) {
            if (q != physical && std::find(used.begin(), used.end(), q) == used.end() &&
                std::find(out.begin(), out.end(), q) == out.end())
                out.push_back(q);
        };
        const auto first = device.neighbours(physical);
        for (qubit q : first) add(q);
        if (hops == 2)
            for (qubit q : first)
                for (qubit r : device.neighbours(q)) add(r);
        return out;
    }

    template <class G, class Noise>
    void before_gate(noise_steps& out, std::size_t, const Noise& noise) const {
        if constexpr (G::shape != gate_shape::barrier) {
            for (const auto& s : sites_) {
                if (!((G::qubits >> s.target) & 1)) continue;
                for (unsigned k = 0; k < 2 * s.pairs; ++k) {
                    out.add_cnot(s.target, s.idle);
                    if constexpr (requires { noise.two_qubit_gate_noise(out, qubit{}, qubit{}); })
                        noise.two_qubit_gate_noise(out, s.target, s.idle);
                }
            }
        }
    }

private:
    std::vector<site> sites_;
};

} // namespace qhybrid::quantum
