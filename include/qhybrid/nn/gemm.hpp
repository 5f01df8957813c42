// SPDX-License-Identifier: Apache-2.0
#pragma once
// Dense matrix products for the layers, each C += (a product):
// - A B (forward passes) and A^T B with row-major B and C and A read through strides, so that
//   A^T B needs no copy. A register-blocked kernel: a tile of 8 rows by 2 SIMD registers of C
//   stays in registers across the whole k loop; the ragged last columns use masked loads. Every
//   element is the same sum on every path and at every optimisation level: a fused multiply-add
//   chain from zero in k order (simd::fused_multiply_add, std::fma), then added to C.
//   embedded::dense and embedded::conv2d repeat it, so exported models agree bit for bit.
// - A B^T (gradients) as dot products of contiguous rows, 4 x 4 of them at a time, each summed
//   in SIMD lanes (the ragged end masked), then across the lanes, in a fixed order.
#include "qhybrid/core/simd.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace qhybrid::nn::gemm {

// A(i, k) = a[i * row + k * col].
template <class T>
struct strided {
    const T* a;
    std::size_t row, col;
    T operator()(std::size_t i, std::size_t k) const noexcept { return a[i * row + k * col]; }
};

namespace detail {

// Rows i..i+R of C, columns j..j+width with width <= 2 lanes: R x 2 registers of sums held across
// the k loop. Ragged (width < 2 lanes) reads and writes only the first width columns.
template <std::size_t R, bool Ragged, class T>
void tile(std::size_t depth, strided<T> A, std::size_t i, const T* b, std::size_t ldb, T* c, std::size_t ldc,
          std::size_t width) noexcept {
    using B = simd::batch<T>;
    constexpr std::size_t w = B::size;
    const std::size_t first = std::min(width, w), second = width - first;
    auto load = [&](const T* p, std::size_t count) {
        if constexpr (Ragged) return count == w ? B::load_unaligned(p) : count ? simd::load_first(p, count) : B(T(0));
        else return B::load_unaligned(p);
    };
    B acc[R][2];
    for (auto& r : acc) r[0] = r[1] = B(T(0));
    for (std::size_t k = 0; k < depth; ++k) {
        const B b0 = simd::in_register(load(b + k * ldb, first)), b1 = simd::in_register(load(b + k * ldb + w, second));
        for (std::size_t r = 0; r < R; ++r) {
            const B a(A(i + r, k));
            acc[r][0] = simd::fused_multiply_add(a, b0, acc[r][0]);
            acc[r][1] = simd::fused_multiply_add(a, b1, acc[r][1]);
        }
    }
    for (std::size_t r = 0; r < R; ++r) {
        T* out = c + (i + r) * ldc;
        if constexpr (Ragged) {
            if (first) simd::store_first(load(out, first) + acc[r][0], out, first);
            if (second) simd::store_first(load(out + w, second) + acc[r][1], out + w, second);
        } else {
            (B::load_unaligned(out) + acc[r][0]).store_unaligned(out);
            (B::load_unaligned(out + w) + acc[r][1]).store_unaligned(out + w);
        }
    }
}

template <bool Ragged, class T>
void tile_column(std::size_t m, std::size_t depth, strided<T> A, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                 std::size_t width) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= m; i += 8) tile<8, Ragged>(depth, A, i, b, ldb, c, ldc, width);
    // The last m % 8 rows as at most one block of 4, 2 and 1, not loops: g++ 12 with some -march
    // settings otherwise warns that a tail loop "invokes undefined behavior" at an iteration it
    // cannot reach. A row's sums do not depend on its block: the same bits.
    if (i + 4 <= m) tile<4, Ragged>(depth, A, i, b, ldb, c, ldc, width), i += 4;
    if (i + 2 <= m) tile<2, Ragged>(depth, A, i, b, ldb, c, ldc, width), i += 2;
    if (i < m) tile<1, Ragged>(depth, A, i, b, ldb, c, ldc, width);
}

