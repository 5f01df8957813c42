// The resampler against scipy (tests/reference/make_resample_reference.py: firwin's Kaiser
// design from the same parameters, resample_poly with that filter), the filter's measured quality
// (its response on a dense grid, and tones through the resampler), streaming against one-shot,
// the fixed plan against the heap plan, allocations and bad input.
//
// Tolerances (double): designed taps within 1e-14 of the largest tap of scipy's (measured: 1.4e-15),
// their checksums within 1e-12 relative (measured: 1.2e-14); outputs within 1e-9 of
// resample_poly's, absolute (the bound; measured: 8.5e-14). The test prints what it
// measures, the filters' quality included.
#include "allocation_counter.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/audio/fft.hpp>
#include <qhybrid/audio/fixed_resample.hpp>
#include <qhybrid/audio/resample.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/data/csv.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace a = qhybrid::audio;
using Catch::Matchers::Contains;

namespace {

constexpr std::pair<std::size_t, std::size_t> pairs[] = {{8000, 44100},  {44100, 8000},  {16000, 44100},
                                                         {22050, 44100}, {48000, 44100}, {96000, 44100},
                                                         {44100, 48000}, {44100, 16000}};

std::string name(std::size_t from, std::size_t to) { return std::to_string(from) + "-" + std::to_string(to); }

// (case, kind) -> index -> value
using reference_table = std::map<std::pair<std::string, std::string>, std::map<std::size_t, double>>;

const reference_table& reference() {
    static const reference_table table = [] {
        const auto csv = qhybrid::data::read_csv(QHYBRID_TEST_REFERENCE "/resample_reference.csv");
        reference_table t;
        for (std::size_t r = 0; r < csv.rows(); ++r)
            t[{csv.text(r, 0), csv.text(r, 1)}][std::size_t(csv.number(r, 2))] = csv.number(r, 3);
        return t;
    }();
    return table;
}

const std::map<std::size_t, double>& expected(const std::string& name, const std::string& kind) {
    const auto it = reference().find({name, kind});
    REQUIRE(it != reference().end());
    return it->second;
}

std::vector<double> values(const std::map<std::size_t, double>& m) {
    std::vector<double> v;
    for (const auto& [index, value] : m) v.push_back(value);
    return v;
}

// make_resample_reference.py's test signal: 20 ms of a chirp, two tones and a click.
std::vector<double> test_signal(std::size_t rate) {
    const std::size_t n = rate / 50;
    const double duration = double(n) / double(rate), top = 0.45 * double(rate), pi = std::numbers::pi;
    std::vector<double> x(n);
    for (std::size_t j = 0; j < n; ++j) {
        const double t = double(j) / double(rate);
        x[j] = 0.5 * std::sin(2 * pi * (200.0 * t + 0.5 * (top - 200.0) / duration * t * t)) +
               0.3 * std::sin(2 * pi * 440.0 * t) + 0.1 * std::cos(2 * pi * (0.41 * double(rate)) * t);
    }
    x[n / 3] += 0.8;
    return x;
}

double max_abs_difference(const std::vector<double>& got, const std::vector<double>& want) {
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
    return worst;
}

std::vector<double> noise(std::size_t n, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    std::vector<double> x(n);
    for (auto& v : x) v = gen.uniform(-1, 1);
    return x;
}

} // namespace

