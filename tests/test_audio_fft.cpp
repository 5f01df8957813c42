// The FFTs against a long-double DFT written here (every size 1 .. 1100, and chosen bins of large
// and prime sizes), against Eigen's FFT (an independent implementation), and against closed
// forms; float and double; bad sizes. The fixed-size plan against the heap plan, bit for bit,
// and without allocating.
//
// Errors are max_k |X_k - reference_k| / rms_k |reference_k|, the root mean square over all n
// bins being sqrt(sum_j |x_j|^2) (Parseval), so that a few bins checked alone are measured on the
// same scale as a whole spectrum. Inputs are uniform in [-1, 1) and exact in float, so that one
// long-double reference serves both precisions.
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
#include <cstring>
#include <memory>
#include <numbers>
#include <type_traits>
#include <vector>

namespace a = qhybrid::audio;
using Catch::Matchers::Contains;
using cld = std::complex<long double>;

namespace {

// A signal in long double and its DFT at any bin, sum_j x_j exp(-2 pi i j k / n), from a table of
// the n roots of unity (the products written out: std::complex<long double>'s own calls a
// NaN-checking library routine, 20x slower).
class reference {
public:
    explicit reference(std::vector<cld> x)
        : n_(x.size()), xr_(n_), xi_(n_), wr_(n_), wi_(n_) {
        long double energy = 0;
        for (std::size_t j = 0; j < n_; ++j) {
            xr_[j] = x[j].real(), xi_[j] = x[j].imag();
            energy += xr_[j] * xr_[j] + xi_[j] * xi_[j];
            const long double angle = -2 * std::numbers::pi_v<long double> * (long double)j / (long double)n_;
            wr_[j] = std::cos(angle), wi_[j] = std::sin(angle);
        }
        rms_ = std::sqrt(energy);
    }

    cld bin(std::size_t k) const {
        long double sr = 0, si = 0;
        for (std::size_t j = 0, t = 0; j < n_; ++j, t = t + k < n_ ? t + k : t + k - n_) {
            sr += xr_[j] * wr_[t] - xi_[j] * wi_[t];
            si += xr_[j] * wi_[t] + xi_[j] * wr_[t];
        }
        return {sr, si};
    }

    // The root mean square of |X_k| over all n bins.
    long double rms() const { return rms_; }

private:
    std::size_t n_;
    std::vector<long double> xr_, xi_, wr_, wi_;
    long double rms_ = 0;
};

// max over the given bins of |X_k - reference_k| / rms_k |reference_k|; bins[i] is k for X[i].
template <class Real>
double error_at(const std::vector<Real>& re, const std::vector<Real>& im, const reference& ref,
                const std::vector<std::size_t>& bins) {
    long double worst = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) worst = std::max(worst, std::abs(cld(re[i], im[i]) - ref.bin(bins[i])));
    return double(worst / ref.rms());
}

std::vector<std::size_t> first_bins(std::size_t count) {
    std::vector<std::size_t> k(count);
    for (std::size_t i = 0; i < count; ++i) k[i] = i;
    return k;
}

template <class Real>
std::vector<Real> narrowed(const std::vector<double>& x) {
    return {x.begin(), x.end()};
}

// Values exact in float, so that float and double transforms see the same signal.
std::vector<double> signal(qhybrid::rng& gen, std::size_t n) {
    std::vector<double> x(n);
    for (auto& v : x) v = double(float(gen.uniform(-1, 1)));
    return x;
}

std::vector<cld> widened(const std::vector<double>& re, const std::vector<double>& im) {
    std::vector<cld> x(re.size());
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = {re[j], im.empty() ? 0.0 : im[j]};
    return x;
}

template <class Real>
double complex_error(const std::vector<double>& re, const std::vector<double>& im, const reference& ref,
                     const std::vector<std::size_t>& bins) {
    auto r = narrowed<Real>(re), i = narrowed<Real>(im);
    a::complex_fft<Real>(re.size()).forward(r, i);
    std::vector<Real> br(bins.size()), bi(bins.size());
    for (std::size_t b = 0; b < bins.size(); ++b) br[b] = r[bins[b]], bi[b] = i[bins[b]];
    return error_at(br, bi, ref, bins);
}

template <class Real>
double real_error(const std::vector<double>& x, const reference& ref, const std::vector<std::size_t>& bins) {
    a::real_fft<Real> fft(x.size());
    std::vector<Real> re(fft.bins()), im(fft.bins());
    fft.forward(narrowed<Real>(x), re, im);
    std::vector<Real> br(bins.size()), bi(bins.size());
    for (std::size_t b = 0; b < bins.size(); ++b) br[b] = re[bins[b]], bi[b] = im[bins[b]];
    return error_at(br, bi, ref, bins);
}

bool bluestein(std::size_t complex_points) { return a::fft_passes::complex_plan(complex_points).inner != 0; }

} // namespace

