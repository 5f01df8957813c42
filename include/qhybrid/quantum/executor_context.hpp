// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the executor (executor.hpp) passes to the angle sources: the parameters and inputs of a
// run (forward_context), the gradients they accumulate (backward_context), a parameter-shift
// run's shifted angle (shifted_context); and the checks of the values a user hands it.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/simd.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

namespace qhybrid::quantum::detail {

template <class State>
struct forward_context {
    using Real = typename State::real_type;
    using T = typename State::value_type;
    std::span<const Real> params;
    const T* inputs;

    Real param(std::size_t k) const noexcept { return params[k]; }
    const T& input(std::size_t i) const noexcept { return inputs[i]; }
    // shifted_context overrides this to shift one gate's angle.
    T adjust(const T& theta) const noexcept { return theta; }
};

template <class State>
struct backward_context : forward_context<State> {
    using Real = typename State::real_type;
    using T = typename State::value_type;
    std::span<Real> dparams;
    T* dinputs;

    void add_param(std::size_t k, const T& g) noexcept {
        if constexpr (std::is_same_v<T, Real>)
            dparams[k] += g;
        else
            dparams[k] += simd::reduce_add(g);
    }
    void add_input(std::size_t i, const T& g) noexcept { dinputs[i] += g; }
};

// Adds `delta` to the angle of the gate-with-angle number `gate` (in circuit order).
template <class State>
struct shifted_context : forward_context<State> {
    using T = typename State::value_type;
    std::size_t gate;
    T delta;
    mutable std::size_t seen = 0;

    T adjust(const T& theta) const noexcept { return seen++ == gate ? theta + delta : theta; }
};

// `values` holds `samples` values per index, index-major; a bad one is named by index and sample.
template <class Real>
void check_values(std::span<const Real> values, std::size_t expected, const char* what, std::size_t samples = 1) {
    require(values.size() == expected, [&] {
        return std::string(what) + ": got " + std::to_string(values.size()) + " values, the circuit needs " +
               std::to_string(expected);
    });
    for (std::size_t k = 0; k < values.size(); ++k)
        require(std::isfinite(values[k]), [&] {
            return std::string(what) + ": value " + std::to_string(k / samples) +
                   (samples > 1 ? " of sample " + std::to_string(k % samples) : std::string()) + " is not finite";
        });
}

// Per-sample values [i * samples + l] as one T per i.
template <class State, std::size_t Count>
std::array<typename State::value_type, Count> to_lanes(std::span<const typename State::real_type> v) {
    using T = typename State::value_type;
    std::array<T, Count> out;
    // Every caller has checked the size; saying so keeps GCC 12's -Warray-bounds off the
    // paths it cannot prove dead.
    if (v.size() < Count * State::samples)
        __builtin_unreachable();
    for (std::size_t i = 0; i < Count; ++i) {
        if constexpr (State::samples == 1)
            out[i] = v[i];
        else
            out[i] = T::load_unaligned(v.data() + i * State::samples);
    }
    return out;
}

} // namespace qhybrid::quantum::detail