TEST_CASE("designed filters equal scipy's firwin from the same parameters") {
    for (const auto& [from, to] : pairs) {
        const std::string n = name(from, to);
        INFO(n);
        const a::resampler<double> r(from, to);
        const auto h = r.taps();
        REQUIRE(double(h.size()) == expected(n, "numtaps").at(0));
        const std::size_t larger = std::max(r.up(), r.down());
        CHECK(a::kaiser::resampling_lowpass(larger).cutoff == expected(n, "cutoff").at(0));
        CHECK(a::kaiser::resampling_lowpass(larger).beta == expected(n, "beta").at(0));
        double worst = 0;
        for (const auto& [k, value] : expected(n, "tap")) worst = std::max(worst, std::abs(h[k] - value));
        const double largest = h[(h.size() - 1) / 2];
        CHECK(worst <= 1e-14 * largest);
        const double centre = double(h.size() - 1) / 2;
        double abs_sum = 0, moment = 0;
        for (std::size_t k = 0; k < h.size(); ++k) {
            abs_sum += std::abs(h[k]);
            const double d = (double(k) - centre) / double(h.size());
            moment += std::abs(h[k]) * d * d;
        }
        CHECK(abs_sum == Approx(expected(n, "tap_abs_sum").at(0)).epsilon(1e-12));
        CHECK(moment == Approx(expected(n, "tap_abs_moment2").at(0)).epsilon(1e-12));
        CHECK(double(std::accumulate(h.begin(), h.end(), 0.0L)) == Approx(1).epsilon(1e-15));
        WARN(n << ": " << h.size() << " taps, largest difference from firwin's " << worst / largest
               << " of the largest tap; checksums " << abs_sum / expected(n, "tap_abs_sum").at(0) - 1 << ", "
               << moment / expected(n, "tap_abs_moment2").at(0) - 1);
    }
}

TEST_CASE("resampled signals equal scipy's resample_poly to 1e-9") {
    double overall = 0;
    for (const auto& [from, to] : pairs) {
        const std::string n = name(from, to);
        INFO(n);
        const double err = max_abs_difference(a::resample<double>(test_signal(from), from, to), values(expected(n, "out")));
        CHECK(err < 1e-9);
        overall = std::max(overall, err);
    }
    // The caller's filters: scipy's default design (firwin(8821, 1/441, window=('kaiser', 5.0))),
    // computed here with the library's Kaiser design, and an even-length random filter.
    const a::kaiser::lowpass scipy_default{8821, 1.0 / 441, 5.0};
    const long double sum = a::kaiser::raw_sum(scipy_default);
    std::vector<double> h(scipy_default.taps);
    for (std::size_t k = 0; k < h.size(); ++k) h[k] = a::kaiser::tap(scipy_default, sum, k);
    a::resampler<double> custom(16000, 44100, h);
    std::vector<double> y;
    custom.process(test_signal(16000), y);
    custom.finish(y);
    const double default_err = max_abs_difference(y, values(expected("default-16000-44100", "out")));
    CHECK(default_err < 1e-9);

    a::resampler<double> even(2, 3, values(expected("even-3-2", "tap")));
    y.clear();
    even.process(values(expected("even-3-2", "in")), y);
    even.finish(y);
    const double even_err = max_abs_difference(y, values(expected("even-3-2", "out")));
    CHECK(even_err < 1e-9);
    WARN("largest difference from resample_poly: " << overall << " (designed filters), " << default_err
                                                     << " (scipy's default filter), " << even_err << " (even length)");
}

namespace {

// |A(f)| of a symmetric filter h of odd length at f (cycles per sample), by the long-double DTFT
// h_c + 2 sum_m h_(c+m) cos(2 pi f m), the cosines by the recurrence cos((m+1) w) = 2 cos(w) cos(m w)
// - cos((m-1) w), whose rounding error stays below m eps / sin(w): 1e-12 here, against values of 1e-4.
long double amplitude(std::span<const double> h, long double f) {
    const std::size_t c = (h.size() - 1) / 2;
    const long double cos_w = std::cos(2 * std::numbers::pi_v<long double> * f);
    long double previous = 1, current = cos_w, sum = h[c];
    for (std::size_t m = 1; m <= c; ++m) {
        sum += 2 * h[c + m] * current;
        const long double next = 2 * cos_w * current - previous;
        previous = current, current = next;
    }
    return std::abs(sum);
}

// The largest |A| on [lo, hi], which holds one lobe, by golden-section search.
long double refine(std::span<const double> h, long double lo, long double hi) {
    const long double g = (std::sqrt(5.0L) - 1) / 2;
    long double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), a1 = amplitude(h, x1), a2 = amplitude(h, x2);
    for (int i = 0; i < 20; ++i)
        if (a1 < a2) {
            lo = x1, x1 = x2, a1 = a2;
            x2 = lo + g * (hi - lo), a2 = amplitude(h, x2);
        } else {
            hi = x2, x2 = x1, a2 = a1;
            x1 = hi - g * (hi - lo), a1 = amplitude(h, x1);
        }
    return std::max(a1, a2);
}

