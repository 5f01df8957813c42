// SPDX-License-Identifier: Apache-2.0
#pragma once
// How device_noise (device_noise.hpp) maps a gate onto a device: the router moves logical qubits
// along the coupling map with SWAPs and hands every native gate a gate declares it costs
// (natives_of, gate_contract.hpp), in the device's direction rule, to a callback.
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/device.hpp"
#include "qhybrid/quantum/gates.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace qhybrid::quantum::detail {

// A two-qubit gate's control (or first qubit), from which its native gates run.
template <class G>
constexpr qubit control_of() {
    if constexpr (G::shape == gate_shape::matrix) return std::countr_zero(G::controls);
    else return G::a;
}

// A two-qubit gate's target (or second qubit); a one-qubit gate's qubit.
template <class G>
constexpr qubit target_of() {
    if constexpr (G::shape == gate_shape::matrix) return G::target;
    else if constexpr (G::shape == gate_shape::barrier) return std::countr_zero(G::qubits);
    else return G::b; // a one-qubit diagonal gate's b is its a
}

// SWAP routing: where each logical qubit is, and which logical qubit each physical one holds.
class router {
public:
    router(const device_model& device, std::vector<qubit> layout) : device_(&device), where_(std::move(layout)) {
        held_.assign(device.num_qubits(), -1);
        for (std::size_t l = 0; l < where_.size(); ++l) {
            device.calibration(where_[l]); // in range
            require(held_[where_[l]] < 0, [&] {
                return "device_noise: physical qubit " + std::to_string(where_[l]) + " appears twice in the layout";
            });
            held_[where_[l]] = int(l);
        }
    }

    // Routes gate G: calls native(before, name, physical) for each native gate, the SWAPs' before
    // the gate (each called before the SWAP relabels), then the gate's own.
    template <class G, class Native>
    void gate(Native&& native) {
        constexpr auto count = natives_of<G>();
        if constexpr (count.two_qubit > 0) {
            constexpr std::uint64_t m = G::qubits;
            const qubit a = std::countr_zero(m), b = std::countr_zero(m & (m - 1));
            if (!device_->coupled(where_[a], where_[b])) {
                const auto path = device_->shortest_path(where_[a], where_[b]);
                for (std::size_t i = 0; i + 2 < path.size(); ++i) {
                    swap_natives(true, path[i], path[i + 1], native);
                    std::swap(held_[path[i]], held_[path[i + 1]]);
                    for (qubit p : {path[i], path[i + 1]})
                        if (held_[p] >= 0) where_[held_[p]] = p;
                    ++swaps_;
                }
            }
        }
        qubit t = where_[target_of<G>()];
        if constexpr (count.two_qubit > 0) {
            qubit c = where_[control_of<G>()];
            if constexpr (G::shape == gate_shape::swap) {
                swap_natives(false, c, t, native);
            } else {
                if (count.symmetric) std::tie(c, t) = oriented(c, t);
                for (unsigned k = 0; k < count.two_qubit; ++k) two_qubit(false, c, t, native);
            }
        }
        for (unsigned k = 0; k < count.sx; ++k) native(false, std::string("sx"), std::vector<qubit>{t});
        for (unsigned k = 0; k < count.x; ++k) native(false, std::string("x"), std::vector<qubit>{t});
    }

    // The natives of a two-qubit gate from physical c to t, in the device's direction rule.
    template <class Native>
    void two_qubit(bool before, qubit c, qubit t, Native&& native) const {
        for (const auto& g : device_->two_qubit_natives(c, t)) native(before, g.name, g.on);
    }

    int logical_at(qubit physical) const { return held_[physical]; }
    const std::vector<qubit>& where() const noexcept { return where_; }
    std::size_t swaps() const noexcept { return swaps_; }

private:
    // A symmetric gate between c and t runs from c unless only the direction from t is calibrated.
    std::pair<qubit, qubit> oriented(qubit c, qubit t) const {
        return device_->calibrated(device_->two_qubit_gate(), {c, t}) ? std::pair{c, t} : std::pair{t, c};
    }

    // SWAP = cx(c, t) cx(t, c) cx(c, t): the middle one runs the other way.
    template <class Native>
    void swap_natives(bool before, qubit p, qubit q, Native&& native) const {
        const auto [c, t] = oriented(p, q);
        two_qubit(before, c, t, native);
        two_qubit(before, t, c, native);
        two_qubit(before, c, t, native);
    }

    const device_model* device_;
    std::vector<qubit> where_;
    std::vector<int> held_;
    std::size_t swaps_ = 0;
};

} // namespace qhybrid::quantum::detail
