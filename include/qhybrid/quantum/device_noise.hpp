// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `device_noise` policy: a circuit placed on a real device (device.hpp) and charged, gate by
// gate, with Qiskit Aer's noise of the native gates that implement it.
//
// Usage:
//   const auto nairobi = device_model::load(data / "ibm-backends/nairobi");
//   executor<my_circuit, device_noise> ex(device_noise::place<my_circuit>(nairobi, {0, 1, 3, 5, 4, 6}), {});
//
// Placement and routing: logical qubit i starts on physical qubit layout[i] (`choose_layout`
// finds one needing the fewest SWAPs); a layout may name more qubits than the circuit has
// (simulated idle neighbours, for cnot_pair_injection). Before a two-qubit gate on uncoupled
// qubits, SWAPs move the first qubit along a shortest path of the coupling map until it is a
// neighbour of the second; the layout then stays changed. The state is simulated
// on the logical qubits only: an ideal SWAP merely relabels where a logical qubit lives, and its
// three native two-qubit gates add their noise. When one side of a SWAP holds no logical qubit
// (an idle device qubit in |0>), the two-qubit depolarizing channel reduces, on the logical side,
// to the one-qubit depolarizing channel of the same parameter (exact for a product with |0><0|).
//
// Native gates charged for each gate type (IBM's basis: rz is virtual and free, sx, x, and cx or
// ecr): as each gate declares them (gates.hpp, `natives`). E.g. rz, z, s, t, phase: none; x, y:
// one x; h: one sx; rx, ry: two sx; cnot: one two-qubit gate; cz: one two-qubit gate and two sx
// on the target (its Hadamards); swap: three two-qubit gates.
//
// Directions, as Aer keys its errors by the instruction's qubits in order: a native two-qubit
// gate from physical c to t is charged the calibration of (c, t), never that of (t, c) (on the
// 7-qubit devices both exist, 36 ns apart). A controlled gate runs from its control to its
// target; a symmetric one as Qiskit defines it (cz = h(b) cx(a, b) h(b), rzz = cx(a, b) rz(b)
// cx(a, b), swap = cx(a, b) cx(b, a) cx(a, b), a routing SWAP from the moving qubit), turned the
// other way round when only (b, a) is calibrated. A direction the device does not calibrate
// (brisbane's ECR) is the calibrated one plus four sx (device_model::two_qubit_natives).
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/device.hpp"
#include "qhybrid/quantum/device_router.hpp"
#include "qhybrid/quantum/policies.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace qhybrid::quantum {

class device_noise {
public:
    static constexpr bool is_noiseless = false;

    // Places Circuit on `device` with logical qubit i on physical qubit layout[i], routes it, and
    // precomputes the noise of every gate. `scale` multiplies every calibrated error (0 to 3 in
    // the noisy_qnn example; 0 is noiseless).
    template <class Circuit>
    static device_noise place(const device_model& device, std::vector<qubit> layout, double scale = 1) {
        require(layout.size() >= Circuit::num_qubits, [&] {
            return "device_noise: the layout places " + std::to_string(layout.size()) + " qubit(s), the circuit has " +
                   std::to_string(Circuit::num_qubits);
        });
        device_noise d(std::move(layout), scale);
        detail::router r(device, d.layout_);
        // CNOTs between neighbours of the initial layout, each direction its own, for injected
        // crosstalk.
        for (qubit a = 0; a < d.layout_.size(); ++a)
            for (qubit b = 0; b < d.layout_.size(); ++b)
                if (a != b && device.coupled(d.layout_[a], d.layout_[b])) {
                    std::vector<native_use> uses;
                    r.two_qubit(false, d.layout_[a], d.layout_[b], [&](bool, const std::string& name, std::vector<qubit> on) {
                        d.add(device, r, uses, name, std::move(on));
                    });
                    d.neighbour_gates_.push_back({{a, b}, std::move(uses)});
                }
        d.two_qubit_natives_ = 0;
        d.gates_.resize(Circuit::num_gates);
        std::size_t index = 0;
        Circuit::for_each_gate([&](auto g, std::size_t) {
            auto& placed = d.gates_[index++];
            r.template gate<typename decltype(g)::type>([&](bool before, const std::string& name, std::vector<qubit> on) {
                d.add(device, r, before ? placed.before : placed.after, name, std::move(on));
            });
        });
        d.final_ = r.where();
        d.swaps_ = r.swaps();
        d.readout_ = device.readout(d.final_, scale);
        return d;
    }

    // SWAPs that routing Circuit from `layout` inserts.
    template <class Circuit>
    static std::size_t routing_swaps(const device_model& device, std::vector<qubit> layout) {
        detail::router r(device, std::move(layout));
        Circuit::for_each_gate([&](auto g, std::size_t) { r.template gate<typename decltype(g)::type>([](auto&&...) {}); });
        return r.swaps();
    }