struct response {
    double stop_db;     // smallest attenuation from the lower Nyquist frequency up
    double pass_db;     // largest |gain| in dB up to 0.9 of it
};

// The response of h (at the rate L fs_in) on a grid of n >= 8 taps points per cycle, from a
// long-double FFT of the zero-padded filter (each grid value is the DTFT there); the largest
// stop-band lobes found on the grid are refined with the direct DTFT.
response measure(std::span<const double> h, std::size_t larger_factor) {
    const std::size_t n = std::bit_ceil(8 * h.size());
    std::vector<long double> x(n, 0), re(n / 2 + 1), im(n / 2 + 1);
    std::copy(h.begin(), h.end(), x.begin());
    a::real_fft<long double>(n).forward(x, re, im);
    std::vector<long double> mag(re.size());
    for (std::size_t k = 0; k < mag.size(); ++k) mag[k] = std::hypot(re[k], im[k]);
    // the lower Nyquist frequency is 1 / (2 R) cycles per sample at the filter's rate
    const long double edge = 1.0L / (2 * larger_factor);
    const auto first_stop = std::size_t(std::ceil(edge * n));
    std::vector<std::pair<long double, std::size_t>> peaks;
    for (std::size_t k = first_stop; k < mag.size(); ++k)
        if ((k == first_stop || mag[k] >= mag[k - 1]) && (k + 1 == mag.size() || mag[k] >= mag[k + 1]))
            peaks.emplace_back(mag[k], k);
    std::sort(peaks.rbegin(), peaks.rend());
    long double stop = amplitude(h, edge);
    for (std::size_t p = 0; p < std::min<std::size_t>(peaks.size(), 8); ++p) {
        const long double k = peaks[p].second;
        stop = std::max(stop, refine(h, std::max(edge, (k - 1) / n), std::min(0.5L, (k + 1) / n)));
    }
    long double pass = 0;
    for (std::size_t k = 0; k <= std::size_t(a::kaiser::passband_edge * edge * n); ++k)
        pass = std::max(pass, std::abs(20 * std::log10(mag[k])));
    return {double(-20 * std::log10(stop)), double(pass)};
}

} // namespace

TEST_CASE("designed filters: stop band >= 80 dB from the lower Nyquist frequency, pass band within 0.05 dB") {
    double worst_stop = 1e9, worst_pass = 0;
    for (const auto& [from, to] : pairs) {
        INFO(name(from, to));
        const a::resampler<double> r(from, to);
        const auto [stop, pass] = measure(r.taps(), std::max(r.up(), r.down()));
        CHECK(stop >= 80);
        CHECK(pass <= 0.05);
        worst_stop = std::min(worst_stop, stop), worst_pass = std::max(worst_pass, pass);
        WARN(name(from, to) << ": stop band " << stop << " dB down, pass band within " << pass << " dB");
    }
    WARN("filters: stop band at least " << worst_stop << " dB down, pass band within " << worst_pass << " dB");
}

namespace {

// Amplitude of the tone at f (cycles per sample) in y, by a least-squares fit of cos and sin.
double tone_amplitude(const std::vector<double>& y, long double f) {
    long double cc = 0, ss = 0, cs = 0, yc = 0, ys = 0;
    const long double w = 2 * std::numbers::pi_v<long double> * f;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const long double c = std::cos(w * i), s = std::sin(w * i);
        cc += c * c, ss += s * s, cs += c * s, yc += y[i] * c, ys += y[i] * s;
    }
    const long double det = cc * ss - cs * cs, p = (yc * ss - ys * cs) / det, q = (ys * cc - yc * cs) / det;
    return double(std::hypot(p, q));
}

double db(double v) { return 20 * std::log10(v); }

} // namespace

