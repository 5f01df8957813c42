// SPDX-License-Identifier: Apache-2.0
#pragma once
// What an attack needs of a model, and nn's models seen that way.
//
// An attack_model maps a batch of inputs to logits, drawing any randomness it has (noise, random
// projections) from the generator it is given, and then returns the gradient of a function of
// those logits with respect to the inputs (the cotangent dL/dlogits in, dL/dx out), for the call
// just made. Rows are independent samples: row b of the gradient depends on row b alone.
// Usage:
//   robust::network model(net);           // any nn::layer in evaluation mode
//   auto z = model.logits(x, gen);
//   auto dx = model.input_gradient(dz);
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/layer.hpp"

#include <concepts>
#include <utility>

namespace qhybrid::robust {

template <class M>
concept attack_model = requires(M& m, const nn::tensor<typename M::value_type>& t, rng& gen) {
    typename M::value_type;
    { m.logits(t, gen) } -> std::same_as<nn::tensor<typename M::value_type>>;
    { m.input_gradient(t) } -> std::same_as<nn::tensor<typename M::value_type>>;
};

// A model whose randomness lies after a deterministic front end (a waveform's features, say)
// lets EOT pay for the front end once: a forward pass of the input just seen reuses its
// output, accumulate_gradient adds one draw's cotangent at the front end's output, and
// accumulated_gradient runs the front end's backward pass on the sum (it is linear in the
// cotangent) and clears it. input_gradient(d) is accumulate_gradient(d), then accumulated_gradient().
template <class M>
concept front_end_model = attack_model<M> && requires(M& m, const nn::tensor<typename M::value_type>& t) {
    m.accumulate_gradient(t);
    { m.accumulated_gradient() } -> std::same_as<nn::tensor<typename M::value_type>>;
};

namespace detail {

// A front_end_model's running sum of the draws' cotangents: the first is taken as it is, so
// that one draw's gradient keeps its bits.
template <class T>
void add_draw(nn::tensor<T>& sum, nn::tensor<T> cotangent) {
    if (sum.size() == 0) {
        sum = std::move(cotangent);
        return;
    }
    for (std::size_t i = 0; i < cotangent.size(); ++i) sum[i] += cotangent[i];
}

} // namespace detail

// An nn model in evaluation mode (batch norm with its running statistics, dropout off), so rows
// are independent and the model is deterministic. The parameter gradients that backward()
// accumulates on the way are cleared: attacking a model leaves its training state as it was.
template <class T>
class network {
public:
    using value_type = T;

    explicit network(nn::layer<T>& net) : net_(&net) {}

    nn::tensor<T> logits(const nn::tensor<T>& x, rng&) { return net_->forward(x, nn::mode::eval); }

    nn::tensor<T> input_gradient(const nn::tensor<T>& dlogits) {
        nn::tensor<T> dx = net_->backward(dlogits);
        net_->zero_grad();
        return dx;
    }

private:
    nn::layer<T>* net_;
};

template <class T>
network(nn::layer<T>&) -> network<T>;

static_assert(attack_model<network<double>>, "robust::network is what every attack takes");

// A model whose layer keeps a generator of its own (the faithful QShield's projection, drawn per
// call), made to draw from the attack's generator: each call first reseeds the layer
// (layer::reseed) with one number drawn from it. The model then keeps the attack_model contract,
// and an attack's result depends on its own streams alone, not on what the layer drew before
// (another attack, or another block of rows on this process).
template <attack_model M>
class reseeding {
public:
    using value_type = typename M::value_type;

    reseeding(M& model, nn::layer<value_type>& layer) : model_(&model), layer_(&layer) {}

    nn::tensor<value_type> logits(const nn::tensor<value_type>& x, rng& gen) {
        layer_->reseed(gen());
        return model_->logits(x, gen);
    }
    nn::tensor<value_type> input_gradient(const nn::tensor<value_type>& dlogits) { return model_->input_gradient(dlogits); }
    void accumulate_gradient(const nn::tensor<value_type>& d)
        requires front_end_model<M>
    {
        model_->accumulate_gradient(d);
    }
    nn::tensor<value_type> accumulated_gradient()
        requires front_end_model<M>
    {
        return model_->accumulated_gradient();
    }

private:
    M* model_;
    nn::layer<value_type>* layer_;
};

static_assert(attack_model<reseeding<network<double>>> && !front_end_model<reseeding<network<double>>>);

// A random model with its randomness frozen: every call draws from the same generator state, so
// the attack sees one fixed draw (the fixed-noise control of an evaluation: an attack that
// succeeds once the randomness is frozen and fails against fresh draws was beaten by the draws,
// not by the model).
template <attack_model M>
class frozen {
public:
    using value_type = typename M::value_type;

    frozen(M& model, std::uint64_t seed) : model_(&model), seed_(seed) {}

    nn::tensor<value_type> logits(const nn::tensor<value_type>& x, rng&) {
        rng draw(seed_);
        return model_->logits(x, draw);
    }
    nn::tensor<value_type> input_gradient(const nn::tensor<value_type>& dlogits) { return model_->input_gradient(dlogits); }

private:
    M* model_;
    std::uint64_t seed_;
};

static_assert(attack_model<frozen<network<double>>>);

} // namespace qhybrid::robust
