// SPDX-License-Identifier: Apache-2.0
#pragma once
// Operations on qubits known only at run time, for noise steps (a device's routing, crosstalk,
// Kraus operators of a trajectory): plain loops over contiguous runs of storage, with the lanes
// of a batched state innermost so that the compiler vectorizes them, rather than the
// compile-time SIMD kernels. They act on a statevector or a batched statevector, and on the
// 2N-qubit vector of a density matrix.
#include "qhybrid/core/simd.hpp"
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/kernels.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace qhybrid::quantum::detail {

// A batched state: one SIMD register per basis index, a sample per lane.
template <class Vector>
inline constexpr bool batched = Vector::samples > 1;

// Calls f(offset, run) for every base index whose bits in `zeros` are clear, as runs of
// contiguous storage: `offset` is the storage position of the run, `run` its length (the indices
// below the lowest cleared bit, times the samples).
template <class Vector, class F>
void for_each_run(std::uint64_t zeros, F&& f) {
    const unsigned low = static_cast<unsigned>(std::countr_zero(zeros));
    const std::size_t run = (std::size_t{1} << low) * Vector::samples;
    const std::size_t count = Vector::dimension >> (std::popcount(zeros) + low);
    for (std::size_t u = 0; u < count; ++u) {
        std::size_t k = u << low; // insert a zero at every bit of `zeros`
        for (std::uint64_t m = zeros; m; m &= m - 1) {
            const std::size_t below = (std::size_t{1} << std::countr_zero(m)) - 1;
            k = ((k & ~below) << 1) | (k & below);
        }
        f(k * Vector::samples, run);
    }
}

// CNOT(control -> target): swaps amplitudes, so a real vector stays real.
template <class Vector>
void apply_cnot(Vector& v, qubit control, qubit target) {
    const std::size_t c = std::size_t{1} << control, t = std::size_t{1} << target, s = Vector::samples;
    const bool real = v.is_real();
    const auto view = v.raw_view();
    for_each_run<Vector>(c | t, [&](std::size_t at, std::size_t run) {
        for (std::size_t i = 0; i < run; ++i) {
            std::swap(view.re[at + c * s + i], view.re[at + (c | t) * s + i]);
            if (!real) std::swap(view.im[at + c * s + i], view.im[at + (c | t) * s + i]);
        }
    });
}

// exp(-i theta/2 Z_a Z_b): e^{-i theta/2} where bits a and b agree, e^{+i theta/2} elsewhere.
template <class Vector>
void apply_zz(Vector& v, qubit a, qubit b, double theta) {
    using Real = typename Vector::real_type;
    const std::size_t mask = (std::size_t{1} << a) | (std::size_t{1} << b);
    const Real c = Real(std::cos(theta / 2)), sn = Real(std::sin(theta / 2));
    const auto view = v.view();
    for (std::size_t k = 0; k < Vector::dimension; ++k) {
        const Real s = std::popcount(k & mask) % 2 ? sn : -sn;
        for (std::size_t l = 0; l < Vector::samples; ++l) {
            const std::size_t i = Vector::slot(k, l);
            const Real re = view.re[i], im = view.im[i];
            view.re[i] = c * re - s * im;
            view.im[i] = c * im + s * re;
        }
    }
}

// exp(-i phi |11><11|) on qubits a and b: the phase of the basis states where both are 1.
template <class Vector>
void apply_conditional_phase(Vector& v, qubit a, qubit b, double phi) {
    using Real = typename Vector::real_type;
    const std::size_t mask = (std::size_t{1} << a) | (std::size_t{1} << b);
    const Real c = Real(std::cos(phi)), s = Real(-std::sin(phi));
    const auto view = v.view();
    for (std::size_t k = mask; k < Vector::dimension; k = (k + 1) | mask)
        for (std::size_t l = 0; l < Vector::samples; ++l) {
            const std::size_t i = Vector::slot(k, l);
            const Real re = view.re[i], im = view.im[i];
            view.re[i] = c * re - s * im;
            view.im[i] = c * im + s * re;
        }
}

// A 2x2 complex matrix, row-major.
using matrix2 = std::array<std::complex<double>, 4>;

// The (unnormalized) reduced density matrix of qubit q in every lane, in one pass:
// p0 = sum |x0|^2, p1 = sum |x1|^2, c = sum x0 conj(x1) over the pairs (x0, x1) the qubit splits.
template <class Vector>
struct reduced_qubit {
    std::array<double, Vector::samples> p0{}, p1{};
    std::array<std::complex<double>, Vector::samples> c{};

    reduced_qubit(const Vector& v, qubit q) {
        constexpr std::size_t s = Vector::samples;
        const std::size_t bit = std::size_t{1} << q;
        const auto view = v.view();
        using Real = typename Vector::real_type;
        alignas(64) std::array<Real, s> a{}, b{}, cr{}, ci{};
        if constexpr (batched<Vector>) { // one register per index: vertical SIMD
            using Batch = simd::batch<Real>;
            Batch sa(Real(0)), sb(Real(0)), scr(Real(0)), sci(Real(0));
            for_each_run<Vector>(bit, [&](std::size_t at, std::size_t run) {
                for (std::size_t i = at; i < at + run; i += s) {
                    const Batch r0 = Batch::load_aligned(view.re + i), i0 = Batch::load_aligned(view.im + i);
                    const Batch r1 = Batch::load_aligned(view.re + i + bit * s), i1 = Batch::load_aligned(view.im + i + bit * s);
                    sa = xsimd::fma(r0, r0, xsimd::fma(i0, i0, sa));
                    sb = xsimd::fma(r1, r1, xsimd::fma(i1, i1, sb));
                    scr = xsimd::fma(r0, r1, xsimd::fma(i0, i1, scr));
                    sci = xsimd::fma(i0, r1, xsimd::fnma(r0, i1, sci));
                }
            });
            sa.store_aligned(a.data()), sb.store_aligned(b.data()), scr.store_aligned(cr.data()), sci.store_aligned(ci.data());
        } else {
            for_each_run<Vector>(bit, [&](std::size_t at, std::size_t run) {
                const Real *r0 = view.re + at, *i0 = view.im + at, *r1 = r0 + bit * s, *i1 = i0 + bit * s;
                for (std::size_t i = 0; i < run; ++i) {
                    a[0] += r0[i] * r0[i] + i0[i] * i0[i];
                    b[0] += r1[i] * r1[i] + i1[i] * i1[i];
                    cr[0] += r0[i] * r1[i] + i0[i] * i1[i];
                    ci[0] += i0[i] * r1[i] - r0[i] * i1[i];
                }
            });
        }
        for (std::size_t l = 0; l < s; ++l) p0[l] = a[l], p1[l] = b[l], c[l] = {cr[l], ci[l]};
    }

    // ||m x||^2 of lane l: sum over rows r of |m_r0 x0 + m_r1 x1|^2.
    double weight(const matrix2& m, std::size_t l) const {
        double w = 0;
        for (int r = 0; r < 2; ++r)
            w += std::norm(m[2 * r]) * p0[l] + std::norm(m[2 * r + 1]) * p1[l] +
                 2 * (m[2 * r] * std::conj(m[2 * r + 1]) * c[l]).real();
        return w;
    }
};

// Lane l gets m[l] on qubit q, in one pass.
template <class Vector>
void apply_lane_matrices(Vector& v, qubit q, const std::array<matrix2, Vector::samples>& m) {
    constexpr std::size_t s = Vector::samples;
    using Real = typename Vector::real_type;
    alignas(64) std::array<std::array<Real, s>, 4> mr, mi;
    for (std::size_t l = 0; l < s; ++l)
        for (int e = 0; e < 4; ++e) mr[e][l] = Real(m[l][e].real()), mi[e][l] = Real(m[l][e].imag());
    const std::size_t bit = std::size_t{1} << q;
    const auto view = v.view();
    if constexpr (batched<Vector>) { // one register per index, the lanes' own matrices: the pair kernel
        using Batch = simd::batch<Real>;
        kernel::matrix_coeffs<Batch> c;
        for (int e = 0; e < 4; ++e) c[e] = {Batch::load_aligned(mr[e].data()), Batch::load_aligned(mi[e].data())};
        const auto sweep = [&]<bool Real_coefficients>() {
            for_each_run<Vector>(bit, [&](std::size_t at, std::size_t run) {
                for (std::size_t i = at; i < at + run; i += s) {
                    kernel::cvec<Batch> lo{Batch::load_aligned(view.re + i), Batch::load_aligned(view.im + i)};
                    kernel::cvec<Batch> hi{Batch::load_aligned(view.re + i + bit * s), Batch::load_aligned(view.im + i + bit * s)};
                    kernel::pair_update<Real_coefficients>(c, lo, hi);
                    lo.re.store_aligned(view.re + i), lo.im.store_aligned(view.im + i);
                    hi.re.store_aligned(view.re + i + bit * s), hi.im.store_aligned(view.im + i + bit * s);
                }
            });
        };
        // Real matrices in every lane (damping, I, X, Z: all but Y) take half the arithmetic.
        const bool real = std::all_of(mi.begin(), mi.end(), [](const auto& lanes) {
            return std::all_of(lanes.begin(), lanes.end(), [](Real x) { return x == 0; });
        });
        if (real) sweep.template operator()<true>();
        else sweep.template operator()<false>();
    } else {
        for_each_run<Vector>(bit, [&](std::size_t at, std::size_t run) {
            Real *r0 = view.re + at, *i0 = view.im + at, *r1 = r0 + bit * s, *i1 = i0 + bit * s;
            for (std::size_t i = 0; i < run; ++i) {
                const Real ar = r0[i], ai = i0[i], br = r1[i], bi = i1[i];
                r0[i] = mr[0][0] * ar - mi[0][0] * ai + mr[1][0] * br - mi[1][0] * bi;
                i0[i] = mr[0][0] * ai + mi[0][0] * ar + mr[1][0] * bi + mi[1][0] * br;
                r1[i] = mr[2][0] * ar - mi[2][0] * ai + mr[3][0] * br - mi[3][0] * bi;
                i1[i] = mr[2][0] * ai + mi[2][0] * ar + mr[3][0] * bi + mi[3][0] * br;
            }
        });
    }
}

} // namespace qhybrid::quantum::detail
