#pragma once
// Dense matrix products for the layers: C += A B with row-major B and C and A read through
// strides, so that A^T B needs no copy; A B^T transposes B once. A register-blocked kernel: a
// tile of 4 rows by 2 SIMD registers of C stays in registers across the whole k loop.
// Every element is the same sum on every path and at every optimisation level: a fused
// multiply-add chain from zero in k order (simd::fused_multiply_add, std::fma), then added to C.
// embedded::dense and embedded::conv2d repeat it, so exported models agree bit for bit.
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/simd.hpp"

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

// C[i * ldc + j] += sum_k A(i, k) B[k * ldb + j] for i < m, j < n, k < depth.
template <class T>
void accumulate(std::size_t m, std::size_t n, std::size_t depth, strided<T> A, const T* b, std::size_t ldb,
                T* c, std::size_t ldc) noexcept {
    using B = simd::batch<T>;
    constexpr std::size_t w = B::size, rows = 4;
    std::size_t j = 0;
    for (; j + 2 * w <= n; j += 2 * w) {
        std::size_t i = 0;
        for (; i + rows <= m; i += rows) {
            B acc[rows][2];
            for (auto& r : acc) r[0] = r[1] = B(T(0));
            for (std::size_t k = 0; k < depth; ++k) {
                const B b0 = B::load_unaligned(b + k * ldb + j), b1 = B::load_unaligned(b + k * ldb + j + w);
                for (std::size_t r = 0; r < rows; ++r) {
                    const B a(A(i + r, k));
                    acc[r][0] = simd::fused_multiply_add(a, b0, acc[r][0]);
                    acc[r][1] = simd::fused_multiply_add(a, b1, acc[r][1]);
                }
            }
            for (std::size_t r = 0; r < rows; ++r) {
                T* out = c + (i + r) * ldc + j;
                (B::load_unaligned(out) + acc[r][0]).store_unaligned(out);
                (B::load_unaligned(out + w) + acc[r][1]).store_unaligned(out + w);
            }
        }
        for (; i < m; ++i) {
            B acc0(T(0)), acc1(T(0));
            for (std::size_t k = 0; k < depth; ++k) {
                const B a(A(i, k));
                acc0 = simd::fused_multiply_add(a, B::load_unaligned(b + k * ldb + j), acc0);
                acc1 = simd::fused_multiply_add(a, B::load_unaligned(b + k * ldb + j + w), acc1);
            }
            T* out = c + i * ldc + j;
            (B::load_unaligned(out) + acc0).store_unaligned(out);
            (B::load_unaligned(out + w) + acc1).store_unaligned(out + w);
        }
    }
    for (; j + w <= n; j += w) {
        for (std::size_t i = 0; i < m; ++i) {
            B acc(T(0));
            for (std::size_t k = 0; k < depth; ++k) acc = simd::fused_multiply_add(B(A(i, k)), B::load_unaligned(b + k * ldb + j), acc);
            T* out = c + i * ldc + j;
            (B::load_unaligned(out) + acc).store_unaligned(out);
        }
    }
    for (; j < n; ++j) {
        for (std::size_t i = 0; i < m; ++i) {
            T acc = 0;
            for (std::size_t k = 0; k < depth; ++k) acc = std::fma(A(i, k), b[k * ldb + j], acc);
            c[i * ldc + j] += acc;
        }
    }
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

// C[m x n] += A B^T with B stored [n x depth]; `scratch` receives B^T.
template <class T>
void abt(std::size_t m, std::size_t n, std::size_t depth, const T* a, const T* b, T* c,
         aligned_vector<T>& scratch) {
    scratch.resize(depth * n);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < depth; ++k) scratch[k * n + j] = b[j * depth + k];
    ab(m, n, depth, a, scratch.data(), c);
}

} // namespace qhybrid::nn::gemm
