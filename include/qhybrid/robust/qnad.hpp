// SPDX-License-Identifier: Apache-2.0
#pragma once
// QNAD (Kundu, Choudhury, Das, Raha, Basu, HOST 2024): a trained network whose weights are read
// through a real device's noise, with crosstalk injected into the qubits that hold its
// loss-critical weights, as a defence against adversarial inputs. Only the paper's abstract and
// figures are public; this is a reconstruction, and each of its choices is an option:
//
// - selection (critical_weights): the top `fraction` of all parameters by |dL/dw| (or |w dL/dw|)
//   of the mean cross-entropy on clean training data, the network in evaluation mode;
// - read-out (quantum/weight_readout.hpp): a parameter's place u in [0, 1] between its tensor's
//   smallest and largest value, read through one qubit with `shots` measurements and decoded as
//   lo + (hi - lo) u'; the selected ones with injected CNOT pairs, the others (with read_others)
//   through the same device without them, so that the device's own noise and the injection can be
//   told apart;
// - schedule: the j-th parameter read sits on qubit j mod n of the device, its neighbours idle
//   (reading one parameter per neighbourhood at a time: rounds cost time on the device, and
//   nothing in the simulation);
// - every logits() call reads every such parameter afresh (one draw for the whole batch), from the
//   generator it is given: an attack sees a random model and must use EOT.
//
//   auto chosen = robust::critical_weights(net, x_train, y_train, 0.01);
//   robust::qnad_network model(net, nairobi, chosen, {.shots = 1024});
//   auto z = model.logits(x, gen);
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/train.hpp"
#include "qhybrid/quantum/weight_readout.hpp"
#include "qhybrid/robust/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace qhybrid::robust {

enum class saliency { gradient, gradient_times_weight };

// Flat indices, over net.parameters() in their order and each tensor's elements in order, of the
// ceil(fraction * total) parameters with the largest |dL/dw| (or |w dL/dw|) for the mean
// cross-entropy over (x, labels), in increasing order; ties go to the lower index. The parameter
// gradients are left at zero.
template <class T>
std::vector<std::size_t> critical_weights(nn::layer<T>& net, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                                          double fraction, saliency rank = saliency::gradient, std::size_t batch = 256) {
    require(fraction > 0 && fraction <= 1 && x.rank() >= 1 && x.dim(0) == labels.size() && !labels.empty() && batch > 0, [&] {
        return "critical_weights: fraction " + number(fraction) + " (needs (0, 1]), " + std::to_string(labels.size()) +
               " labels for " + std::to_string(x.rank() ? x.dim(0) : 0) + " rows";
    });
    net.zero_grad();
    const std::size_t n = labels.size();
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t rows = std::min(batch, n - first);
        std::vector<std::size_t> idx(rows);
        std::iota(idx.begin(), idx.end(), first);
        const auto loss = nn::cross_entropy(net.forward(nn::gather_rows(x, idx), nn::mode::eval), labels.subspan(first, rows));
        auto g = loss.grad;
        for (T& v : g.values()) v *= T(double(rows) / double(n)); // the mean over all n rows
        net.backward(g);
    }
    std::vector<double> score;
    for (const auto& p : net.parameters())
        for (std::size_t i = 0; i < p.value->size(); ++i) {
            const double g = double((*p.grad)[i]);
            score.push_back(std::abs(rank == saliency::gradient ? g : g * double((*p.value)[i])));
        }
    net.zero_grad();
    const auto k = std::size_t(std::ceil(fraction * double(score.size()) - 1e-9));
    std::vector<std::size_t> order(score.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto before = [&](std::size_t a, std::size_t b) { return score[a] != score[b] ? score[a] > score[b] : a < b; };
    std::nth_element(order.begin(), order.begin() + long(k - 1), order.end(), before);
    order.resize(k);
    std::sort(order.begin(), order.end());
    return order;
}

struct qnad_options {
    std::uint64_t shots = 1024;
    quantum::readout_options injected{.pairs = 1}; // the selected parameters' read-out
    bool read_others = false;                      // the others through the device too, without injection
    quantum::readout_options others{};             // (their read-out; pairs are ignored)
};

// A network read through a device at every call (an attack_model). It changes the network's
// parameters while it lives and puts the trained values back when it goes.
template <class T>
class qnad_network {
public:
    using value_type = T;

    qnad_network(nn::layer<T>& net, const quantum::device_model& device, std::span<const std::size_t> selected, const qnad_options& o = {})
        : net_(&net), injected_(device, o.injected, o.shots), others_(device, without_pairs(o.others), o.shots) {
        const auto params = net.parameters();
        std::vector<std::uint8_t> chosen;
        for (const auto& p : params) chosen.resize(chosen.size() + p.value->size(), 0);
        for (std::size_t i : selected) {
            require(i < chosen.size(), [&] {
                return "qnad_network: selected parameter " + std::to_string(i) + " of a network of " + std::to_string(chosen.size());
            });
            chosen[i] = 1;
        }
        std::size_t flat = 0, placed = 0;
        for (std::size_t t = 0; t < params.size(); ++t) {
            const auto v = std::as_const(*params[t].value).values();
            const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
            for (std::size_t i = 0; i < v.size(); ++i, ++flat) {
                if (!chosen[flat] && !o.read_others) continue;
                const auto q = quantum::qubit(placed++ % device.num_qubits());
                const double range = double(*hi) - double(*lo), u = range > 0 ? (double(v[i]) - double(*lo)) / range : 0.5;
                const auto& reader = chosen[flat] ? injected_ : others_;
                reads_.push_back({t, i, double(*lo), range, binomial(o.shots, reader.expected(u, q)), v[i]});
            }
        }
    }
    qnad_network(const qnad_network&) = delete;
    qnad_network& operator=(const qnad_network&) = delete;
    ~qnad_network() { restore(); }

    nn::tensor<T> logits(const nn::tensor<T>& x, rng& gen) {
        auto params = net_->parameters();
        const double shots = double(injected_.shots());
        for (const auto& r : reads_) (*params[r.tensor].value)[r.index] = T(r.lo + r.range * double(r.ones(gen)) / shots);
        return net_->forward(x, nn::mode::eval);
    }

    nn::tensor<T> input_gradient(const nn::tensor<T>& dlogits) {
        nn::tensor<T> dx = net_->backward(dlogits);
        net_->zero_grad();
        return dx;
    }

    // The trained values back in the network (the destructor does this too).
    void restore() {
        auto params = net_->parameters();
        for (const auto& r : reads_) (*params[r.tensor].value)[r.index] = r.trained;
    }

    std::size_t parameters_read() const noexcept { return reads_.size(); }
    const quantum::weight_reader& injected_reader() const noexcept { return injected_; }
    const quantum::weight_reader& other_reader() const noexcept { return others_; }

private:
    static quantum::readout_options without_pairs(quantum::readout_options o) {
        o.pairs = 0;
        return o;
    }

    struct read {
        std::size_t tensor, index;
        double lo, range;
        binomial ones; // of the shots: the probability of reading 1 is fixed by the trained value
        T trained;
    };

    nn::layer<T>* net_;
    quantum::weight_reader injected_, others_;
    std::vector<read> reads_;
};

static_assert(attack_model<qnad_network<double>>, "QNAD is attacked like any random model");

} // namespace qhybrid::robust