// Measured maxima over n = 1 .. 1100 (seed 7; the test prints them):
//             complex, direct   complex, Bluestein   real, direct   real, Bluestein
//   double    8.6e-16           2.0e-15              9.7e-16        2.0e-15
//   float     4.8e-7            9.3e-7               4.6e-7         9.5e-7
// The bounds are about 2.5 times the larger of complex and real.
TEST_CASE("complex and real FFTs equal the long-double DFT at every size from 1 to 1100") {
    qhybrid::rng gen(7);
    // [float, double][complex, real][direct, Bluestein]
    double worst[2][2][2] = {};
    const double tolerance[2][2] = {{1.2e-6, 2.5e-6}, {2.5e-15, 5e-15}}; // [float, double][direct, Bluestein]
    for (std::size_t n = 1; n <= 1100; ++n) {
        INFO("n = " << n);
        const auto re = signal(gen, n), im = signal(gen, n), x = signal(gen, n);
        const reference zref(widened(re, im)), xref(widened(x, {}));
        const auto all = first_bins(n), half = first_bins(n / 2 + 1);
        const bool complex_b = bluestein(n), real_b = bluestein(n % 2 ? n : n / 2);
        const double errors[2][2] = {{complex_error<float>(re, im, zref, all), real_error<float>(x, xref, half)},
                                     {complex_error<double>(re, im, zref, all), real_error<double>(x, xref, half)}};
        for (int p = 0; p < 2; ++p)
            for (int kind = 0; kind < 2; ++kind) {
                const int algorithm = kind == 0 ? complex_b : real_b;
                double& w = worst[p][kind][algorithm];
                w = std::max(w, errors[p][kind]);
                INFO((p ? "double " : "float ") << (kind ? "real " : "complex ") << (algorithm ? "Bluestein" : "direct"));
                CHECK(errors[p][kind] < tolerance[p][algorithm]);
            }
    }
    for (int p = 0; p < 2; ++p)
        WARN((p ? "double" : "float") << ": complex direct " << worst[p][0][0] << ", complex Bluestein "
                                      << worst[p][0][1] << ", real direct " << worst[p][1][0]
                                      << ", real Bluestein " << worst[p][1][1]);
}

// Sizes too large for the O(n^2) reference: 32 bins each against long-double sums, and all bins
// of the double real FFT against Eigen's FFT where that is fast (its prime-size butterfly is
// O(p^2): 65537 would take 4e9 operations, so that size has only the long-double bins).
// Measured maxima over the sizes: double 2.4e-15 (complex, 65537; 1.3e-15 at most elsewhere),
// float 8.6e-7 (complex, 65537); against Eigen 9.7e-15 (4099: Eigen's own O(p^2) butterfly;
// 1.6e-15 at most at 7-smooth sizes). Bounds: 6e-15, 2e-6, 3e-14.
TEST_CASE("FFTs of large and prime sizes equal long-double sums and Eigen's FFT") {
    qhybrid::rng gen(13);
    for (const std::size_t n : {1009, 2048, 4096, 4099, 44100, 65537}) {
        INFO("n = " << n);
        const auto re = signal(gen, n), im = signal(gen, n), x = signal(gen, n);
        const reference zref(widened(re, im)), xref(widened(x, {}));
        std::vector<std::size_t> bins = {0, 1, 2, n / 2 - 1, n / 2};
        while (bins.size() < 32) bins.push_back(std::size_t(gen.uniform() * double(n / 2)));
        const double errors[4] = {complex_error<double>(re, im, zref, bins), real_error<double>(x, xref, bins),
                                  complex_error<float>(re, im, zref, bins), real_error<float>(x, xref, bins)};
        WARN("n = " << n << ": double complex " << errors[0] << ", real " << errors[1] << "; float complex "
                    << errors[2] << ", real " << errors[3]);
        CHECK(std::max(errors[0], errors[1]) < 6e-15);
        CHECK(std::max(errors[2], errors[3]) < 2e-6);
        if (n == 65537) continue;
        Eigen::FFT<double> eigen;
        std::vector<std::complex<double>> expected;
        eigen.fwd(expected, x);
        a::real_fft<double> fft(n);
        std::vector<double> r(fft.bins()), i(fft.bins());
        fft.forward(x, r, i);
        double worst = 0;
        for (std::size_t k = 0; k < fft.bins(); ++k) worst = std::max(worst, std::abs(std::complex(r[k], i[k]) - expected[k]));
        WARN("n = " << n << ": Eigen " << worst / double(xref.rms()));
        CHECK(worst / double(xref.rms()) < 3e-14);
    }
}

