// SPDX-License-Identifier: Apache-2.0
#pragma once
// Convolutions (cross-correlation, as in PyTorch): conv2d over [batch, channels, height, width]
// and conv1d over [batch, channels, length], with stride and zero padding. Both lower each
// sample to a matrix product through im2col; backward recomputes the columns from the cached
// input rather than keeping them for the whole minibatch. Initialized like PyTorch: weights and
// bias uniform in +-1/sqrt(channels * kernel area).
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/parallel.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/nn/gemm.hpp"
#include "qhybrid/nn/layer.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qhybrid::nn {

struct conv_shape {
    std::size_t in, out, kh, kw, sh = 1, sw = 1, ph = 0, pw = 0;
};

namespace detail {

// One sample's geometry: input [in, h, w] -> output [out, oh, ow].
struct conv_geometry {
    conv_shape s;
    std::size_t h, w, oh, ow;

    conv_geometry(const conv_shape& shape, std::size_t height, std::size_t width, const char* who)
        : s(shape), h(height), w(width) {
        require(h + 2 * s.ph >= s.kh && w + 2 * s.pw >= s.kw, [&] {
            return std::string(who) + ": input " + std::to_string(h) + "x" + std::to_string(w) +
                   " is smaller than the kernel " + std::to_string(s.kh) + "x" + std::to_string(s.kw);
        });
        oh = (h + 2 * s.ph - s.kh) / s.sh + 1;
        ow = (w + 2 * s.pw - s.kw) / s.sw + 1;
    }
    std::size_t patch() const noexcept { return s.in * s.kh * s.kw; } // rows of the column matrix
    std::size_t positions() const noexcept { return oh * ow; }        // its columns

    // The column matrix is [patch, positions]: row (c, i, j) holds, at output position (y, x),
    // input (c, y * sh + i - ph, x * sw + j - pw), or 0 in the padding. Calls
    // run(column offset, input offset, count) for each run of a row that reads the input: count
    // consecutive positions of output row y reading every sw-th input value of one input row.
    template <class F>
    void for_each_run(F&& run) const {
        for (std::size_t c = 0; c < s.in; ++c)
            for (std::size_t i = 0; i < s.kh; ++i)
                for (std::size_t j = 0; j < s.kw; ++j) {
                    const std::size_t r = (c * s.kh + i) * s.kw + j;
                    // Output columns x with 0 <= x * sw + j - pw < w.
                    const std::size_t x0 = j >= s.pw ? 0 : (s.pw - j + s.sw - 1) / s.sw;
                    const std::size_t x1 = std::min(ow, w + s.pw > j ? (w + s.pw - j + s.sw - 1) / s.sw : 0);
                    if (x0 >= x1) continue;
                    for (std::size_t y = 0; y < oh; ++y) {
                        const std::size_t iy = y * s.sh + i;
                        if (iy < s.ph || iy - s.ph >= h) continue;
                        run(r * positions() + y * ow + x0, (c * h + iy - s.ph) * w + x0 * s.sw + j - s.pw, x1 - x0);
                    }
                }
    }

