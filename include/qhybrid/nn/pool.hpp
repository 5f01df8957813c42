// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pooling over each channel plane, no padding (PyTorch's floor mode): max_pool2d / avg_pool2d on
// [batch, channels, h, w], max_pool1d / avg_pool1d on [batch, channels, length], and
// global_avg_pool: [batch, channels, ...] -> [batch, channels].
#include "qhybrid/nn/layer.hpp"

#include <algorithm>

namespace qhybrid::nn {

namespace detail {

enum class pool_kind { max, average };

template <class T, pool_kind Kind>
class pooling {
public:
    pooling(std::size_t kh, std::size_t kw, std::size_t sh, std::size_t sw) : kh_(kh), kw_(kw), sh_(sh), sw_(sw) {
        require(kh > 0 && kw > 0 && sh > 0 && sw > 0, [] { return std::string("pool: kernel and stride must be positive"); });
    }

    // x: planes of h x w values; returns the pooled planes (oh x ow each).
    tensor<T> forward(const tensor<T>& x, std::size_t planes, std::size_t h, std::size_t w, const char* who) {
        require(h >= kh_ && w >= kw_, [=] {
            return std::string(who) + ": input " + std::to_string(h) + "x" + std::to_string(w) + " is smaller than the window";
        });
        in_shape_ = x.shape(), planes_ = planes, h_ = h, w_ = w;
        oh_ = (h - kh_) / sh_ + 1, ow_ = (w - kw_) / sw_ + 1;
        tensor<T> y({planes * oh_ * ow_}, uninitialized);
        if constexpr (Kind == pool_kind::max) argmax_.resize(y.size());
        // A row of outputs at a time, window tap by window tap: the inner loops over ox vectorise
        // (locals and restrict: stores through out and arg could otherwise alias the members).
        const std::size_t kh = kh_, kw = kw_, sh = sh_, sw = sw_, oh = oh_, ow = ow_;
        const T* __restrict in = x.data();
        for (std::size_t p = 0; p < planes; ++p)
            for (std::size_t oy = 0; oy < oh; ++oy) {
                T* __restrict out = y.data() + (p * oh + oy) * ow;
                const std::size_t top = (p * h + oy * sh) * w;
                if constexpr (Kind == pool_kind::max) {
                    std::size_t* __restrict arg = argmax_.data() + (p * oh + oy) * ow;
                    for (std::size_t ox = 0; ox < ow; ++ox) out[ox] = in[top + ox * sw], arg[ox] = top + ox * sw;
                    for (std::size_t i = 0; i < kh; ++i)
                        for (std::size_t j = 0; j < kw; ++j)
                            for (std::size_t ox = 0; ox < ow; ++ox) {
                                // The first largest value; NaN wins, as in PyTorch.
                                const std::size_t at = top + i * w + ox * sw + j;
                                const T v = in[at];
                                const bool take = (v > out[ox]) | (v != v);
                                out[ox] = take ? v : out[ox];
                                arg[ox] = take ? at : arg[ox];
                            }
                } else {
                    std::fill_n(out, ow, T(0));
                    for (std::size_t i = 0; i < kh; ++i)
                        for (std::size_t j = 0; j < kw; ++j)
                            for (std::size_t ox = 0; ox < ow; ++ox) out[ox] += in[top + i * w + ox * sw + j];
                    for (std::size_t ox = 0; ox < ow; ++ox) out[ox] /= T(kh * kw);
                }
            }
        return y;
    }

    tensor<T> backward(const tensor<T>& dy, const char* who) {
        require(!in_shape_.empty(), [&] { return std::string(who) + ": backward() called before forward()"; });
        require(dy.size() == planes_ * oh_ * ow_, [&] {
            return std::string(who) + " backward: gradient of shape " + to_string(dy.shape()) + " does not match the output";
        });
        tensor<T> dx(in_shape_);
        for (std::size_t p = 0; p < planes_; ++p)
            for (std::size_t oy = 0; oy < oh_; ++oy)
                for (std::size_t ox = 0; ox < ow_; ++ox) {
                    const std::size_t o = (p * oh_ + oy) * ow_ + ox;
                    if constexpr (Kind == pool_kind::max) {
                        dx[argmax_[o]] += dy[o];
                    } else {
                        for (std::size_t i = 0; i < kh_; ++i)
                            for (std::size_t j = 0; j < kw_; ++j)
                                dx[(p * h_ + oy * sh_ + i) * w_ + ox * sw_ + j] += dy[o] / T(kh_ * kw_);
                    }
                }
        return dx;
    }

