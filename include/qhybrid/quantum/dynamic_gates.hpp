#pragma once
// Operations on qubits known only at run time, for noise steps (a device's routing, crosstalk,
// Kraus operators of a trajectory): plain loops over contiguous runs of storage rather than the
// compile-time SIMD kernels. They act on a statevector or a batched statevector (every lane,
// or the one lane `lane`), and on the 2N-qubit vector of a density matrix.
#include "qhybrid/quantum/gates.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace qhybrid::quantum::detail {

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

// m (row-major 2x2) on qubit q of one lane; returns the squared norm of that lane afterwards.
template <class Vector>
double apply_matrix(Vector& v, qubit q, const std::array<std::complex<double>, 4>& m, std::size_t lane) {
    using Real = typename Vector::real_type;
    using C = std::complex<Real>;
    const std::size_t bit = std::size_t{1} << q;
    const auto view = v.view();
    const C m0(m[0]), m1(m[1]), m2(m[2]), m3(m[3]);
    double norm = 0;
    for (std::size_t k = 0; k < Vector::dimension; ++k) {
        if (k & bit) continue;
        const std::size_t i0 = Vector::slot(k, lane), i1 = Vector::slot(k | bit, lane);
        const C x0(view.re[i0], view.im[i0]), x1(view.re[i1], view.im[i1]);
        const C y0 = m0 * x0 + m1 * x1, y1 = m2 * x0 + m3 * x1;
        view.re[i0] = y0.real(), view.im[i0] = y0.imag();
        view.re[i1] = y1.real(), view.im[i1] = y1.imag();
        norm += std::norm(y0) + std::norm(y1);
    }
    return norm;
}

// Multiplies one lane by a real factor.
template <class Vector>
void scale_lane(Vector& v, double factor, std::size_t lane) {
    const auto view = v.raw_view();
    using Real = typename Vector::real_type;
    for (std::size_t k = 0; k < Vector::dimension; ++k) {
        view.re[Vector::slot(k, lane)] *= Real(factor);
        view.im[Vector::slot(k, lane)] *= Real(factor);
    }
}

} // namespace qhybrid::quantum::detail