// Errors relative to the peak of each spectrum. Measured (double) at most: impulse 0 (8.4e-16 at
// the Bluestein size 1009), constant 1.1e-16, cosine 2.2e-15 (mostly the rounding of the
// cosine's samples).
TEST_CASE("real FFT closed forms: an impulse, a constant, a cosine on a bin") {
    for (const std::size_t n : {2048, 441, 1009, 44100}) {
        INFO("n = " << n);
        a::real_fft<double> fft(n);
        std::vector<double> x(n, 0.0), re(fft.bins()), im(fft.bins());
        // max_k |X_k - expected_k| / peak for X_k = peak at k == bin, 0 elsewhere (bin n: all bins)
        const auto error = [&](std::size_t bin, double peak) {
            fft.forward(x, re, im);
            double worst = 0;
            for (std::size_t k = 0; k < fft.bins(); ++k)
                worst = std::max(worst, std::abs(std::complex(re[k] - (k == bin || bin == n ? peak : 0), im[k])));
            return worst / peak;
        };
        x[0] = 1;
        const double impulse = error(n, 1);
        std::fill(x.begin(), x.end(), 0.25);
        const double constant = error(0, 0.25 * double(n));
        for (std::size_t j = 0; j < n; ++j) x[j] = std::cos(2 * std::numbers::pi * 37.0 * double(j) / double(n));
        const double cosine = error(37, double(n) / 2);
        WARN("n = " << n << ": impulse " << impulse << ", constant " << constant << ", cosine " << cosine);
        CHECK(impulse < 4e-15);
        CHECK(constant < 5e-16);
        CHECK(cosine < 1e-14);
    }
}

namespace {

// The fixed plan against the heap plan, bit for bit: the same arithmetic on the same tables.
template <class Real, std::size_t N>
void check_fixed_plan(qhybrid::rng& r) {
    INFO("N = " << N);
    std::array<Real, N> x;
    for (auto& v : x) v = Real(r.uniform(-1, 1));
    a::real_fft<Real> heap(N);
    std::vector<Real> heap_re(N / 2 + 1), heap_im(N / 2 + 1);
    const auto fixed = std::make_unique<a::fixed_real_fft<Real, N>>(); // up to 8 N values: not on the stack
    std::array<Real, N / 2 + 1> re, im;
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t before = allocation_count();
#endif
    fixed->forward(x, re, im);
    heap.forward(x, heap_re, heap_im);
#ifdef QHYBRID_COUNT_ALLOCATIONS
    CHECK(allocation_count() == before);
#endif
    static_assert(std::is_trivially_destructible_v<a::fixed_real_fft<Real, N>>); // owns no heap memory
    CHECK(std::memcmp(re.data(), heap_re.data(), sizeof re) == 0);
    CHECK(std::memcmp(im.data(), heap_im.data(), sizeof im) == 0);
}

template <class Real>
void check_fixed_plans() {
    qhybrid::rng r(5);
    check_fixed_plan<Real, 1>(r);
    check_fixed_plan<Real, 2>(r);
    check_fixed_plan<Real, 8>(r);
    check_fixed_plan<Real, 22>(r);   // 11-point Bluestein and untangling
    check_fixed_plan<Real, 23>(r);   // 23-point Bluestein
    check_fixed_plan<Real, 400>(r);  // radix 4, 2, 5, 5
    check_fixed_plan<Real, 441>(r);  // odd: radix 3, 3, 7, 7
    check_fixed_plan<Real, 1009>(r); // prime: Bluestein through 2025 = 3^4 5^2 points
    check_fixed_plan<Real, 1024>(r);
}

} // namespace

TEMPLATE_TEST_CASE("fixed-size real FFT equals the heap plan bit for bit and never allocates", "", float, double) {
    check_fixed_plans<TestType>();
}

TEST_CASE("complex FFT forward never allocates") {
    for (const std::size_t n : {1000, 1009}) {
        a::complex_fft<double> fft(n);
        std::vector<double> re(n, 1.0), im(n, 0.0);
#ifdef QHYBRID_COUNT_ALLOCATIONS
        const std::size_t before = allocation_count();
#endif
        fft.forward(re, im);
#ifdef QHYBRID_COUNT_ALLOCATIONS
        CHECK(allocation_count() == before);
#endif
        CHECK(re[0] == Approx(double(n)));
    }
}

TEST_CASE("FFT sizes and buffers are checked") {
    REQUIRE_THROWS_WITH(a::real_fft<double>(0), Contains("real_fft: size 0 is not in [1, 16777216]"));
    REQUIRE_THROWS_WITH(a::complex_fft<float>(0), Contains("complex_fft: size 0 is not in [1, 16777216]"));
    REQUIRE_THROWS_WITH(a::real_fft<double>(a::fft_passes::max_size + 1), Contains("size 16777217 is not in"));
    CHECK(a::real_fft<double>(1).bins() == 1);
    CHECK(a::real_fft<double>(1000).bins() == 501);
    CHECK(a::real_fft<double>(1001).bins() == 501);
    a::real_fft<double> fft(8);
    std::vector<double> x(8), re(5), im(4);
    REQUIRE_THROWS_WITH(fft.forward(x, re, im), Contains("expected 8 samples and two arrays of 5 bins, got 8, 5 and 4"));
    a::complex_fft<double> c(4);
    std::vector<double> r4(4), i3(3);
    REQUIRE_THROWS_WITH(c.forward(r4, i3), Contains("expected two arrays of 4 values, got 4 and 3"));
}