    // Qubit placement: the layout of Circuit::num_qubits qubits that needs the fewest SWAPs, among
    // simple paths of the coupling map (a chain of neighbours; at most `max_paths` tried) and a
    // breadth-first set from every qubit. A circuit whose two-qubit gates follow a chain needs none
    // on a device with a path that long.
    template <class Circuit>
    static std::vector<qubit> choose_layout(const device_model& device, std::size_t max_paths = 20000) {
        constexpr std::size_t n = Circuit::num_qubits;
        std::vector<qubit> best;
        std::size_t best_swaps = 0, tried = 0;
        const auto consider = [&](const std::vector<qubit>& layout) {
            const std::size_t s = routing_swaps<Circuit>(device, layout);
            if (best.empty() || s < best_swaps) best = layout, best_swaps = s;
            return s == 0;
        };
        std::vector<qubit> path;
        std::vector<bool> on_path(device.num_qubits());
        // Depth-first over simple paths; true when a layout without SWAPs turned up.
        const auto extend = [&](auto&& self) -> bool {
            if (path.size() == n) return ++tried, consider(path);
            for (qubit next : device.neighbours(path.back())) {
                if (on_path[next] || tried >= max_paths) continue;
                path.push_back(next), on_path[next] = true;
                const bool done = self(self);
                path.pop_back(), on_path[next] = false;
                if (done) return true;
            }
            return false;
        };
        for (qubit start = 0; start < device.num_qubits(); ++start) {
            path = {start}, on_path[start] = true;
            const bool done = extend(extend);
            on_path[start] = false;
            if (done) return best;
        }
        for (qubit start = 0; start < device.num_qubits(); ++start)
            if (consider(connected_layout(device, n, start))) break;
        return best;
    }

    // The first n qubits of a breadth-first walk of the coupling map from `start`: a connected
    // layout.
    static std::vector<qubit> connected_layout(const device_model& device, std::size_t n, qubit start = 0) {
        std::vector<qubit> order{start};
        std::vector<bool> seen(device.num_qubits());
        device.calibration(start);
        seen[start] = true;
        for (std::size_t i = 0; i < order.size() && order.size() < n; ++i)
            for (qubit other : device.neighbours(order[i]))
                if (!seen[other] && order.size() < n) seen[other] = true, order.push_back(other);
        require(order.size() == n, [&] {
            return device.name() + ": no connected set of " + std::to_string(n) + " qubits from qubit " + std::to_string(start);
        });
        return order;
    }

    template <class G>
    void before_gate(noise_steps& out, std::size_t gate) const {
        for (const auto& use : gates_.at(gate).before) emit(out, use);
    }
    template <class G>
    void after_gate(noise_steps& out, std::size_t gate) const {
        for (const auto& use : gates_.at(gate).after) emit(out, use);
    }

    // The noise of a CNOT from logical qubit a to b, neighbours in the initial layout (for
    // cnot_pair_injection).
    void two_qubit_gate_noise(noise_steps& out, qubit a, qubit b) const {
        for (const auto& [pair, uses] : neighbour_gates_)
            if (pair == std::pair{a, b}) {
                for (const auto& use : uses) emit(out, use);
                return;
            }
        fail("device_noise: logical qubits " + std::to_string(a) + " and " + std::to_string(b) +
             " are not neighbours on the device");
    }

    // Where each logical qubit ends up (its read-out is there).
    const std::vector<qubit>& final_layout() const noexcept { return final_; }
    // Routing overhead: SWAPs inserted, each three native two-qubit gates.
    std::size_t swaps() const noexcept { return swaps_; }
    std::size_t native_two_qubit_gates() const noexcept { return two_qubit_natives_; }
    // Readout confusion of the logical qubits where they are measured, scaled like the gates.
    const readout_confusion& readout() const noexcept { return readout_; }

private:
    device_noise(std::vector<qubit> layout, double scale) : layout_(std::move(layout)), scale_(scale) {}

    struct native_noise {
        native_gate_noise aer;
        qubit_channel depolarizing_one; // the one-qubit depolarizing of the same parameter
    };
    // One native gate: its noise and the logical qubits on its physical ones (-1: none).
    struct native_use {
        std::size_t noise;
        std::array<int, 2> logical;
        unsigned arity;
    };
    struct placed_gate {
        std::vector<native_use> before, after;
    };

    // Records a native gate (its noise computed once per gate and qubits) and the logical qubits
    // its physical ones hold now.
    void add(const device_model& device, const detail::router& r, std::vector<native_use>& to, const std::string& name,
             std::vector<qubit> physical) {
        const std::pair key{name, physical};
        std::size_t i = 0;
        while (i < keys_.size() && keys_[i] != key) ++i;
        if (i == keys_.size()) {
            keys_.push_back(key);
            auto aer = device.noise(name, physical, scale_);
            const double p = aer.depolarizing;
            noises_.push_back({std::move(aer), qubit_channel::depolarizing(p)});
        }
        if (physical.size() == 2) ++two_qubit_natives_;
        native_use use{i, {-1, -1}, unsigned(physical.size())};
        for (std::size_t k = 0; k < physical.size(); ++k) use.logical[k] = r.logical_at(physical[k]);
        to.push_back(use);
    }

    void emit(noise_steps& out, const native_use& use) const {
        const auto& n = noises_[use.noise];
        const int a = use.logical[0], b = use.logical[1];
        if (n.aer.depolarizing > 0) {
            if (use.arity == 2 && a >= 0 && b >= 0) out.add_depolarizing_pair(qubit(a), qubit(b), n.aer.depolarizing);
            else if (a >= 0) out.add(n.depolarizing_one, qubit(a));
            else if (b >= 0) out.add(n.depolarizing_one, qubit(b));
        }
        for (unsigned k = 0; k < use.arity; ++k)
            if (use.logical[k] >= 0) out.add(n.aer.relaxation[k], qubit(use.logical[k]));
    }

    std::vector<qubit> layout_, final_;
    double scale_;
    std::vector<placed_gate> gates_;
    std::vector<std::pair<std::pair<qubit, qubit>, std::vector<native_use>>> neighbour_gates_;
    std::vector<std::pair<std::string, std::vector<qubit>>> keys_;
    std::vector<native_noise> noises_;
    std::size_t swaps_ = 0, two_qubit_natives_ = 0;
    readout_confusion readout_{{}};
};

} // namespace qhybrid::quantum
