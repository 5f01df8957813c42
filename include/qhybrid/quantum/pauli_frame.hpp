// SPDX-License-Identifier: Apache-2.0
#pragma once
// A Pauli frame: a pending operator P = (-1)^sign X^x Z^z (bit q of x and z for qubit q; Z^z
// acts first) that a simulation carries instead of applying, so that the true state is P psi.
// The fused passes (fusion.hpp) use it to keep every RY's tangent at most 1 in magnitude, and the
// gates they allow with a frame move through it at no cost, exactly (signs included):
// - RY(theta) on q acts as RY(-theta) inside the frame when exactly one of x_q, z_q is set;
// - RY(theta) = X Z RY(theta - pi) adds X_q Z_q to the frame;
// - CNOT(c, t) maps X_c to X_c X_t and Z_t to Z_c Z_t; CZ(a, b) maps X_a to X_a Z_b;
// - X, Y and Z commute with it up to a sign.
// `apply` then applies P to the state in one sweep.
#include "qhybrid/core/simd.hpp"
#include "qhybrid/quantum/frame_gates.hpp"
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/kernels.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

QHYBRID_SIMD_WARNINGS_OFF

namespace qhybrid::quantum {

namespace detail {
// Lane l takes lane l ^ Mask.
template <unsigned Mask>
struct xor_lane {
    static constexpr unsigned get(unsigned i, unsigned) { return i ^ Mask; }
};
} // namespace detail

struct pauli_frame {
    std::uint64_t x = 0, z = 0;
    bool negative = false;

    // -1 if RY on qubit q turns the other way inside the frame.
    int ry_sign(qubit q) const noexcept { return ((x ^ z) >> q) & 1 ? -1 : 1; }
    // P becomes P X_q Z_q (moving X_q left past Z_q^z_q).
    void add_xz(qubit q) noexcept {
        negative ^= (z >> q) & 1;
        x ^= std::uint64_t{1} << q;
        z ^= std::uint64_t{1} << q;
    }
    // P becomes G P G^dagger for a gate G that moves through the frame (not an RY: it changes
    // its angle instead).
    template <class G>
    void conjugate() noexcept {
        const auto bit = [](std::uint64_t m, qubit q) -> bool { return (m >> q) & 1; };
        if constexpr (detail::is_cnot<G>) {
            constexpr qubit c = std::countr_zero(G::controls), t = G::target;
            x ^= std::uint64_t{bit(x, c)} << t;
            z ^= std::uint64_t{bit(z, t)} << c;
        } else if constexpr (detail::is_cz<G>) {
            // X_a X_b becomes X_a Z_b X_b Z_a = -X_a X_b Z_a Z_b.
            const bool xa = bit(x, G::a), xb = bit(x, G::b);
            negative ^= xa && xb;
            z ^= (std::uint64_t{xa} << G::b) | (std::uint64_t{xb} << G::a);
        } else if constexpr (detail::is_pauli<G>) {
            // X anticommutes with Z_q, Z with X_q, Y with either.
            constexpr qubit q = std::countr_zero(G::qubits);
            if constexpr (!std::is_same_v<G, quantum::z<q>>) negative ^= bit(z, q);
            if constexpr (!std::is_same_v<G, quantum::x<q>>) negative ^= bit(x, q);
        }
    }

    // psi <- P psi on a single statevector: psi[i] = (-1)^(sign + popcount((i ^ x) & z)) psi[i ^ x].
    template <class State>
    void apply(State& psi) const {
        static_assert(State::samples == 1, "qhybrid: a Pauli frame acts on a single statevector");
        using Batch = typename State::batch_type;
        using Real = typename State::real_type;
        constexpr unsigned lb = State::lane_qubits;
        constexpr std::uint64_t lane_mask = (std::uint64_t{1} << lb) - 1;
        if (x == 0 && z == 0 && !negative) return;
        const std::size_t xr = x >> lb, zr = z >> lb;
        const unsigned xl = unsigned(x & lane_mask), zl = unsigned(z & lane_mask);
        alignas(64) Real lane_sign[Batch::size];
        for (unsigned l = 0; l < Batch::size; ++l)
            lane_sign[l] = (std::popcount((l ^ xl) & zl) & 1) != negative ? Real(-1) : Real(1);
        const Batch sign = Batch::load_aligned(lane_sign), minus_sign = -sign;
        const auto sign_of = [&](std::size_t j) { return std::popcount(j & zr) & 1 ? minus_sign : sign; };
        const auto sweep = [&](auto view, auto register_type, auto permute) {
            using Reg = decltype(register_type);
            for (std::size_t j = 0; j < State::registers; ++j) {
                const std::size_t k = j ^ xr;
                if (k < j) continue;
                const Reg a = kernel::load<Reg>(view, j), b = kernel::load<Reg>(view, k);
                kernel::store(view, j, kernel::mul<true>(kernel::cvec<Batch>{sign_of(k), Batch(0)}, permute(b)));
                if (k != j) kernel::store(view, k, kernel::mul<true>(kernel::cvec<Batch>{sign_of(j), Batch(0)}, permute(a)));
            }
        };
        // The lane permutation, one compile-time swizzle per value of xl.
        const auto with_permutation = [&](auto view, auto register_type) {
            using Reg = decltype(register_type);
            [&]<unsigned... M>(std::integer_sequence<unsigned, M...>) {
                const auto one = [&]<unsigned Mask>(std::integral_constant<unsigned, Mask>) {
                    if (xl != Mask) return;
                    sweep(view, register_type, [](const Reg& v) {
                        if constexpr (Mask == 0) return v;
                        else return permute_lanes<Mask>(v);
                    });
                };
                (one(std::integral_constant<unsigned, M>{}), ...);
            }(std::make_integer_sequence<unsigned, 1u << lb>{});
        };
        if (psi.is_real()) with_permutation(psi.raw_view(), kernel::rvec<Batch>{});
        else with_permutation(psi.view(), kernel::cvec<Batch>{});
    }

private:
    template <unsigned Mask, class Batch>
    static Batch permute_lanes(const Batch& v) noexcept {
        using index_batch = xsimd::batch<xsimd::as_unsigned_integer_t<typename Batch::value_type>, typename Batch::arch_type>;
        return xsimd::swizzle(v, xsimd::make_batch_constant<index_batch, detail::xor_lane<Mask>>());
    }
    template <unsigned Mask, class Batch>
    static kernel::cvec<Batch> permute_lanes(const kernel::cvec<Batch>& v) noexcept {
        return {permute_lanes<Mask>(v.re), permute_lanes<Mask>(v.im)};
    }
    template <unsigned Mask, class Batch>
    static kernel::rvec<Batch> permute_lanes(const kernel::rvec<Batch>& v) noexcept {
        return {permute_lanes<Mask>(v.re)};
    }
};

} // namespace qhybrid::quantum

QHYBRID_SIMD_WARNINGS_ON