// C[i][j] += <A row i, B row j> for the R x Cols block at (i, j).
template <std::size_t R, std::size_t Cols, class T>
void dot_block(std::size_t depth, const T* a, const T* b, T* c, std::size_t ldc) noexcept {
    using B = simd::batch<T>;
    constexpr std::size_t w = B::size;
    B acc[R][Cols];
    for (auto& row : acc)
        for (auto& v : row) v = B(T(0));
    auto step = [&](std::size_t k, auto load) {
        B bv[Cols];
        for (std::size_t q = 0; q < Cols; ++q) bv[q] = simd::in_register(load(b + q * depth + k));
        for (std::size_t r = 0; r < R; ++r) {
            const B av = simd::in_register(load(a + r * depth + k));
            for (std::size_t q = 0; q < Cols; ++q) acc[r][q] = simd::fused_multiply_add(av, bv[q], acc[r][q]);
        }
    };
    std::size_t k = 0;
    for (; k + w <= depth; k += w) step(k, [](const T* p) { return B::load_unaligned(p); });
    if (k < depth) step(k, [n = depth - k](const T* p) { return simd::load_first(p, n); });
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t q = 0; q < Cols; ++q) c[r * ldc + q] += simd::reduce_add(acc[r][q]);
}

} // namespace detail

// C[i * ldc + j] += sum_k A(i, k) B[k * ldb + j] for i < m, j < n, k < depth.
template <class T>
void accumulate(std::size_t m, std::size_t n, std::size_t depth, strided<T> A, const T* b, std::size_t ldb,
                T* c, std::size_t ldc) noexcept {
    constexpr std::size_t span = 2 * simd::batch<T>::size;
    std::size_t j = 0;
    for (; j + span <= n; j += span) detail::tile_column<false>(m, depth, A, b + j, ldb, c + j, ldc, span);
    if (j < n) detail::tile_column<true>(m, depth, A, b + j, ldb, c + j, ldc, n - j);
}

// C[m x n] += A[m x depth] B[depth x n], all row-major.
template <class T>
void ab(std::size_t m, std::size_t n, std::size_t depth, const T* a, const T* b, T* c) noexcept {
    accumulate(m, n, depth, strided<T>{a, depth, 1}, b, n, c, n);
}

// C[m x n] += A^T B with A stored [depth x m].
template <class T>
void atb(std::size_t m, std::size_t n, std::size_t depth, const T* a, const T* b, T* c) noexcept {
    accumulate(m, n, depth, strided<T>{a, 1, m}, b, n, c, n);
}

// C[m x n] += A B^T with A stored [m x depth] and B stored [n x depth].
template <class T>
void abt(std::size_t m, std::size_t n, std::size_t depth, const T* a, const T* b, T* c) noexcept {
    constexpr std::size_t block = 4;
    std::size_t i = 0;
    for (; i + block <= m; i += block) {
        std::size_t j = 0;
        for (; j + block <= n; j += block)
            detail::dot_block<block, block>(depth, a + i * depth, b + j * depth, c + i * n + j, n);
        for (; j < n; ++j) detail::dot_block<block, 1>(depth, a + i * depth, b + j * depth, c + i * n + j, n);
    }
    for (; i < m; ++i) {
        std::size_t j = 0;
        for (; j + block <= n; j += block)
            detail::dot_block<1, block>(depth, a + i * depth, b + j * depth, c + i * n + j, n);
        for (; j < n; ++j) detail::dot_block<1, 1>(depth, a + i * depth, b + j * depth, c + i * n + j, n);
    }
}

// c[i] += the sum of row i of A [m x n], summed in SIMD lanes (the ragged end masked), then
// across them.
template <class T>
void row_sums(std::size_t m, std::size_t n, const T* a, T* c) noexcept {
    using B = simd::batch<T>;
    constexpr std::size_t w = B::size;
    for (std::size_t i = 0; i < m; ++i) {
        const T* row = a + i * n;
        B acc(T(0));
        std::size_t k = 0;
        for (; k + w <= n; k += w) acc += B::load_unaligned(row + k);
        if (k < n) acc += simd::load_first(row + k, n - k);
        c[i] += simd::reduce_add(acc);
    }
}

} // namespace qhybrid::nn::gemm
