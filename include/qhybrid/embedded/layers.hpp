// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fixed-shape inference layers for microcontrollers: shapes are template parameters, weights are
// std::array members (constexpr in an exported header, so they live in flash), no heap, no
// exceptions, no RTTI, no xsimd. Each layer maps `in_size` values to `out_size` values with
// run(in, out), channel-major like the library's tensors.
//
// Every sum is the library's: a fused multiply-add chain from zero in the library's order, then
// added to the bias (nn::gemm), so the outputs equal the library model's bit for bit, at any
// optimisation level, wherever the library's SIMD target has FMA instructions.
#include <array>
#include <cmath>
#include <cstddef>

namespace qhybrid::embedded {

// y = x * scale + offset per feature (nn::feature_scaling).
template <class T, std::size_t Features>
struct feature_scaling {
    static constexpr std::size_t in_size = Features, out_size = Features;
    std::array<T, Features> scale, offset;

    void run(const T* x, T* y) const noexcept {
        for (std::size_t f = 0; f < Features; ++f) y[f] = std::fma(x[f], scale[f], offset[f]);
    }
};

// y = x W + b, W stored [In, Out] (nn::dense).
template <class T, std::size_t In, std::size_t Out>
struct dense {
    static constexpr std::size_t in_size = In, out_size = Out;
    std::array<T, In * Out> weight;
    std::array<T, Out> bias;

    void run(const T* x, T* y) const noexcept {
        for (std::size_t o = 0; o < Out; ++o) {
            T acc = 0;
            for (std::size_t i = 0; i < In; ++i) acc = std::fma(x[i], weight[i * Out + o], acc);
            y[o] = bias[o] + acc;
        }
    }
};

// Cross-correlation over [In, H, W] -> [Out, OH, OW] with stride and zero padding; weight
// [Out, In, KH, KW] (nn::conv2d). conv1d is the H = KH = 1 case.
template <class T, std::size_t In, std::size_t Out, std::size_t H, std::size_t W, std::size_t KH, std::size_t KW,
          std::size_t SH = 1, std::size_t SW = 1, std::size_t PH = 0, std::size_t PW = 0>
struct conv2d {
    static_assert(H + 2 * PH >= KH && W + 2 * PW >= KW && SH > 0 && SW > 0, "qhybrid: conv input smaller than its kernel");
    static constexpr std::size_t out_h = (H + 2 * PH - KH) / SH + 1, out_w = (W + 2 * PW - KW) / SW + 1;
    static constexpr std::size_t in_size = In * H * W, out_size = Out * out_h * out_w;
    std::array<T, Out * In * KH * KW> weight;
    std::array<T, Out> bias;

    void run(const T* x, T* y) const noexcept {
        for (std::size_t o = 0; o < Out; ++o)
            for (std::size_t oy = 0; oy < out_h; ++oy)
                for (std::size_t ox = 0; ox < out_w; ++ox) {
                    T acc = 0;
                    const T* w = weight.data() + o * In * KH * KW;
                    for (std::size_t c = 0; c < In; ++c)
                        for (std::size_t i = 0; i < KH; ++i)
                            for (std::size_t j = 0; j < KW; ++j, ++w) {
                                const std::size_t iy = oy * SH + i, ix = ox * SW + j; // padded coordinates
                                const bool inside = iy >= PH && iy < H + PH && ix >= PW && ix < W + PW;
                                acc = std::fma(*w, inside ? x[(c * H + iy - PH) * W + ix - PW] : T(0), acc);
                            }
                    y[(o * out_h + oy) * out_w + ox] = bias[o] + acc;
                }
    }
};

template <class T, std::size_t In, std::size_t Out, std::size_t Length, std::size_t Kernel, std::size_t Stride = 1,
          std::size_t Padding = 0>
using conv1d = conv2d<T, In, Out, 1, Length, 1, Kernel, 1, Stride, 0, Padding>;

// Maximum over each window of each channel plane, no padding (nn::max_pool2d; the first of equal
// values wins, as there).
template <class T, std::size_t Channels, std::size_t H, std::size_t W, std::size_t KH, std::size_t KW, std::size_t SH,
          std::size_t SW>
struct max_pool2d {
    static_assert(H >= KH && W >= KW && SH > 0 && SW > 0, "qhybrid: pooling window larger than its input");
    static constexpr std::size_t out_h = (H - KH) / SH + 1, out_w = (W - KW) / SW + 1;
    static constexpr std::size_t in_size = Channels * H * W, out_size = Channels * out_h * out_w;

    void run(const T* x, T* y) const noexcept {
        for (std::size_t c = 0; c < Channels; ++c)
            for (std::size_t oy = 0; oy < out_h; ++oy)
                for (std::size_t ox = 0; ox < out_w; ++ox) {
                    T best = x[(c * H + oy * SH) * W + ox * SW];
                    for (std::size_t i = 0; i < KH; ++i)
                        for (std::size_t j = 0; j < KW; ++j) {
                            const T v = x[(c * H + oy * SH + i) * W + ox * SW + j];
                            if (v > best) best = v;
                        }
                    y[(c * out_h + oy) * out_w + ox] = best;
                }
    }
};

template <class T, std::size_t Channels, std::size_t Length, std::size_t Kernel, std::size_t Stride>
using max_pool1d = max_pool2d<T, Channels, 1, Length, 1, Kernel, 1, Stride>;

// Element-wise activations (nn::relu, nn::tanh, nn::sigmoid).
enum class activation { relu, tanh, sigmoid };

template <class T, std::size_t Size, activation A>
struct elementwise {
    static constexpr std::size_t in_size = Size, out_size = Size;

    void run(const T* x, T* y) const noexcept {
        for (std::size_t i = 0; i < Size; ++i) {
            const T v = x[i];
            if constexpr (A == activation::relu) y[i] = v > 0 ? v : T(0);
            else if constexpr (A == activation::tanh) y[i] = std::tanh(v);
            else y[i] = v >= 0 ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
        }
    }
};

template <class T, std::size_t Size>
using relu = elementwise<T, Size, activation::relu>;
template <class T, std::size_t Size>
using tanh = elementwise<T, Size, activation::tanh>;
template <class T, std::size_t Size>
using sigmoid = elementwise<T, Size, activation::sigmoid>;

} // namespace qhybrid::embedded
