// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a rotation angle comes from. Each source says how many parameters and inputs it reaches
// (so a circuit knows its sizes at compile time), how to evaluate the angle and how to pass a
// gradient with respect to the angle back to the parameters and inputs it came from.
//
// `Ctx` supplies the values: `param(k)`, `input(i)` and, for gradients, `add_param(k, g)` and
// `add_input(i, g)`. `T` is a scalar for a single state and a SIMD batch (one lane a sample) for a
// batched state.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <numbers>
#include <type_traits>

namespace qhybrid::quantum {

// A gate without an angle.
struct no_angle {
    static constexpr std::size_t params = 0, inputs = 0;
};

// theta = params[K] (relative to the enclosing circuit's first parameter).
template <std::size_t K>
struct param {
    static constexpr std::size_t params = K + 1, inputs = 0;
    template <class T, class Ctx>
    static T value(const Ctx& ctx, std::size_t offset) { return T(ctx.param(offset + K)); }
    template <class T, class Ctx>
    static void add_gradient(Ctx& ctx, std::size_t offset, const T& g) { ctx.add_param(offset + K, g); }
};

// theta = Scale * x[I]: angle encoding (Scale = 1) or ZZFeatureMap's single-qubit phase (Scale = 2).
template <std::size_t I, double Scale = 1.0>
struct input {
    static constexpr std::size_t params = 0, inputs = I + 1;
    template <class T, class Ctx>
    static T value(const Ctx& ctx, std::size_t) { return T(Scale) * ctx.input(I); }
    template <class T, class Ctx>
    static void add_gradient(Ctx& ctx, std::size_t, const T& g) { ctx.add_input(I, T(Scale) * g); }
};

// theta = 2 (pi - x[I]) (pi - x[J]): ZZFeatureMap's two-qubit phase (Qiskit's default data map).
template <std::size_t I, std::size_t J>
struct feature_product {
    static constexpr std::size_t params = 0, inputs = (I > J ? I : J) + 1;
    template <class T, class Ctx>
    static T value(const Ctx& ctx, std::size_t) {
        return T(2) * (T(std::numbers::pi) - ctx.input(I)) * (T(std::numbers::pi) - ctx.input(J));
    }
    template <class T, class Ctx>
    static void add_gradient(Ctx& ctx, std::size_t, const T& g) {
        ctx.add_input(I, T(-2) * (T(std::numbers::pi) - ctx.input(J)) * g);
        ctx.add_input(J, T(-2) * (T(std::numbers::pi) - ctx.input(I)) * g);
    }
};

// theta = Value.
template <double Value>
struct constant {
    static constexpr std::size_t params = 0, inputs = 0;
    template <class T, class Ctx>
    static T value(const Ctx&, std::size_t) { return T(Value); }
    template <class T, class Ctx>
    static void add_gradient(Ctx&, std::size_t, const T&) {}
};

// theta = Scale * A's angle (composite gates: cu3's half angles).
template <class A, double Scale>
struct scaled {
    static constexpr std::size_t params = A::params, inputs = A::inputs;
    template <class T, class Ctx>
    static T value(const Ctx& ctx, std::size_t offset) { return T(Scale) * A::template value<T>(ctx, offset); }
    template <class T, class Ctx>
    static void add_gradient(Ctx& ctx, std::size_t offset, const T& g) { A::template add_gradient<T>(ctx, offset, T(Scale) * g); }
};

// theta = the sum of the sources' angles.
template <class... As>
struct sum {
    static_assert(sizeof...(As) > 0, "qhybrid: sum<> needs at least one angle source");
    static constexpr std::size_t params = std::max({As::params...}), inputs = std::max({As::inputs...});
    template <class T, class Ctx>
    static T value(const Ctx& ctx, std::size_t offset) { return (As::template value<T>(ctx, offset) + ...); }
    template <class T, class Ctx>
    static void add_gradient(Ctx& ctx, std::size_t offset, const T& g) { (As::template add_gradient<T>(ctx, offset, g), ...); }
};

template <class A>
inline constexpr bool has_angle = !std::is_same_v<A, no_angle>;

namespace detail {
// The members of the contexts the executor passes to a source (executor_context.hpp).
struct angle_context {
    double param(std::size_t) const;
    double input(std::size_t) const;
    void add_param(std::size_t, double);
    void add_input(std::size_t, double);
};
} // namespace detail

// An angle source: the parameters and inputs it reaches, its value and its gradient's way back.
template <class A>
concept angle_source = requires {
    { A::params } -> std::convertible_to<std::size_t>;
    { A::inputs } -> std::convertible_to<std::size_t>;
} && (!has_angle<A> || requires(const detail::angle_context& ctx, detail::angle_context& grad, double g) {
    { A::template value<double>(ctx, std::size_t{}) } -> std::convertible_to<double>;
    A::template add_gradient<double>(grad, std::size_t{}, g);
});

} // namespace qhybrid::quantum