    template <class T>
    void im2col(const T* x, aligned_vector<T>& cols) const {
        cols.assign(patch() * positions(), T(0));
        T* out = cols.data();
        if (s.sw == 1)
            for_each_run([&](std::size_t to, std::size_t from, std::size_t n) { std::copy_n(x + from, n, out + to); });
        else
            for_each_run([&](std::size_t to, std::size_t from, std::size_t n) {
                for (std::size_t k = 0; k < n; ++k) out[to + k] = x[from + k * s.sw];
            });
    }
    template <class T>
    void col2im(const aligned_vector<T>& cols, T* dx) const {
        const T* in = cols.data();
        if (s.sw == 1)
            for_each_run([&](std::size_t from, std::size_t to, std::size_t n) {
                for (std::size_t k = 0; k < n; ++k) dx[to + k] += in[from + k];
            });
        else
            for_each_run([&](std::size_t from, std::size_t to, std::size_t n) {
                for (std::size_t k = 0; k < n; ++k) dx[to + k * s.sw] += in[from + k];
            });
    }
};

// One sample's column matrix and its gradient, per thread: a chunk runs on one thread and calls
// no other convolution, so every layer can share them (and a thread's storage stays warm).
template <class T>
struct column_scratch {
    aligned_vector<T> cols, dcols;
};

template <class T>
column_scratch<T>& thread_scratch() {
    thread_local column_scratch<T> s;
    return s;
}

// The shared work of conv1d and conv2d on a [batch, in, h, w] input.
template <class T>
class convolution {
public:
    convolution(const conv_shape& s, rng& gen) : s_(s) {
        require(s.in > 0 && s.out > 0 && s.kh > 0 && s.kw > 0 && s.sh > 0 && s.sw > 0,
                [] { return std::string("conv: channels, kernel and stride must be positive"); });
        w_ = tensor<T>({s.out, s.in * s.kh * s.kw});
        b_ = tensor<T>({s.out});
        dw_ = tensor<T>(w_.shape());
        db_ = tensor<T>(b_.shape());
        const double bound = 1 / std::sqrt(double(s.in * s.kh * s.kw));
        for (auto& v : w_.values()) v = T(gen.uniform(-bound, bound));
        for (auto& v : b_.values()) v = T(gen.uniform(-bound, bound));
    }

    const conv_shape& shape() const noexcept { return s_; }

    // x: [batch, in * h * w] values of the given h and w; returns [batch, out * oh * ow].
    tensor<T> forward(const tensor<T>& x, std::size_t h, std::size_t w, const char* who, std::size_t& oh,
                      std::size_t& ow) {
        const conv_geometry g(s_, h, w, who);
        oh = g.oh, ow = g.ow;
        x_ = x, h_ = h, wi_ = w;
        const std::size_t batch = x.dim(0), out_size = s_.out * g.positions();
        tensor<T> y({batch, out_size}, uninitialized);
        parallel_chunks(batch, [&](std::size_t, std::size_t first, std::size_t last) {
            auto& cols = thread_scratch<T>().cols;
            for (std::size_t b = first; b < last; ++b) {
                T* yb = y.data() + b * out_size;
                for (std::size_t o = 0; o < s_.out; ++o) std::fill(yb + o * g.positions(), yb + (o + 1) * g.positions(), b_[o]);
                g.im2col(x.data() + b * x.row_size(), cols);
                gemm::ab(s_.out, g.positions(), g.patch(), w_.data(), cols.data(), yb);
            }
        });
        return y;
    }

    // Samples are split into parallel_chunks' fixed chunks; each chunk accumulates its own weight
    // and bias gradients (chunk 0 into the layer's), which are then added in chunk order: the
    // same bits on any number of threads.
    tensor<T> backward(const tensor<T>& dy, const char* who) {
        require_forward(x_, who);
        const conv_geometry g(s_, h_, wi_, who);
        const std::size_t batch = x_.dim(0), out_size = s_.out * g.positions();
        require(dy.size() == batch * out_size, [&] {
            return std::string(who) + " backward: gradient of shape " + to_string(dy.shape()) +
                   " does not match the output";
        });
        tensor<T> dx(x_.shape());
        const std::size_t chunks = chunk_count(batch);
        if (partial_dw_.size() + 1 < chunks) { // kept between calls; each chunk zeroes its own
            partial_dw_.resize(chunks - 1, tensor<T>(dw_.shape()));
            partial_db_.resize(chunks - 1, tensor<T>(db_.shape()));
        }
        parallel_chunks(batch, [&](std::size_t chunk, std::size_t first, std::size_t last) {
            auto& [cols, dcols] = thread_scratch<T>();
            tensor<T>& dw = chunk ? partial_dw_[chunk - 1] : dw_;
            tensor<T>& db = chunk ? partial_db_[chunk - 1] : db_;
            if (chunk) {
                dw.fill(T(0));
                db.fill(T(0));
            }
            for (std::size_t b = first; b < last; ++b) {
                const T* dyb = dy.data() + b * out_size;
                gemm::row_sums(s_.out, g.positions(), dyb, db.data());
                g.im2col(x_.data() + b * x_.row_size(), cols);
                gemm::abt(s_.out, g.patch(), g.positions(), dyb, cols.data(), dw.data());
                dcols.assign(g.patch() * g.positions(), T(0));
                gemm::atb(g.patch(), g.positions(), s_.out, w_.data(), dyb, dcols.data());
                g.col2im(dcols, dx.data() + b * x_.row_size());
            }
        });
        for (std::size_t k = 0; k + 1 < chunks; ++k) {
            for (std::size_t i = 0; i < dw_.size(); ++i) dw_[i] += partial_dw_[k][i];
            for (std::size_t i = 0; i < db_.size(); ++i) db_[i] += partial_db_[k][i];
        }
        return dx;
    }