TEST_CASE("tones through the resampler: pass band within 0.05 dB, above the lower Nyquist frequency >= 80 dB down") {
    double worst_pass = 0, worst_image = -1e9, worst_alias = -1e9;
    for (const auto& [from, to] : pairs) {
        INFO(name(from, to));
        double pass = 0, image = -1e9, alias = -1e9;
        a::resampler<double> r(from, to);
        const std::size_t c = (r.taps().size() - 1) / 2, length = 4096;
        // outputs from `skip` on see the whole filter inside the signal
        const std::size_t skip = c / r.down() + 1, n = ((skip + length) * r.down() + c) / r.up() + 2;
        const double nyquist = double(std::min(from, to)) / 2;
        auto run = [&](double f) {
            std::vector<double> x(n), y;
            for (std::size_t j = 0; j < n; ++j) x[j] = std::cos(2 * std::numbers::pi * f * double(j) / double(from) + 0.3);
            r.process(x, y);
            r.finish(y);
            return std::vector<double>(y.begin() + long(skip), y.begin() + long(skip + length));
        };
        for (double fraction : {0.0123, 0.2371, 0.4987, 0.7313, 0.8999}) {
            INFO("tone at " << fraction << " of the lower Nyquist frequency");
            const auto y = run(fraction * nyquist);
            const long double f = (long double)fraction * nyquist / to;
            const double gain = tone_amplitude(y, f);
            // what is not the tone: its images and aliases, each above the lower Nyquist frequency
            double rest = 0;
            const long double w = 2 * std::numbers::pi_v<long double> * f;
            for (std::size_t i = 0; i < y.size(); ++i)
                rest = std::max(rest, std::abs(y[i] - double(gain * std::cos(w * (long double)(skip + i) +
                                                                                  0.3L))));
            CHECK(std::abs(db(gain)) <= 0.05);
            CHECK(db(rest) <= -80);
            pass = std::max(pass, std::abs(db(gain))), image = std::max(image, db(rest));
        }
        for (double fraction : {1.0, 1.003, 1.013, 1.05, 1.2, 1.6, 2.3, 3.7, 5.9}) {
            const double f = fraction * nyquist;
            if (f >= 0.499 * double(from)) continue; // not a tone of the input
            INFO("tone at " << fraction << " of the lower Nyquist frequency");
            const auto y = run(f);
            double peak = 0;
            for (double v : y) peak = std::max(peak, std::abs(v));
            CHECK(db(peak) <= -80);
            alias = std::max(alias, db(peak));
        }
        // (an upsampler's input has no tone above the lower Nyquist frequency: its images are the rest)
        WARN(name(from, to) << ": pass-band tones within " << pass << " dB, the rest " << image << " dB"
                            << (from > to ? "; tones above the lower Nyquist frequency " + std::to_string(alias) + " dB"
                                          : std::string()));
        worst_pass = std::max(worst_pass, pass), worst_image = std::max(worst_image, image);
        worst_alias = std::max(worst_alias, alias);
    }
    WARN("tones: pass-band gain within " << worst_pass << " dB; the largest output sample not of the tone "
                                         << worst_image << " dB (pass-band tones) and " << worst_alias
                                         << " dB (tones above the lower Nyquist frequency)");
}

namespace {

// Feeds x in random blocks (0, 1 or up to 3000 samples), through the span interface. Room: each
// block asks for ceil(size L / M), at most one more than its share of the total.
template <class Plan, class Real>
std::vector<Real> in_blocks(Plan& plan, const std::vector<Real>& x, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    std::vector<Real> y(plan.max_output(x.size()) + x.size() + 1);
    std::size_t j = 0, written = 0;
    while (j < x.size()) {
        const std::uint64_t pick = gen.below(4);
        const std::size_t size = std::min<std::size_t>(x.size() - j, pick < 2 ? pick : gen.below(3000));
        written += plan.process(std::span(x).subspan(j, size), std::span(y).subspan(written)).written;
        j += size;
    }
    written += plan.finish(std::span(y).subspan(written)).written;
    y.resize(written);
    return y;
}

// The heap plan's span interface returns a count; this gives it the fixed plan's shape.
template <class Real>
struct counted {
    a::resampler<Real>& plan;
    std::size_t max_output(std::size_t n) const { return plan.max_output(n); }
    a::resample_result process(std::span<const Real> x, std::span<Real> y) {
        return {a::resample_status::ok, plan.process(x, y)};
    }
    a::resample_result finish(std::span<Real> y) { return {a::resample_status::ok, plan.finish(y)}; }
};

template <class Real>
std::vector<Real> converted(const std::vector<double>& x) {
    return std::vector<Real>(x.begin(), x.end());
}

} // namespace

