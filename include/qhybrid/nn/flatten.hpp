#pragma once
// flatten: [batch, ...] -> [batch, product of the rest].
#include "qhybrid/nn/layer.hpp"

namespace qhybrid::nn {

template <class T>
class flatten : public layer_base<flatten<T>, T> {
public:
    tensor<T> forward(const tensor<T>& x, mode) override {
        require(x.rank() >= 1, [] { return std::string("flatten: input without a batch dimension"); });
        in_shape_ = x.shape();
        return x.reshaped({x.dim(0), x.row_size()});
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require(!in_shape_.empty(), [] { return std::string("flatten: backward() called before forward()"); });
        return dy.reshaped(in_shape_);
    }
    std::string describe() const override { return "flatten"; }

private:
    shape_t in_shape_;
};

} // namespace qhybrid::nn
