// SPDX-License-Identifier: Apache-2.0
#pragma once
// dense(in, out): y = x W + b for x of shape [batch, in]; W is [in, out]. Initialized like
// PyTorch's nn.Linear: W and b uniform in +-1/sqrt(in).
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/gemm.hpp"
#include "qhybrid/nn/layer.hpp"

#include <cmath>

namespace qhybrid::nn {

template <class T>
class dense : public layer_base<dense<T>, T> {
public:
    dense(std::size_t in, std::size_t out, rng& gen) : w_({in, out}), b_({out}), dw_({in, out}), db_({out}) {
        require(in > 0 && out > 0, [] { return std::string("dense: sizes must be positive"); });
        const double bound = 1 / std::sqrt(double(in));
        for (auto& v : w_.values()) v = T(gen.uniform(-bound, bound));
        for (auto& v : b_.values()) v = T(gen.uniform(-bound, bound));
    }

    std::size_t inputs() const noexcept { return w_.dim(0); }
    std::size_t outputs() const noexcept { return w_.dim(1); }

    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, inputs()}, "dense");
        x_ = x;
        tensor<T> y({x.dim(0), outputs()});
        for (std::size_t i = 0; i < x.dim(0); ++i) std::copy(b_.data(), b_.data() + outputs(), y.row(i).data());
        gemm::ab(x.dim(0), outputs(), inputs(), x.data(), w_.data(), y.data());
        return y;
    }

    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(x_, "dense");
        require_shape(dy, {x_.dim(0), outputs()}, "dense backward");
        const std::size_t batch = x_.dim(0);
        gemm::atb(inputs(), outputs(), batch, x_.data(), dy.data(), dw_.data());
        for (std::size_t i = 0; i < batch; ++i)
            for (std::size_t o = 0; o < outputs(); ++o) db_[o] += dy[i * outputs() + o];
        tensor<T> dx({batch, inputs()});
        gemm::abt(batch, inputs(), outputs(), dy.data(), w_.data(), dx.data());
        return dx;
    }

    std::vector<parameter<T>> parameters() override { return {{"weight", &w_, &dw_}, {"bias", &b_, &db_}}; }
    std::string describe() const override {
        return "dense(" + std::to_string(inputs()) + " -> " + std::to_string(outputs()) + ")";
    }

private:
    tensor<T> w_, b_, dw_, db_, x_;
};

} // namespace qhybrid::nn
