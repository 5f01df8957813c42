// The FFTs against a long-double DFT written here, against Eigen's FFT (an independent
// implementation), and against closed forms; float and double; bad sizes. The fixed-size plan
// against the long-double DFT too, and without allocating.
#include "allocation_counter.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/audio/fft.hpp>
#include <qhybrid/audio/fixed_fft.hpp>
#include <qhybrid/core/rng.hpp>

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>
#include <type_traits>
#include <vector>

namespace a = qhybrid::audio;
using Catch::Matchers::Contains;
using cld = std::complex<long double>;

namespace {

std::vector<cld> dft(const std::vector<cld>& x) {
    const std::size_t n = x.size();
    std::vector<cld> out(n);
    for (std::size_t k = 0; k < n; ++k) {
        cld sum = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const long double angle = -2.0L * std::numbers::pi_v<long double> * (long double)((j * k) % n) / n;
            sum += x[j] * cld(std::cos(angle), std::sin(angle));
        }
        out[k] = sum;
    }
    return out;
}

// max_k |X_k - reference_k| / max_k |reference_k|
template <class Real>
double relative_error(const std::vector<Real>& re, const std::vector<Real>& im, const std::vector<cld>& reference) {
    long double err = 0, scale = 0;
    for (std::size_t k = 0; k < re.size(); ++k) {
        err = std::max(err, std::abs(cld(re[k], im[k]) - reference[k]));
        scale = std::max(scale, std::abs(reference[k]));
    }
    return double(err / scale);
}

template <class Real>
constexpr double tolerance() {
    return std::is_same_v<Real, double> ? 1e-14 : 1e-5;
}

} // namespace

TEMPLATE_TEST_CASE("complex FFT equals the long-double DFT at every size up to 2^12", "", float, double) {
    qhybrid::rng gen(7);
    for (std::size_t n = 1; n <= 4096; n *= 2) {
        std::vector<TestType> re(n), im(n);
        std::vector<cld> x(n);
        for (std::size_t j = 0; j < n; ++j) {
            re[j] = TestType(gen.uniform(-1, 1)), im[j] = TestType(gen.uniform(-1, 1));
            x[j] = cld(re[j], im[j]);
        }
        a::complex_fft<TestType> fft(n);
        fft.forward(re, im);
        INFO("n = " << n);
        CHECK(relative_error(re, im, dft(x)) < tolerance<TestType>());
    }
}

TEMPLATE_TEST_CASE("real FFT equals the long-double DFT at every size up to 2^12", "", float, double) {
    qhybrid::rng gen(11);
    for (std::size_t n = 2; n <= 4096; n *= 2) {
        std::vector<TestType> x(n);
        std::vector<cld> xc(n);
        for (std::size_t j = 0; j < n; ++j) xc[j] = x[j] = TestType(gen.uniform(-1, 1));
        a::real_fft<TestType> fft(n);
        std::vector<TestType> re(fft.bins()), im(fft.bins());
        fft.forward(x, re, im);
        auto reference = dft(xc);
        reference.resize(n / 2 + 1);
        INFO("n = " << n);
        CHECK(relative_error(re, im, reference) < tolerance<TestType>());
    }
}

TEST_CASE("real FFT equals Eigen's FFT up to 2^16 points") {
    qhybrid::rng gen(3);
    for (std::size_t n = 2; n <= 65536; n *= 4) {
        std::vector<double> x(n);
        for (auto& v : x) v = gen.uniform(-1, 1);
        Eigen::FFT<double> eigen;
        std::vector<std::complex<double>> expected;
        eigen.fwd(expected, x);
        a::real_fft<double> fft(n);
        std::vector<double> re(fft.bins()), im(fft.bins());
        fft.forward(x, re, im);
        std::vector<cld> reference(expected.begin(), expected.begin() + long(n / 2 + 1));
        INFO("n = " << n);
        CHECK(relative_error(re, im, reference) < 1e-14);
    }
}

TEST_CASE("real FFT closed forms: an impulse, a constant, a cosine on a bin") {
    const std::size_t n = 2048;
    a::real_fft<double> fft(n);
    std::vector<double> x(n, 0.0), re(fft.bins()), im(fft.bins());
    x[0] = 1;
    fft.forward(x, re, im);
    for (std::size_t k = 0; k < fft.bins(); ++k) {
        CHECK(re[k] == Approx(1).margin(1e-15));
        CHECK(im[k] == Approx(0).margin(1e-15));
    }
    std::fill(x.begin(), x.end(), 0.25);
    fft.forward(x, re, im);
    CHECK(re[0] == 512.0);
    for (std::size_t k = 1; k < fft.bins(); ++k) CHECK(std::abs(std::complex(re[k], im[k])) < 1e-12);
    for (std::size_t j = 0; j < n; ++j) x[j] = std::cos(2 * std::numbers::pi * 37.0 * double(j) / double(n));
    fft.forward(x, re, im);
    for (std::size_t k = 0; k < fft.bins(); ++k)
        CHECK(std::abs(std::complex(re[k], im[k]) - std::complex(k == 37 ? n / 2.0 : 0.0, 0.0)) < 1e-11);
}

namespace {

// The fixed plan against the long-double DFT with the heap plans' tolerance. (Not bit for bit
// against real_fft: g++ contracts multiply-adds into FMAs differently in the two instantiations.)
template <class Real, std::size_t N>
void check_fixed_plan(qhybrid::rng& r) {
    std::array<Real, N> x;
    std::vector<cld> reference(N);
    for (std::size_t j = 0; j < N; ++j) x[j] = Real(r.uniform(-1, 1)), reference[j] = x[j];
    reference = dft(reference);
    reference.resize(N / 2 + 1);
    std::array<Real, N / 2 + 1> re, im;
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t before = allocation_count();
#endif
    a::fixed_real_fft<Real, N> fft;
    fft.forward(x, re, im);
#ifdef QHYBRID_COUNT_ALLOCATIONS
    CHECK(allocation_count() == before);
#endif
    static_assert(std::is_trivially_destructible_v<a::fixed_real_fft<Real, N>>); // owns no heap memory
    CHECK(relative_error(std::vector<Real>(re.begin(), re.end()), std::vector<Real>(im.begin(), im.end()), reference) <
          tolerance<Real>());
}

} // namespace

TEMPLATE_TEST_CASE("fixed-size real FFT equals the long-double DFT and never allocates", "", float, double) {
    qhybrid::rng r(5);
    check_fixed_plan<TestType, 2>(r);
    check_fixed_plan<TestType, 8>(r);
    check_fixed_plan<TestType, 512>(r);
    check_fixed_plan<TestType, 1024>(r);
}

TEST_CASE("FFT sizes and buffers are checked") {
    REQUIRE_THROWS_WITH(a::real_fft<double>(1000), Contains("real_fft: size 1000 is not a power of two >= 2"));
    REQUIRE_THROWS_WITH(a::real_fft<double>(1), Contains("not a power of two >= 2"));
    REQUIRE_THROWS_WITH(a::complex_fft<float>(0), Contains("complex_fft: size 0 is not a power of two"));
    a::real_fft<double> fft(8);
    std::vector<double> x(8), re(5), im(4);
    REQUIRE_THROWS_WITH(fft.forward(x, re, im), Contains("expected 8 samples and two arrays of 5 bins, got 8, 5 and 4"));
    a::complex_fft<double> c(4);
    std::vector<double> r4(4), i3(3);
    REQUIRE_THROWS_WITH(c.forward(r4, i3), Contains("expected two arrays of 4 values, got 4 and 3"));
}
