// SPDX-License-Identifier: Apache-2.0
#pragma once
// Element-wise activations (relu, leaky_relu, tanh, sigmoid, gelu with PyTorch's exact erf form)
// and softmax / log_softmax over the last dimension, as layers.
#include "qhybrid/nn/layer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace qhybrid::nn {

namespace detail {

// F gives value(x) and derivative(v), where v is x or, when F::from_output, y = value(x): the
// layer keeps only that one tensor for backward.
template <class T, class F>
class elementwise : public layer_base<elementwise<T, F>, T> {
public:
    explicit elementwise(F f = {}) : f_(f) {}
    tensor<T> forward(const tensor<T>& x, mode) override {
        tensor<T> y(x.shape(), uninitialized);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = f_.value(x[i]);
        kept_ = F::from_output ? y : x;
        return y;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(kept_, F::name);
        require(dy.size() == kept_.size(), [] { return std::string(F::name) + std::string(" backward: gradient does not match the output"); });
        tensor<T> dx(kept_.shape(), uninitialized);
        for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = dy[i] * f_.derivative(kept_[i]);
        return dx;
    }
    std::string describe() const override { return f_.describe(); }

private:
    F f_;
    tensor<T> kept_;
};

struct relu_f {
    static constexpr const char* name = "relu";
    static constexpr bool from_output = false;
    template <class T> T value(T x) const { return x > 0 ? x : T(0); }
    template <class T> T derivative(T x) const { return x > 0 ? T(1) : T(0); }
    std::string describe() const { return name; }
};
struct leaky_relu_f {
    static constexpr const char* name = "leaky_relu";
    static constexpr bool from_output = false;
    double slope = 0.01;
    template <class T> T value(T x) const { return x > 0 ? x : T(slope) * x; }
    template <class T> T derivative(T x) const { return x > 0 ? T(1) : T(slope); }
    std::string describe() const { return "leaky_relu(" + std::to_string(slope) + ")"; }
};
struct tanh_f {
    static constexpr const char* name = "tanh";
    static constexpr bool from_output = true;
    template <class T> T value(T x) const { return std::tanh(x); }
    template <class T> T derivative(T y) const { return T(1) - y * y; }
    std::string describe() const { return name; }
};
struct sigmoid_f {
    static constexpr const char* name = "sigmoid";
    static constexpr bool from_output = true;
    template <class T> T value(T x) const { return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x)); }
    template <class T> T derivative(T y) const { return y * (T(1) - y); }
    std::string describe() const { return name; }
};
// x Phi(x), Phi the standard normal CDF.
struct gelu_f {
    static constexpr const char* name = "gelu";
    static constexpr bool from_output = false;
    template <class T> T value(T x) const { return x * cdf(x); }
    template <class T> T derivative(T x) const {
        return cdf(x) + x * std::exp(-x * x / 2) * T(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
    }
    template <class T> static T cdf(T x) { return T(0.5) * std::erfc(-x / T(std::numbers::sqrt2)); }
    std::string describe() const { return name; }
};

} // namespace detail

template <class T> using relu = detail::elementwise<T, detail::relu_f>;
template <class T> using tanh = detail::elementwise<T, detail::tanh_f>;
template <class T> using sigmoid = detail::elementwise<T, detail::sigmoid_f>;
template <class T> using gelu = detail::elementwise<T, detail::gelu_f>;
template <class T>
class leaky_relu : public detail::elementwise<T, detail::leaky_relu_f> {
public:
    explicit leaky_relu(double slope = 0.01) : detail::elementwise<T, detail::leaky_relu_f>({slope}) {}
    std::unique_ptr<layer<T>> clone() const override { return std::make_unique<leaky_relu>(*this); }
};

// Softmax or log-softmax of each row of the last dimension, computed stably (max subtracted).
template <class T>
void softmax_rows(std::span<const T> x, std::size_t width, std::span<T> out, bool log) {
    for (std::size_t r = 0; r < x.size() / width; ++r) {
        const T* in = x.data() + r * width;
        T* o = out.data() + r * width;
        const T m = *std::max_element(in, in + width);
        T sum = 0;
        for (std::size_t i = 0; i < width; ++i) sum += std::exp(in[i] - m);
        const T log_sum = std::log(sum);
        for (std::size_t i = 0; i < width; ++i) o[i] = log ? in[i] - m - log_sum : std::exp(in[i] - m - log_sum);
    }
}

template <class T, bool Log>
class softmax_layer : public layer_base<softmax_layer<T, Log>, T> {
public:
    tensor<T> forward(const tensor<T>& x, mode) override {
        require(x.rank() >= 1 && x.size() > 0, [] { return std::string("softmax: empty input"); });
        y_ = tensor<T>(x.shape());
        softmax_rows<T>(x.values(), x.dim(x.rank() - 1), y_.values(), Log);
        return y_;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require_forward(y_, "softmax");
        require(dy.size() == y_.size(), [] { return std::string("softmax backward: gradient does not match the output"); });
        const std::size_t width = y_.dim(y_.rank() - 1);
        tensor<T> dx(y_.shape());
        for (std::size_t r = 0; r < y_.size() / width; ++r) {
            const T* y = y_.data() + r * width;
            const T* g = dy.data() + r * width;
            T* d = dx.data() + r * width;
            T s = 0;
            if constexpr (Log) {
                for (std::size_t i = 0; i < width; ++i) s += g[i];
                for (std::size_t i = 0; i < width; ++i) d[i] = g[i] - std::exp(y[i]) * s;
            } else {
                for (std::size_t i = 0; i < width; ++i) s += g[i] * y[i];
                for (std::size_t i = 0; i < width; ++i) d[i] = y[i] * (g[i] - s);
            }
        }
        return dx;
    }
    std::string describe() const override { return Log ? "log_softmax" : "softmax"; }

private:
    tensor<T> y_;
};

template <class T> using softmax = softmax_layer<T, false>;
template <class T> using log_softmax = softmax_layer<T, true>;

} // namespace qhybrid::nn
