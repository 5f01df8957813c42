// SPDX-License-Identifier: Apache-2.0
#pragma once
// A classical weight read through one qubit of a real device: QNAD's read-out (Kundu et al., HOST
// 2024), reconstructed. The paper publishes neither its encoding nor its schedule nor its crosstalk
// model, so every choice here is ours, stated, and an option.
//
// A value u in [0, 1] is played as RY(theta), theta = 2 asin(sqrt u), so that a perfect device
// reads 1 with probability u. The device plays it as h rz(theta) h (Qiskit's transpilation of ry:
// two sx, the rz virtual), each gate with Aer's noise of its natives on that qubit (device_noise)
// and the calibrated ZZ coupling for its length (zz_crosstalk, in the calibrated frame: the device's
// frequencies are calibrated with the neighbours in |0>, so only an excited neighbour moves the
// qubit's phase, and neighbours nothing drives can be left out exactly). QNAD's injected crosstalk:
// before each gate, `pairs` pairs of CNOTs from the qubit to an idle 1-hop neighbour and, with
// hops = 2, from that neighbour to an idle 2-hop one (cnot_pair_injection; readout_layout),
// each with its noise and the ZZ of the pairs it shares a qubit with. Then the qubit's readout
// confusion and `shots` measurements: u' = ones / shots.
//
// In this model the calibrated ZZ coupling changes no read-out (a test holds it to that): it acts
// only between excited qubits, and the only neighbour ever excited is the injected pair's partner,
// whose coupling to the qubit is part of the calibrated CNOT. The injected crosstalk acts through
// the noise of the injected CNOTs.
//
// Each step is linear in the state and theta enters through one virtual rz, so the probability of
// reading 1 is a + b cos theta + c sin theta exactly (readout_curve): three density matrices per
// qubit give it for every weight, and a read-out costs one binomial draw.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/crosstalk.hpp"
#include "qhybrid/quantum/density_matrix.hpp"
#include "qhybrid/quantum/device.hpp"
#include "qhybrid/quantum/device_noise.hpp"
#include "qhybrid/quantum/executor.hpp"
#include "qhybrid/quantum/gates.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

namespace qhybrid::quantum {

struct readout_options {
    double noise_scale = 1; // every calibrated gate and readout error times this (0: a perfect device)
    double zz_scale = 1;    // the calibrated ZZ couplings times this (0: none)
    unsigned pairs = 0;     // injected CNOT pairs before each gate (0: the device's own noise only)
    unsigned hops = 1;      // 1: the pairs go to a 1-hop neighbour; 2: also from it to a 2-hop one
};

// The probability of reading 1 against the encoded angle.
struct readout_curve {
    double a = 0.5, b = -0.5, c = 0; // a perfect device: sin^2(theta / 2)
    double p1(double theta) const noexcept { return a + b * std::cos(theta) + c * std::sin(theta); }
};

// The angle that encodes u in [0, 1].
inline double readout_angle(double u) noexcept { return 2 * std::asin(std::sqrt(std::clamp(u, 0.0, 1.0))); }

using readout_circuit = circuit<h<0>, rz<0, input<0>>, h<0>>;

// The simulated qubits of a read-out on physical qubit q: q, its idle 1-hop neighbour (the
// lowest-numbered; with hops = 2, the lowest-numbered that has a neighbour of its own) and, with
// hops = 2, that neighbour's lowest-numbered other neighbour (logical 0, 1, 2).
inline std::vector<qubit> readout_layout(const device_model& device, qubit q, unsigned hops) {
    require(hops == 1 || hops == 2, [&] { return "weight read-out: hops must be 1 or 2, got " + std::to_string(hops); });
    for (qubit first : device.neighbours(q)) {
        if (hops == 1) return {q, first};
        const auto second = cnot_pair_injection::idle_neighbours(device, first, 1, {q});
        if (!second.empty()) return {q, first, second.front()};
    }
    fail(device.name() + ": qubit " + std::to_string(q) + " has no " + (hops == 1 ? "neighbour" : "2-hop neighbour"));
}

// The read-out executor of physical qubit q: the circuit on the device with its noise, ZZ and
// injected pairs.
inline auto readout_executor(const device_model& device, qubit q, const readout_options& o) {
    const auto layout = readout_layout(device, q, o.hops);
    const auto zz = zz_crosstalk::calibrated(device, layout, o.zz_scale);
    std::vector<cnot_pair_injection::site> sites;
    if (o.pairs > 0) {
        sites.push_back({0, 1, o.pairs});
        if (o.hops == 2) sites.push_back({0, 2, o.pairs, qubit{1}});
    }
    using policies = crosstalks<zz_crosstalk, cnot_pair_injection>;
    return executor<readout_circuit, device_noise, policies>(device_noise::place<readout_circuit>(device, layout, o.noise_scale),
                                                             policies(zz, cnot_pair_injection(std::move(sites), zz)));
}

// The probability of reading 1 from physical qubit q at angle theta, by one density matrix.
inline double readout_probability(const device_model& device, qubit q, const readout_options& o, double theta) {
    const auto ex = readout_executor(device, q, o);
    density_matrix<3> rho;
    const double x[1] = {theta};
    ex.run(rho, {}, x);
    const double p1 = (1 - expval_z(rho)[0]) / 2;
    const auto e = device.readout({q}, o.noise_scale)[0];
    return e.p1_given_0 * (1 - p1) + (1 - e.p0_given_1) * p1;
}

// The curve of physical qubit q: at theta = 0, pi / 2 and pi it is a + b, a + c, a - b.
inline readout_curve readout_curve_of(const device_model& device, qubit q, const readout_options& o) {
    const double at0 = readout_probability(device, q, o, 0), at90 = readout_probability(device, q, o, std::numbers::pi / 2),
                 at180 = readout_probability(device, q, o, std::numbers::pi);
    const double a = (at0 + at180) / 2;
    return {a, (at0 - at180) / 2, at90 - a};
}

// Weights read through a device: every qubit's curve, once, then one binomial draw a read-out.
class weight_reader {
public:
    weight_reader(const device_model& device, const readout_options& o, std::uint64_t shots) : shots_(shots) {
        require(shots >= 1 && shots <= (std::uint64_t{1} << 32), [&] {
            return "weight read-out: " + std::to_string(shots) + " shots (needs 1 to 2^32)";
        });
        require(std::isfinite(o.noise_scale) && o.noise_scale >= 0 && std::isfinite(o.zz_scale), [&] {
            return "weight read-out: noise scale " + number(o.noise_scale) + " and ZZ scale " + number(o.zz_scale) +
                   " must be finite, the noise scale >= 0";
        });
        for (qubit q = 0; q < device.num_qubits(); ++q) curves_.push_back(readout_curve_of(device, q, o));
    }

    // u in [0, 1] read on physical qubit q.
    double read(double u, qubit q, rng& gen) const {
        const double p = std::clamp(curves_.at(q).p1(readout_angle(u)), 0.0, 1.0);
        return double(gen.binomial(shots_, p)) / double(shots_);
    }
    // What read() returns on average.
    double expected(double u, qubit q) const { return std::clamp(curves_.at(q).p1(readout_angle(u)), 0.0, 1.0); }

    const std::vector<readout_curve>& curves() const noexcept { return curves_; }
    std::uint64_t shots() const noexcept { return shots_; }

private:
    std::uint64_t shots_;
    std::vector<readout_curve> curves_;
};

} // namespace qhybrid::quantum