TEMPLATE_TEST_CASE("a signal fed in blocks of any sizes gives the one-shot output bit for bit", "", float, double) {
    const auto x = converted<TestType>(noise(20000, 3));
    for (const auto& [from, to] : pairs) {
        INFO(name(from, to));
        const auto once = a::resample<TestType>(x, from, to);
        REQUIRE(once.size() == (x.size() * to + from - 1) / from);
        a::resampler<TestType> plan(from, to);
        counted<TestType> c{plan};
        for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(in_blocks(c, x, seed) == once); // the plan is reused
    }
}

namespace {

template <class Real, std::size_t Up, std::size_t Down>
void check_fixed_plan(std::size_t from, std::size_t to) {
    INFO(from << " -> " << to);
    const auto x = converted<Real>(noise(5000, 9));
    const auto fixed = std::make_unique<a::fixed_resampler<Real, Up, Down>>(); // too big for the stack
    a::resampler<Real> heap(from, to);
    static_assert(std::is_trivially_destructible_v<a::fixed_resampler<Real, Up, Down>>); // owns no heap memory
    CHECK(fixed->taps == heap.taps().size());
    CHECK(fixed->up == heap.up());
    CHECK(fixed->down == heap.down());
    std::vector<Real> y(fixed->max_output(x.size()) + fixed->max_output(1) + 64);
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t before = allocation_count();
#endif
    const auto [status, written] = fixed->process(x, y);
    const auto [finished, tail] = fixed->finish(std::span(y).subspan(written));
#ifdef QHYBRID_COUNT_ALLOCATIONS
    CHECK(allocation_count() == before);
#endif
    CHECK(status == a::resample_status::ok);
    CHECK(finished == a::resample_status::ok);
    y.resize(written + tail);
    CHECK(y == a::resample<Real>(x, from, to));
    CHECK(in_blocks(*fixed, x, 5) == y);
}

} // namespace

TEST_CASE("the fixed plan equals the heap plan bit for bit and never allocates") {
    check_fixed_plan<float, 1, 2>(16000, 8000);
    check_fixed_plan<float, 2, 1>(22050, 44100);
    check_fixed_plan<double, 147, 160>(48000, 44100);
    check_fixed_plan<double, 441, 80>(8000, 44100);
    check_fixed_plan<double, 6, 4>(44100, 66150); // reduced to 3 / 2
    check_fixed_plan<float, 1, 1>(16000, 16000);
}

TEST_CASE("process and finish never allocate") {
    const auto x = noise(10000, 4);
    a::resampler<double> plan(44100, 16000);
    std::vector<double> y(plan.max_output(x.size()) + plan.max_output(1)), appended;
    appended.reserve(y.size());
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t before = allocation_count();
#endif
    const std::size_t written = plan.process(x, std::span(y));
    const std::size_t tail = plan.finish(std::span(y).subspan(written));
    plan.process(x, appended);
    plan.finish(appended);
#ifdef QHYBRID_COUNT_ALLOCATIONS
    CHECK(allocation_count() == before);
#endif
    REQUIRE(appended.size() == written + tail);
    CHECK(std::equal(appended.begin(), appended.end(), y.begin()));
}

TEST_CASE("empty and one-sample signals give resample_poly's lengths") {
    for (const auto& [from, to] : pairs) {
        INFO(name(from, to));
        a::resampler<double> plan(from, to);
        for (std::size_t n : {0, 1, 2, 3, 7}) {
            std::vector<double> y;
            plan.process(std::vector<double>(n, 0.5), y);
            plan.finish(y);
            CHECK(y.size() == (n * to + from - 1) / from);
        }
    }
    const auto same = a::resample<double>(std::vector<double>{0.25, -1.5, 3}, 16000, 16000);
    CHECK(same == std::vector<double>{0.25, -1.5, 3});
}

