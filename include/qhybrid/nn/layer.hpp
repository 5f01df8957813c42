// SPDX-License-Identifier: Apache-2.0
#pragma once
// The interface every layer implements. forward() keeps what backward() needs; backward() takes
// dL/d(output), returns dL/d(input) and adds the parameter gradients into the gradient tensors
// (zero them with zero_grad() before each minibatch). A layer's parameters are exposed as
// (name, value, gradient) triples for optimizers and serialization.
#include "qhybrid/nn/tensor.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::nn {

enum class mode { train, eval };

template <class T>
struct parameter {
    std::string name;
    tensor<T>* value;
    tensor<T>* grad;
};

template <class T>
class layer {
public:
    virtual ~layer() = default;
    virtual tensor<T> forward(const tensor<T>& x, mode m) = 0;
    virtual tensor<T> backward(const tensor<T>& dy) = 0;
    virtual std::vector<parameter<T>> parameters() { return {}; }
    // Buffers that are saved with the model but not trained (batch-norm running statistics).
    virtual std::vector<tensor<T>*> buffers() { return {}; }
    // Training-time randomness (dropout masks, QShield's projections) drawn from now on from the
    // layer's stream keyed by `key` (rng::stream(its seed, key)) instead of continuing its own
    // sequence: dist::fit keys every shard of every step, so that a shard draws the same on
    // whichever process runs it. Layers without randomness ignore it; containers pass it on.
    virtual void reseed(std::uint64_t /*key*/) {}
    // "dense(26 -> 64)": names the architecture in messages and saved files.
    virtual std::string describe() const = 0;
    virtual std::unique_ptr<layer> clone() const = 0;

    void zero_grad() {
        for (auto& p : parameters()) p.grad->fill(T(0));
    }
};

// The clone() of a layer type that is copyable.
template <class Derived, class T>
class layer_base : public layer<T> {
public:
    std::unique_ptr<layer<T>> clone() const override {
        return std::make_unique<Derived>(static_cast<const Derived&>(*this));
    }
};

// Every tensor a model saves: its parameters' values, then its buffers.
template <class T>
std::vector<tensor<T>*> weight_tensors(layer<T>& model) {
    std::vector<tensor<T>*> out;
    for (auto& p : model.parameters()) out.push_back(p.value);
    for (auto* b : model.buffers()) out.push_back(b);
    return out;
}

// Every parameter and buffer of a model in one vector (weight_tensors' order), and back: a trained
// model as a plain result (a dist::sweep item's, a checkpoint's).
template <class T>
std::vector<T> weight_values(layer<T>& model) {
    std::vector<T> out;
    for (const auto* w : weight_tensors(model)) out.insert(out.end(), w->data(), w->data() + w->size());
    return out;
}

// values: as many as the model has (else a qhybrid::error, the model unchanged).
template <class T>
void set_weight_values(layer<T>& model, std::span<const T> values) {
    const auto tensors = weight_tensors(model);
    std::size_t count = 0;
    for (const auto* w : tensors) count += w->size();
    require(count == values.size(), [&] {
        return "set_weight_values: " + std::to_string(values.size()) + " values for a model of " + std::to_string(count);
    });
    const T* at = values.data();
    for (auto* w : tensors) std::copy_n(at, w->size(), w->data()), at += w->size();
}

// Copies every parameter and buffer of `from` into `to`, a model of the same architecture,
// converting the element type (a checkpoint restored, or a double model rounded to float).
template <class From, class To>
void copy_weights(layer<From>& from, layer<To>& to) {
    const auto a = weight_tensors(from);
    const auto b = weight_tensors(to);
    require(a.size() == b.size(), [] { return std::string("copy_weights: the models have different tensor counts"); });
    for (std::size_t k = 0; k < a.size(); ++k) {
        require(a[k]->shape() == b[k]->shape(), [&] {
            return "copy_weights: tensor " + std::to_string(k) + " has shape " + to_string(a[k]->shape()) +
                   " in one model and " + to_string(b[k]->shape()) + " in the other";
        });
        std::transform(a[k]->data(), a[k]->data() + a[k]->size(), b[k]->data(), [](From v) { return To(v); });
    }
}

// backward() before forward() is a usage error with a clear message.
template <class T>
void require_forward(const tensor<T>& cached, const char* who) {
    require(cached.size() > 0, [&] { return std::string(who) + ": backward() called before forward()"; });
}

} // namespace qhybrid::nn
