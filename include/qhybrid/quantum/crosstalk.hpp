// SPDX-License-Identifier: Apache-2.0
#pragma once
// Crosstalk policies for executor<Circuit, Noise, Crosstalk>; each acts before each gate, on a
// density matrix or a trajectory, and crosstalks<A, B> applies several.
//
// zz_crosstalk: the always-on ZZ coupling of neighbouring transmons. A pair's coupling zeta (Hz;
// IBM's calibrations report it per pair, device_model::zz_hz) is the shift
// omega_11 - omega_10 - omega_01 + omega_00 of its transition frequencies: over time t the pair picks
// up the conditional phase 2 pi zeta t. Two frames give it (zz_frame):
//   - symmetric: H = h zeta / 4 Z (x) Z, the unitary RZZ(pi zeta t); each qubit's frequency moves by
//     +-zeta / 2 with its neighbour's state, so a neighbour at rest shifts it too;
//   - calibrated: H = h zeta |11><11|, exp(-i 2 pi zeta t |11><11|) = RZZ(pi zeta t) RZ(-pi zeta t)
//     on each qubit: the frequencies as a device calibrates them, with its neighbours in |0>, so only
//     an excited neighbour moves a qubit.
// Each gate lasts the time of its native gates (device_noise.hpp lists them); during it, every
// coupled pair that includes one of the gate's qubits picks up that phase, applied before the gate
// (the coupling integrated over the gate's duration: a first-order splitting, as it does not
// commute with the gate). Pairs away from the gate are taken as idle in parallel with it, not charged.
//
// cnot_pair_injection: QNAD's defence. Before every gate on a chosen target qubit, `pairs` pairs
// of CNOTs from the target to an idle neighbour (or from a neighbour of the target to an idle
// 2-hop one): the identity in a noiseless run, and on a device each CNOT carries the noise
// policy's two-qubit gate noise and, when given, the ZZ coupling over its length. The idle qubit
// is a simulated qubit of the state beyond the circuit's own (in |0>), placed on the device next
// to the target (see device_noise's layout).
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/device.hpp"
#include "qhybrid/quantum/device_noise.hpp"
#include "qhybrid/quantum/policies.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace qhybrid::quantum {

enum class zz_frame { symmetric, calibrated };

class zz_crosstalk {
public:
    static constexpr bool is_noiseless = false;

    struct coupling {
        qubit a, b;
        double hz; // zeta
    };

    // Coupled pairs of logical qubits with their strengths; durations of a native one- and
    // two-qubit gate in ns.
    zz_crosstalk(std::vector<coupling> couplings, double one_qubit_ns, double two_qubit_ns, zz_frame frame = zz_frame::symmetric)
        : couplings_(std::move(couplings)), one_qubit_ns_(one_qubit_ns), two_qubit_ns_(two_qubit_ns), frame_(frame) {
        require(one_qubit_ns >= 0 && two_qubit_ns >= 0, [&] {
            return "zz_crosstalk: gate times " + number(one_qubit_ns) + ", " + number(two_qubit_ns) + " ns must be >= 0";
        });
        for (const auto& [a, b, hz] : couplings_) {
            require(a != b, [&] { return "zz_crosstalk: a pair couples qubit " + std::to_string(a) + " with itself"; });
            require(std::isfinite(hz), [&] {
                return "zz_crosstalk: the strength of pair (" + std::to_string(a) + ", " + std::to_string(b) + "), " + number(hz) +
                       " Hz, must be finite";
            });
        }
    }
    // Every pair at one strength.
    zz_crosstalk(const std::vector<std::pair<qubit, qubit>>& pairs, double strength_hz, double one_qubit_ns, double two_qubit_ns)
        : zz_crosstalk(uniform(pairs, strength_hz), one_qubit_ns, two_qubit_ns) {}

    // The coupled pairs of a placement on a device, each at `strength_hz`, and its mean sx and
    // two-qubit gate lengths (over every calibrated direction of the pairs: the two directions
    // differ in length).
    static zz_crosstalk on_device(const device_model& device, const std::vector<qubit>& layout, double strength_hz) {
        return placed(device, layout, zz_frame::symmetric, [&](qubit, qubit) { return strength_hz; });
    }

    // The same with each pair's own coupling from the calibration (device_model::zz_hz) times
    // `scale`; a coupled pair the calibration leaves out is an error.
    static zz_crosstalk calibrated(const device_model& device, const std::vector<qubit>& layout, double scale = 1,
                                   zz_frame frame = zz_frame::calibrated) {
        return placed(device, layout, frame, [&](qubit a, qubit b) {
            const auto hz = device.zz_hz(a, b);
            require(hz.has_value(), [&] {
                return device.name() + ": the calibration gives no ZZ coupling for the coupled qubits " + std::to_string(a) + " and " +
                       std::to_string(b);
            });
            return *hz * scale;
        });
    }

