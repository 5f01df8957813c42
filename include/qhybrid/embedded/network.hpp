// SPDX-License-Identifier: Apache-2.0
#pragma once
// embedded::network<T, Layers...>: fixed-shape layers run in order through two buffers on the
// stack, sized at compile time by the widest layer. No heap, no exceptions, no RTTI: errors are
// return values.
//
//   #include "my_model.hpp"   // written by embedded::export_header
//   std::array<float, my_model::model.output_size> logits;
//   if (my_model::model.run(features, logits) == qhybrid::embedded::status::ok)
//       label = qhybrid::embedded::argmax(logits);
#include "qhybrid/embedded/layers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <tuple>
#include <utility>

namespace qhybrid::embedded {

enum class status { ok, non_finite_input };

template <class T, class... Layers>
class network {
    static_assert(sizeof...(Layers) > 0, "qhybrid: a network needs at least one layer");
    using layer_list = std::tuple<Layers...>;

public:
    using value_type = T;
    static constexpr std::size_t input_size = std::tuple_element_t<0, layer_list>::in_size;
    static constexpr std::size_t output_size = std::tuple_element_t<sizeof...(Layers) - 1, layer_list>::out_size;

    constexpr explicit network(Layers... layers) : layers_(std::move(layers)...) {}

    // logits = the network applied to x; x must be finite.
    status run(std::span<const T, input_size> x, std::span<T, output_size> logits) const noexcept {
        for (T v : x)
            if (!std::isfinite(v)) return status::non_finite_input;
        std::array<T, buffer_size> a, b;
        std::copy(x.begin(), x.end(), a.begin());
        T* in = a.data();
        T* out = b.data();
        std::apply([&](const auto&... layer) { ((layer.run(in, out), std::swap(in, out)), ...); }, layers_);
        std::copy(in, in + output_size, logits.begin());
        return status::ok;
    }

private:
    static constexpr bool chained() {
        constexpr std::array<std::size_t, sizeof...(Layers)> in{Layers::in_size...}, out{Layers::out_size...};
        for (std::size_t i = 1; i < in.size(); ++i)
            if (in[i] != out[i - 1]) return false;
        return true;
    }
    static_assert(chained(), "qhybrid: each layer's in_size must equal the previous layer's out_size");
    static constexpr std::size_t buffer_size = std::max({Layers::in_size..., Layers::out_size...});

    layer_list layers_;
};

// Index of the largest value (the first one on ties).
template <class T, std::size_t N>
std::size_t argmax(std::span<const T, N> v) noexcept {
    std::size_t best = 0;
    for (std::size_t i = 1; i < N; ++i)
        if (v[i] > v[best]) best = i;
    return best;
}
template <class T, std::size_t N>
std::size_t argmax(const std::array<T, N>& v) noexcept {
    return argmax(std::span<const T, N>(v));
}

} // namespace qhybrid::embedded
