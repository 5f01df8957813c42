// SPDX-License-Identifier: Apache-2.0
#pragma once
// cos(theta/2) and sin(theta/2) of every gate angle of a circuit, in circuit order, evaluated in
// one vectorized pass before the gates run. A gate then costs only its sweep over the state:
// on a few qubits (a 4-qubit state is two registers) a scalar std::sin and std::cos per gate
// would cost more than the gate itself.
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/simd.hpp"
#include "qhybrid/quantum/angle.hpp"

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace qhybrid::quantum::detail {

// T: a scalar (single state) or a batch (one angle per sample); Count: the circuit's num_angles.
template <class T, std::size_t Count>
class half_angle_table {
    static constexpr bool scalar = std::is_floating_point_v<T>;
    static constexpr std::size_t width = scalar ? simd::lanes<simd::scalar_t<T>> : 1;
    static constexpr std::size_t padded = (Count + width - 1) / width * width;
    // Up to 32 KiB on the stack; longer circuits use the heap.
    static constexpr bool on_stack = 2 * padded * sizeof(T) <= 32768;
    using storage = std::conditional_t<on_stack, std::array<T, 2 * padded>, aligned_vector<T>>;

public:
    // Evaluates every angle through ctx (ctx.adjust lets parameter_shift shift one of them).
    template <class Circuit, class Ctx>
    static half_angle_table of(const Ctx& ctx) {
        static_assert(Circuit::num_angles == Count);
        half_angle_table t;
        std::size_t k = 0;
        Circuit::for_each_gate([&](auto g, std::size_t first_param) {
            using Angle = typename decltype(g)::type::angle;
            if constexpr (has_angle<Angle>) t.v_[k++] = ctx.adjust(Angle::template value<T>(ctx, first_param)) * T(0.5);
        });
        t.evaluate();
        return t;
    }

    // (cos, sin) of gate G's half angle: G is the gate with an angle number k, and k moves on;
    // (1, 0) for a gate without an angle.
    template <class G>
    std::pair<T, T> next(std::size_t& k) const noexcept {
        if constexpr (!has_angle<typename G::angle>) return {T(1), T(0)};
        else return cos_sin(k++);
    }
    // The same, walking the circuit backwards from k = Count.
    template <class G>
    std::pair<T, T> previous(std::size_t& k) const noexcept {
        if constexpr (!has_angle<typename G::angle>) return {T(1), T(0)};
        else return cos_sin(--k);
    }
    // (cos, sin) of the half angle of the gate with an angle number k.
    std::pair<T, T> cos_sin(std::size_t k) const noexcept { return {v_[k], v_[padded + k]}; }

private:
    half_angle_table() {
        if constexpr (on_stack) v_.fill(T(0));
        else v_.assign(2 * padded, T(0));
    }

    // The half angles sit in v_[0, padded); cos replaces them and sin fills v_[padded, 2 padded).
    void evaluate() noexcept {
        if constexpr (scalar) {
            using Batch = simd::batch<T>;
            for (std::size_t k = 0; k < padded; k += width) {
                const auto [s, c] = xsimd::sincos(Batch::load_unaligned(&v_[k]));
                c.store_unaligned(&v_[k]);
                s.store_unaligned(&v_[padded + k]);
            }
        } else {
            for (std::size_t k = 0; k < Count; ++k) {
                const auto [s, c] = xsimd::sincos(v_[k]);
                v_[k] = c;
                v_[padded + k] = s;
            }
        }
    }

    storage v_;
};

} // namespace qhybrid::quantum::detail