    tensor<T> w_, b_, dw_, db_;

private:
    conv_shape s_;
    tensor<T> x_;
    std::size_t h_ = 0, wi_ = 0;
    std::vector<tensor<T>> partial_dw_, partial_db_; // chunks 1, 2, ...
};

} // namespace detail

// conv2d: [batch, in, h, w] -> [batch, out, oh, ow]; weight [out, in * kh * kw] (PyTorch's
// [out, in, kh, kw] in the same order).
template <class T>
class conv2d : public layer_base<conv2d<T>, T> {
public:
    conv2d(const conv_shape& s, rng& gen) : c_(s, gen) {}

    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, c_.shape().in, 0, 0}, "conv2d");
        std::size_t oh, ow;
        tensor<T> y = c_.forward(x, x.dim(2), x.dim(3), "conv2d", oh, ow);
        return std::move(y).reshaped({x.dim(0), c_.shape().out, oh, ow});
    }
    tensor<T> backward(const tensor<T>& dy) override { return c_.backward(dy, "conv2d"); }
    const conv_shape& shape() const noexcept { return c_.shape(); }

    std::vector<parameter<T>> parameters() override {
        return {{"weight", &c_.w_, &c_.dw_}, {"bias", &c_.b_, &c_.db_}};
    }
    std::string describe() const override {
        const auto& s = c_.shape();
        return "conv2d(" + std::to_string(s.in) + " -> " + std::to_string(s.out) + ", kernel " +
               std::to_string(s.kh) + "x" + std::to_string(s.kw) + ", stride " + std::to_string(s.sh) + "x" +
               std::to_string(s.sw) + ", padding " + std::to_string(s.ph) + "x" + std::to_string(s.pw) + ")";
    }

private:
    detail::convolution<T> c_;
};

// conv1d: [batch, in, length] -> [batch, out, out_length]; weight [out, in * kernel].
template <class T>
class conv1d : public layer_base<conv1d<T>, T> {
public:
    conv1d(std::size_t in, std::size_t out, std::size_t kernel, std::size_t stride, std::size_t padding, rng& gen)
        : c_({in, out, 1, kernel, 1, stride, 0, padding}, gen) {}

    tensor<T> forward(const tensor<T>& x, mode) override {
        require_shape(x, {0, c_.shape().in, 0}, "conv1d");
        std::size_t oh, ow;
        tensor<T> y = c_.forward(x, 1, x.dim(2), "conv1d", oh, ow);
        return std::move(y).reshaped({x.dim(0), c_.shape().out, ow});
    }
    tensor<T> backward(const tensor<T>& dy) override { return c_.backward(dy, "conv1d"); }
    // As a 2-D shape: kh = sh = 1, ph = 0.
    const conv_shape& shape() const noexcept { return c_.shape(); }

    std::vector<parameter<T>> parameters() override {
        return {{"weight", &c_.w_, &c_.dw_}, {"bias", &c_.b_, &c_.db_}};
    }
    std::string describe() const override {
        const auto& s = c_.shape();
        return "conv1d(" + std::to_string(s.in) + " -> " + std::to_string(s.out) + ", kernel " +
               std::to_string(s.kw) + ", stride " + std::to_string(s.sw) + ", padding " + std::to_string(s.pw) + ")";
    }

private:
    detail::convolution<T> c_;
};

} // namespace qhybrid::nn
