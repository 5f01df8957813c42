// The layers' matrix products (nn/gemm.hpp) on ragged shapes — fewer columns than a SIMD
// register, one more, odd depths — in float and double:
// - ab and atb equal, bit for bit, the scalar definition the exported embedded models repeat:
//   a std::fma chain from zero in k order, then added to C;
// - abt and row_sums, summed in another fixed order, are within the classic bound
//   (depth + 2) * eps * (sum of |terms| + |C|) of a long-double reference.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn/gemm.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace gemm = qhybrid::nn::gemm;

namespace {

template <class T>
std::vector<T> random_values(std::size_t n, qhybrid::rng& r) {
    std::vector<T> v(n);
    for (auto& x : v) x = T(r.uniform(-1, 1));
    return v;
}

constexpr std::size_t rows[] = {1, 3, 4, 5, 9}, columns[] = {1, 7, 8, 15, 16, 17, 31, 33, 70}, depths[] = {1, 5, 16, 37};

// C0 + sum_k A(i, k) B(k, j) as the embedded layers compute it, element by element.
template <class T, class A, class B>
T definition(T c0, std::size_t depth, A a, B b) {
    T acc = 0;
    for (std::size_t k = 0; k < depth; ++k) acc = std::fma(a(k), b(k), acc);
    return c0 + acc;
}

template <class T>
void check_forward_products() {
    qhybrid::rng r(7);
    std::size_t mismatches = 0, cases = 0;
    for (auto m : rows)
        for (auto n : columns)
            for (auto depth : depths) {
                const auto a = random_values<T>(m * depth, r), b = random_values<T>(depth * n, r),
                           c0 = random_values<T>(m * n, r);
                auto c_ab = c0, c_atb = c0;
                gemm::ab(m, n, depth, a.data(), b.data(), c_ab.data());
                gemm::atb(m, n, depth, a.data(), b.data(), c_atb.data()); // a read as [depth x m]
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < n; ++j) {
                        const auto bj = [&](std::size_t k) { return b[k * n + j]; };
                        mismatches += c_ab[i * n + j] != definition(c0[i * n + j], depth, [&](std::size_t k) { return a[i * depth + k]; }, bj);
                        mismatches += c_atb[i * n + j] != definition(c0[i * n + j], depth, [&](std::size_t k) { return a[k * m + i]; }, bj);
                    }
                ++cases;
            }
    CHECK(cases == std::size(rows) * std::size(columns) * std::size(depths));
    CHECK(mismatches == 0);
}

template <class T>
void check_gradient_products() {
    qhybrid::rng r(8);
    const long double eps = std::numeric_limits<T>::epsilon();
    long double worst = 0; // error / bound
    for (auto m : rows)
        for (auto n : columns)
            for (auto depth : depths) {
                const auto a = random_values<T>(m * depth, r), b = random_values<T>(n * depth, r),
                           c0 = random_values<T>(m * n, r);
                auto c = c0;
                gemm::abt(m, n, depth, a.data(), b.data(), c.data());
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < n; ++j) {
                        long double exact = c0[i * n + j], size = std::abs(exact);
                        for (std::size_t k = 0; k < depth; ++k) {
                            const long double t = (long double)a[i * depth + k] * b[j * depth + k];
                            exact += t, size += std::abs(t);
                        }
                        worst = std::max(worst, std::abs(c[i * n + j] - exact) / ((depth + 2) * eps * size));
                    }
                auto sums = std::vector<T>(c0.begin(), c0.begin() + m);
                gemm::row_sums(m, depth, a.data(), sums.data());
                for (std::size_t i = 0; i < m; ++i) {
                    long double exact = c0[i], size = std::abs(exact);
                    for (std::size_t k = 0; k < depth; ++k) exact += a[i * depth + k], size += std::abs(a[i * depth + k]);
                    worst = std::max(worst, std::abs(sums[i] - exact) / ((depth + 2) * eps * size));
                }
            }
    CHECK(worst <= 1);
}

} // namespace

TEST_CASE("gemm: A B and A^T B are, bit for bit, the fma chain the embedded layers compute") {
    check_forward_products<float>();
    check_forward_products<double>();
}

TEST_CASE("gemm: A B^T and row sums are within the rounding bound of a long-double reference") {
    check_gradient_products<float>();
    check_gradient_products<double>();
}