    struct geometry {
        std::size_t kh, kw, sh, sw;
    };
    geometry window_geometry() const noexcept { return {kh_, kw_, sh_, sw_}; }
    std::size_t oh() const noexcept { return oh_; }
    std::size_t ow() const noexcept { return ow_; }
    std::string window() const {
        return "kernel " + std::to_string(kh_) + "x" + std::to_string(kw_) + ", stride " + std::to_string(sh_) + "x" +
               std::to_string(sw_);
    }

private:
    std::size_t kh_, kw_, sh_, sw_, planes_ = 0, h_ = 0, w_ = 0, oh_ = 0, ow_ = 0;
    shape_t in_shape_;
    std::vector<std::size_t> argmax_;
};

template <class T, pool_kind Kind>
class pool2d : public layer_base<pool2d<T, Kind>, T> {
public:
    explicit pool2d(std::size_t kernel, std::size_t stride = 0) : p_(kernel, kernel, stride ? stride : kernel, stride ? stride : kernel) {}
    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, 0, 0, 0}, name());
        tensor<T> y = p_.forward(x, x.dim(0) * x.dim(1), x.dim(2), x.dim(3), name());
        return std::move(y).reshaped({x.dim(0), x.dim(1), p_.oh(), p_.ow()});
    }
    tensor<T> backward(const tensor<T>& dy) override { return p_.backward(dy, name()); }
    std::string describe() const override { return std::string(name()) + "(" + p_.window() + ")"; }
    auto window_geometry() const noexcept { return p_.window_geometry(); }

private:
    static const char* name() { return Kind == pool_kind::max ? "max_pool2d" : "avg_pool2d"; }
    pooling<T, Kind> p_;
};

template <class T, pool_kind Kind>
class pool1d : public layer_base<pool1d<T, Kind>, T> {
public:
    explicit pool1d(std::size_t kernel, std::size_t stride = 0) : p_(1, kernel, 1, stride ? stride : kernel) {}
    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, 0, 0}, name());
        tensor<T> y = p_.forward(x, x.dim(0) * x.dim(1), 1, x.dim(2), name());
        return std::move(y).reshaped({x.dim(0), x.dim(1), p_.ow()});
    }
    tensor<T> backward(const tensor<T>& dy) override { return p_.backward(dy, name()); }
    std::string describe() const override { return std::string(name()) + "(" + p_.window() + ")"; }
    auto window_geometry() const noexcept { return p_.window_geometry(); }

private:
    static const char* name() { return Kind == pool_kind::max ? "max_pool1d" : "avg_pool1d"; }
    pooling<T, Kind> p_;
};

} // namespace detail

// Window `kernel` (square in 2-D), stride defaulting to the kernel.
template <class T>
using max_pool2d = detail::pool2d<T, detail::pool_kind::max>;
template <class T>
using avg_pool2d = detail::pool2d<T, detail::pool_kind::average>;
template <class T>
using max_pool1d = detail::pool1d<T, detail::pool_kind::max>;
template <class T>
using avg_pool1d = detail::pool1d<T, detail::pool_kind::average>;

// The mean over every position of each channel: [batch, channels, ...] -> [batch, channels].
template <class T>
class global_avg_pool : public layer_base<global_avg_pool<T>, T> {
public:
    tensor<T> forward(const tensor<T>& x, mode) override {
        require(x.rank() >= 3, [&] { return "global_avg_pool: input of shape " + to_string(x.shape()) + ", expected [batch, channels, ...]"; });
        in_shape_ = x.shape();
        const std::size_t planes = x.dim(0) * x.dim(1), area = x.size() / planes;
        tensor<T> y({x.dim(0), x.dim(1)});
        for (std::size_t p = 0; p < planes; ++p) {
            T sum = 0;
            for (std::size_t k = 0; k < area; ++k) sum += x[p * area + k];
            y[p] = sum / T(area);
        }
        return y;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        require(!in_shape_.empty(), [] { return std::string("global_avg_pool: backward() called before forward()"); });
        tensor<T> dx(in_shape_);
        const std::size_t planes = in_shape_[0] * in_shape_[1], area = dx.size() / planes;
        require(dy.size() == planes, [] { return std::string("global_avg_pool backward: gradient does not match the output"); });
        for (std::size_t p = 0; p < planes; ++p)
            for (std::size_t k = 0; k < area; ++k) dx[p * area + k] = dy[p] / T(area);
        return dx;
    }
    std::string describe() const override { return "global_avg_pool"; }

private:
    shape_t in_shape_;
};

} // namespace qhybrid::nn