    template <class G, class Noise>
    void before_gate(noise_steps& out, std::size_t, const Noise&) const {
        constexpr auto natives = natives_of<G>();
        const double ns = natives.two_qubit * two_qubit_ns_ + (natives.sx + natives.x) * one_qubit_ns_;
        if (ns == 0) return; // virtual gates take no time
        charge(out, G::qubits, ns);
    }

    // The coupling over one native two-qubit gate between a and b that is not in the circuit (an
    // injected CNOT), on the pairs it shares a qubit with but its own: the pair's own coupling acts
    // while the gate is calibrated, so the calibrated gate already holds it.
    void during_two_qubit_gate(noise_steps& out, qubit a, qubit b) const {
        charge(out, (std::uint64_t{1} << a) | (std::uint64_t{1} << b), two_qubit_ns_, std::pair{std::min(a, b), std::max(a, b)});
    }

    const std::vector<coupling>& couplings() const noexcept { return couplings_; }

private:
    // The phase of `ns` of coupling on every pair with a qubit in the mask, but `skip`.
    void charge(noise_steps& out, std::uint64_t qubits, double ns, std::pair<qubit, qubit> skip = {0, 0}) const {
        for (const auto& [a, b, hz] : couplings_) {
            if ((!((qubits >> a) & 1) && !((qubits >> b) & 1)) || std::pair{std::min(a, b), std::max(a, b)} == skip) continue;
            const double theta = std::numbers::pi * hz * ns * 1e-9;
            if (frame_ == zz_frame::symmetric) out.add_zz(a, b, theta);
            else out.add_conditional_phase(a, b, 2 * theta);
        }
    }

    static std::vector<coupling> uniform(const std::vector<std::pair<qubit, qubit>>& pairs, double hz) {
        std::vector<coupling> out;
        for (const auto& [a, b] : pairs) out.push_back({a, b, hz});
        return out;
    }

    template <class Strength>
    static zz_crosstalk placed(const device_model& device, const std::vector<qubit>& layout, zz_frame frame, Strength&& strength) {
        std::vector<coupling> couplings;
        double one = 0, two = 0;
        std::size_t ones = 0, twos = 0;
        for (qubit a = 0; a < layout.size(); ++a) {
            one += device.gate("sx", {layout[a]}).length_ns, ++ones;
            for (qubit b = 0; b < layout.size(); ++b) {
                if (a == b || !device.coupled(layout[a], layout[b])) continue;
                if (a < b) couplings.push_back({a, b, strength(layout[a], layout[b])});
                if (device.calibrated(device.two_qubit_gate(), {layout[a], layout[b]}))
                    two += device.gate(device.two_qubit_gate(), {layout[a], layout[b]}).length_ns, ++twos;
            }
        }
        return zz_crosstalk(std::move(couplings), ones ? one / ones : 0, twos ? two / twos : 0, frame);
    }

    std::vector<coupling> couplings_;
    double one_qubit_ns_, two_qubit_ns_;
    zz_frame frame_;
};

class cnot_pair_injection {
public:
    static constexpr bool is_noiseless = false;

    // Before each gate on `target`, `pairs` pairs of CNOTs to `idle`, from the target itself or,
    // with `from`, from one of its neighbours (then the idle qubit is the target's 2-hop neighbour,
    // and the pairs reach the target only through its coupling to `from`).
    struct site {
        qubit target, idle;
        unsigned pairs = 1;
        std::optional<qubit> from = std::nullopt;
        qubit control() const noexcept { return from.value_or(target); }
    };

    // `zz`: the always-on coupling, charged for the length of each injected CNOT as well.
    explicit cnot_pair_injection(std::vector<site> sites, std::optional<zz_crosstalk> zz = std::nullopt)
        : sites_(std::move(sites)), zz_(std::move(zz)) {
        for (const auto& s : sites_)
            require(s.control() != s.idle && s.target != s.idle, [&] {
                return "cnot_pair_injection: the pairs run from qubit " + std::to_string(s.control()) + " to qubit " +
                       std::to_string(s.idle) + " (target " + std::to_string(s.target) + "): the idle qubit must be another";
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
                    if (zz_) zz_->during_two_qubit_gate(out, s.control(), s.idle);
                    out.add_cnot(s.control(), s.idle);
                    if constexpr (two_qubit_noise_source<Noise>)
                        noise.two_qubit_gate_noise(out, s.control(), s.idle);
                }
            }
        }
    }

private:
    std::vector<site> sites_;
    std::optional<zz_crosstalk> zz_;
};

// Several crosstalk policies at once (the ZZ coupling and injected CNOT pairs), each one's steps
// before a gate in the order given.
template <class... Policies>
class crosstalks {
public:
    static constexpr bool is_noiseless = (Policies::is_noiseless && ...);

    explicit crosstalks(Policies... policies) : policies_(std::move(policies)...) {}

    template <class G, class Noise>
    void before_gate(noise_steps& out, std::size_t gate, const Noise& noise) const {
        std::apply([&](const auto&... p) { (p.template before_gate<G>(out, gate, noise), ...); }, policies_);
    }

private:
    std::tuple<Policies...> policies_;
};

} // namespace qhybrid::quantum
