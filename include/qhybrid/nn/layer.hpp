#pragma once
// The interface every layer implements. forward() keeps what backward() needs; backward() takes
// dL/d(output), returns dL/d(input) and adds the parameter gradients into the gradient tensors
// (zero them with zero_grad() before each minibatch). A layer's parameters are exposed as
// (name, value, gradient) triples for optimizers and serialization.
#include "qhybrid/nn/tensor.hpp"

#include <memory>
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

// backward() before forward() is a usage error with a clear message.
template <class T>
void require_forward(const tensor<T>& cached, const char* who) {
    require(cached.size() > 0, [&] { return std::string(who) + ": backward() called before forward()"; });
}

} // namespace qhybrid::nn