TEST_CASE("bad rates, filters and samples are errors") {
    REQUIRE_THROWS_WITH(a::resampler<double>(0, 44100),
                        Contains("resampler: sample rates must be positive, got 0 Hz -> 44100 Hz"));
    REQUIRE_THROWS_WITH(a::resampler<float>(16000, 0), Contains("got 16000 Hz -> 0 Hz"));
    REQUIRE_THROWS_WITH(a::resampler<double>(44100, 44099),
                        Contains("resampler: 44100 Hz -> 44099 Hz (up 44099, down 44100) needs a polyphase table of ") &&
                            Contains("taps (at most 1048576)"));
    const std::vector<double> three{0.25, 0.5, 0.25};
    REQUIRE_THROWS_WITH(a::resampler<double>(5000000, 3, three),
                        Contains("(up 3, down 5000000)") && Contains("a down factor of 5000000 (at most 1048576)"));
    REQUIRE_THROWS_WITH(a::resampler<double>(8000, 16000, std::vector<double>{}),
                        Contains("resampler: 8000 Hz -> 16000 Hz (up 2, down 1): the filter has no taps"));
    REQUIRE_THROWS_WITH(a::resampler<double>(8000, 16000, std::vector<double>{1, NAN, 1}),
                        Contains("tap 1 is not finite (nan)"));
    REQUIRE_THROWS_WITH(a::resampler<double>(8000, 8000, three), Contains("needs no filter"));

    a::resampler<double> plan(48000, 44100);
    std::vector<double> x(10, 0.1), y;
    plan.process(x, y);
    x[3] = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_WITH(plan.process(x, y), Contains("resampler: input sample 13 is not finite (inf)"));
    x[3] = NAN;
    REQUIRE_THROWS_WITH(a::resample<double>(x, 8000, 16000), Contains("input sample 3 is not finite (nan)"));
    std::vector<double> small(plan.max_output(x.size()) - 1);
    x[3] = 0;
    REQUIRE_THROWS_WITH(plan.process(x, std::span(small)), Contains("10 samples need room for 10 outputs, got 9"));
    REQUIRE_THROWS_WITH(plan.finish(std::span(small).first(0)), Contains("resampler: finish needs room for"));

    a::fixed_resampler<float, 1, 2> fixed;
    std::vector<float> xf(10, 0.1f), yf(5);
    xf[7] = NAN;
    CHECK(fixed.process(xf, yf).status == a::resample_status::non_finite_input);
    xf[7] = 0;
    CHECK(fixed.process(xf, std::span(yf).first(4)).status == a::resample_status::output_too_small);
    CHECK(fixed.process(xf, yf).status == a::resample_status::ok);
    CHECK(fixed.finish(std::span(yf).first(0)).status == a::resample_status::output_too_small);
}

TEST_CASE("a short filter with a large down factor skips the samples between windows") {
    // resample_poly's definition, y[i] = L sum_j h[i M + c - j L] x[j], summed directly
    auto direct = [](const std::vector<double>& x, std::size_t up, std::size_t down, const std::vector<double>& h) {
        const std::size_t c = (h.size() - 1) / 2;
        std::vector<double> y((x.size() * up + down - 1) / down);
        for (std::size_t i = 0; i < y.size(); ++i) {
            long double sum = 0;
            for (std::size_t j = 0; j < x.size(); ++j) {
                const long double k = (long double)(i * down + c) - (long double)(j * up);
                if (k >= 0 && k < h.size()) sum += h[std::size_t(k)] * x[j];
            }
            y[i] = double(up * sum);
        }
        return y;
    };
    const auto x = noise(20000, 6);
    for (const auto& [from, to, taps] : {std::tuple{1000, 1, 3}, {7000, 3, 5}, {2000, 3, 40}}) {
        INFO(from << " -> " << to << " with " << taps << " taps");
        const auto h = noise(std::size_t(taps), 8);
        a::resampler<double> plan(std::size_t(from), std::size_t(to), h);
        const auto want = direct(x, plan.up(), plan.down(), h);
        counted<double> c{plan};
        const auto got = in_blocks(c, x, 2);
        CHECK(max_abs_difference(got, want) < 1e-14);
    }
}
