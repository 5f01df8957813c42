// SPDX-License-Identifier: Apache-2.0
#pragma once
// Layers that change only the view of each sample: flatten ([batch, ...] -> [batch, product of
// the rest]) and reshape ([batch, ...] -> [batch, shape...], same number of values per sample).
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

template <class T>
class reshape : public layer_base<reshape<T>, T> {
public:
    explicit reshape(shape_t sample_shape) : sample_(std::move(sample_shape)) {
        require(!sample_.empty(), [] { return std::string("reshape: empty sample shape"); });
    }
    tensor<T> forward(const tensor<T>& x, mode) override {
        require(x.rank() >= 1 && x.row_size() == sample_size(), [&] {
            return "reshape: input of shape " + to_string(x.shape()) + " does not have " +
                   std::to_string(sample_size()) + " values per sample for " + to_string(sample_);
        });
        in_shape_ = x.shape();
        shape_t s{x.dim(0)};
        s.insert(s.end(), sample_.begin(), sample_.end());
        return x.reshaped(s);
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require(!in_shape_.empty(), [] { return std::string("reshape: backward() called before forward()"); });
        return dy.reshaped(in_shape_);
    }
    std::string describe() const override { return "reshape(" + to_string(sample_) + ")"; }
    const shape_t& sample_shape() const noexcept { return sample_; }

private:
    std::size_t sample_size() const { return element_count(sample_); }
    shape_t sample_, in_shape_;
};

} // namespace qhybrid::nn
