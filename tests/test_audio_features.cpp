// The audio front end against independent oracles (tests/reference/make_audio_reference.py):
// torchaudio configured to librosa's conventions for MFCCs and the spectral centroid, numpy
// re-statements of librosa's definitions for chroma (with its tuning estimate), bandwidth,
// rolloff, zero-crossing rate, RMS and the DEEP-VOICE features, and torchaudio.load for the WAV
// samples. Signals: four FSDD recordings and a synthetic chirp. And against librosa 0.10.2.post1
// itself (tests/reference/make_librosa_reference.py): tuning, chroma, MFCCs and RMS of the same
// signals, with dtype=float64 and with librosa's float32 defaults, and an impulse's flat spectrum.
//
// Tolerances (double): MFCCs 1e-6 relative to each value (the bound; the measured error
// is about 1e-12, 1e-9 on the chirp's smallest coefficients, at n_fft 2048, 512 and 400), other continuous features 1e-9 relative, chroma 1e-9 absolute (values in
// [0, 1]); the tuning estimate, the rolloff bin and the zero-crossing counts exactly. The same
// against librosa with dtype=float64; against its float32 defaults, the bounds docs/audio.md
// states (MFCCs relative to each coefficient's largest value, not to each value).
#include <catch2/catch.hpp>
#include <qhybrid/audio.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/data/csv.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <numbers>
#include <string>
#include <vector>

namespace a = qhybrid::audio;
using Catch::Matchers::Contains;
using matrix = a::frame_matrix<double>;

namespace {

using table = std::map<std::pair<std::string, std::string>, matrix>;

// A reference CSV's rows (signal, feature, frame, index, value) as one matrix per signal and feature.
table read_reference(const std::string& file) {
    const auto csv = qhybrid::data::read_csv(std::string(QHYBRID_TEST_REFERENCE "/") + file);
    std::map<std::pair<std::string, std::string>, std::vector<std::array<double, 3>>> cells;
    for (std::size_t r = 0; r < csv.rows(); ++r)
        cells[{csv.text(r, 0), csv.text(r, 1)}].push_back({csv.number(r, 2), csv.number(r, 3), csv.number(r, 4)});
    table out;
    for (const auto& [key, list] : cells) {
        std::size_t frames = 0, width = 0;
        for (const auto& c : list) frames = std::max(frames, std::size_t(c[0]) + 1), width = std::max(width, std::size_t(c[1]) + 1);
        matrix m(frames, width);
        for (const auto& c : list) m(std::size_t(c[0]), std::size_t(c[1])) = c[2];
        out.emplace(key, std::move(m));
    }
    return out;
}

const matrix& find(const table& t, const std::string& signal, const std::string& feature) {
    const auto it = t.find({signal, feature});
    REQUIRE(it != t.end());
    return it->second;
}

// make_audio_reference.py: torchaudio and numpy re-statements of librosa.
const matrix& expected(const std::string& signal, const std::string& feature) {
    static const table t = read_reference("audio_reference.csv");
    return find(t, signal, feature);
}

// make_librosa_reference.py: librosa 0.10.2.post1 itself.
const matrix& librosa(const std::string& signal, const std::string& feature) {
    static const table t = read_reference("librosa_reference.csv");
    return find(t, signal, feature);
}

matrix row(const std::vector<double>& v) {
    matrix m(1, v.size());
    m.values = v;
    return m;
}

// Largest |got - want| / (|want| + floor) over all values; shapes must agree.
double relative_error(const matrix& got, const matrix& want, double floor = 0) {
    REQUIRE(got.frames == want.frames);
    REQUIRE(got.width == want.width);
    double worst = 0;
    for (std::size_t i = 0; i < got.values.size(); ++i)
        worst = std::max(worst, std::abs(got.values[i] - want.values[i]) / (std::abs(want.values[i]) + floor));
    return worst;
}

// Largest |got - want| over the largest |want| of the same feature (column) over all frames.
double scale_error(const matrix& got, const matrix& want) {
    REQUIRE(got.frames == want.frames);
    REQUIRE(got.width == want.width);
    double worst = 0;
    for (std::size_t k = 0; k < want.width; ++k) {
        double scale = 0, diff = 0;
        for (std::size_t t = 0; t < want.frames; ++t)
            scale = std::max(scale, std::abs(want(t, k))), diff = std::max(diff, std::abs(got(t, k) - want(t, k)));
        worst = std::max(worst, diff / scale);
    }
    return worst;
}

// The chirp of make_audio_reference.py: 1 s at 22050 Hz.
std::vector<double> chirp() {
    const double rate = 22050;
    std::vector<double> y(22050);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double t = double(i) / rate, two_pi = 2 * std::numbers::pi;
        y[i] = 0.5 * std::sin(two_pi * (100.0 * t + 0.5 * (4000.0 - 100.0) * t * t)) + 0.2 * std::sin(two_pi * 440.0 * t) +
               0.05 * std::sin(two_pi * 7000.0 * t);
    }
    return y;
}

// Against librosa itself: with dtype=float64 as tight as against the oracles; with librosa's
// float32 defaults (samples, filterbanks, rms) within what docs/audio.md states.
void check_against_librosa(const std::string& name, std::span<const double> y, double rate, const matrix& power) {
    CHECK(a::estimate_tuning(power, rate) == Approx(librosa(name, "tuning").values[0]).margin(1e-15));
    const matrix chroma = a::chroma_stft(power, rate), mfcc = a::mfcc(y, rate), rms = row(a::rms(y));
    const double chroma_error = relative_error(chroma, librosa(name, "chroma"), 1.0);
    const double mfcc_error = relative_error(mfcc, librosa(name, "mfcc"));
    const double rms_error = relative_error(rms, librosa(name, "rms"));
    CHECK(chroma_error < 1e-9);
    CHECK(mfcc_error < 1e-6);
    CHECK(rms_error < 1e-9);
    const double chroma_default = relative_error(chroma, librosa(name, "chroma_default"), 1.0);
    const double mfcc_scale = scale_error(mfcc, librosa(name, "mfcc_default"));
    const double mfcc_value = relative_error(mfcc, librosa(name, "mfcc_default"));
    const double rms_default = relative_error(rms, librosa(name, "rms_default"));
    CHECK(chroma_default < 1e-6);
    CHECK(mfcc_scale < 2e-6);
    CHECK(rms_default < 2.5e-7);
    WARN(name << " against librosa 0.10.2.post1, dtype=float64: MFCC " << mfcc_error << " relative, chroma "
              << chroma_error << " absolute, rms " << rms_error << " relative; librosa's float32 defaults: MFCC "
              << mfcc_scale << " of each coefficient's largest value (" << mfcc_value << " per value), chroma "
              << chroma_default << " absolute, rms " << rms_default << " relative");
}

void check_features(const std::string& name, const std::vector<double>& samples, double rate) {
    INFO("signal " << name);
    const std::span<const double> y(samples);
    const double mfcc_error = relative_error(a::mfcc(y, rate), expected(name, "mfcc"));
    CHECK(mfcc_error < 1e-6);
    if (name != "chirp") {
        a::mfcc_options options;
        options.stft = {.n_fft = 512, .hop_length = 128, .pad = a::pad_mode::reflect};
        options.mel = {.n_mels = 40, .scale = a::mel_scale::htk, .norm = a::mel_norm::none};
        CHECK(relative_error(a::mfcc(y, rate, options), expected(name, "mfcc_reflect_htk_512")) < 1e-6);
    }
    // torchaudio's default n_fft, 400: a mixed-radix FFT (200 = 4 2 5 5 complex points)
    const double mfcc_400_error = relative_error(
        a::mfcc(y, rate, {.stft = {.n_fft = 400, .hop_length = 200}, .mel = {.n_mels = 40}}), expected(name, "mfcc_400"));
    CHECK(mfcc_400_error < 1e-6);
    const matrix power = a::spectrogram(y);
    matrix magnitude = power;
    for (double& v : magnitude.values) v = std::sqrt(v);
    CHECK(relative_error(row(a::spectral_centroid(magnitude, rate)), expected(name, "centroid")) < 1e-9);
    CHECK(relative_error(row(a::spectral_bandwidth(magnitude, rate)), expected(name, "bandwidth")) < 1e-9);
    CHECK(relative_error(row(a::spectral_rolloff(magnitude, rate)), expected(name, "rolloff")) == 0);
    CHECK(relative_error(row(a::zero_crossing_rate(y)), expected(name, "zcr")) == 0);
    CHECK(relative_error(row(a::rms(y)), expected(name, "rms")) < 1e-9);
    // The tuning is a histogram edge: numpy rounds i * 0.01 - 0.5 in two steps, g++ may fuse them.
    CHECK(a::estimate_tuning(power, rate) == Approx(expected(name, "tuning").values[0]).margin(1e-15));
    CHECK(relative_error(a::chroma_stft(power, rate), expected(name, "chroma"), 1.0) < 1e-9);

    check_against_librosa(name, y, rate, power);

    const auto rows = a::deep_voice_features(y, rate);
    matrix features(rows.size(), a::deep_voice_width);
    for (std::size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), features.frame(r).begin());
    CHECK(relative_error(features, expected(name, "deep_voice")) < 1e-9);
    WARN(name << ": MFCC max relative error " << mfcc_error << ", at n_fft 400 " << mfcc_400_error);
}

} // namespace

TEST_CASE("audio features equal torchaudio and librosa's definitions on a chirp") {
    check_features("chirp", chirp(), 22050);
}

TEST_CASE("audio features equal torchaudio and librosa's definitions on FSDD recordings", "[data]") {
    for (const std::string name : {"0_jackson_0", "3_lucas_30", "7_theo_12", "9_nicolas_4"}) {
        const a::wav w = a::read_wav(std::string(QHYBRID_TEST_DATA) + "/fsdd/recordings/" + name + ".wav");
        const std::vector<double> y = w.mono();
        // The samples torchaudio.load read: the first 64 exactly, then count, rate, sum and energy.
        const matrix& head = expected(name, "samples_head");
        CHECK(std::vector(y.begin(), y.begin() + long(head.width)) == head.values);
        const matrix& summary = expected(name, "samples_summary");
        CHECK(double(y.size()) == summary.values[0]);
        CHECK(double(w.sample_rate) == summary.values[1]);
        double sum = 0, energy = 0;
        for (double v : y) sum += v, energy += v * v;
        CHECK(sum == Approx(summary.values[2]).epsilon(1e-12));
        CHECK(energy == Approx(summary.values[3]).epsilon(1e-12));
        check_features(name, y, w.sample_rate);
    }
}

TEST_CASE("tuning and chroma equal librosa 0.10's where its parabolic shift differs from 0.9's") {
    // make_librosa_reference.py: an impulse's flat spectrum, where the rounding of the curvature
    // decides each peak's shift, and plateaus, where librosa 0.10's curvature rounds to 0 and it
    // does not shift. librosa 0.9's formula gives tunings -0.29 and -0.41 (0.47 and 0.14 here).
    for (const std::string name : {"impulse", "plateaus"}) {
        INFO(name);
        const matrix& power = librosa(name, "power");
        CHECK(a::estimate_tuning(power, 22050) == Approx(librosa(name, "tuning").values[0]).margin(1e-15));
        CHECK(relative_error(a::chroma_stft(power, 22050), librosa(name, "chroma"), 1.0) < 1e-9);
    }
}

TEST_CASE("STFT framing: centred frame count, padding modes, window") {
    const std::vector<double> y = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(a::stft_plan<double>({.n_fft = 8, .hop_length = 2}).frames(y) == 1 + 10 / 2);
    CHECK(a::stft_plan<double>({.n_fft = 8, .hop_length = 2, .center = false}).frames(y) == 2);
    // Window: periodic Hann, centred in n_fft when shorter.
    const auto w = a::hann_window<double>(4, 8);
    const std::vector<double> hann = {0, 0, 0, 0.5, 1, 0.5, 0, 0};
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(w[i] == Approx(hann[i]).margin(1e-16));
    // A frame's DC bin is the sum of its windowed samples: check padding through it.
    const auto dc = [&](a::pad_mode mode) {
        a::stft_options o{.n_fft = 4, .hop_length = 4, .win_length = 0, .center = true, .pad = mode};
        return a::stft<double>(y, o)(0, 0).real();
    };
    // Frame 0 reads positions -2..1 with window (0, 0.5, 1, 0.5).
    CHECK(dc(a::pad_mode::constant) == Approx(0.5 * 0 + 1 * 1 + 0.5 * 2));
    CHECK(dc(a::pad_mode::reflect) == Approx(0.5 * 2 + 1 * 1 + 0.5 * 2));
    CHECK(dc(a::pad_mode::edge) == Approx(0.5 * 1 + 1 * 1 + 0.5 * 2));
}

TEST_CASE("STFT of any n_fft equals the windowed DFT of its frames") {
    std::vector<double> y(3000);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::sin(0.01 * double(i * i % 1777)) + 0.1 * double(i % 7);
    for (const std::size_t n_fft : {400, 1000, 1001, 1009}) { // 4 2 5 5, 4 5 5 5, 7 11 13 (Bluestein), prime
        INFO("n_fft = " << n_fft);
        const auto s = a::stft<double>(y, {.n_fft = n_fft, .hop_length = 300});
        REQUIRE(s.width == n_fft / 2 + 1);
        const auto window = a::hann_window<double>(n_fft, n_fft);
        for (const std::size_t t : {std::size_t(0), std::size_t(3), s.frames - 1})
            for (const std::size_t k : {std::size_t(0), std::size_t(1), std::size_t(77), n_fft / 2}) {
                std::complex<long double> sum = 0; // frame t starts n_fft / 2 samples before t * hop, padded with zeros
                for (std::size_t j = 0; j < n_fft; ++j) {
                    const auto i = std::ptrdiff_t(t * 300 + j) - std::ptrdiff_t(n_fft / 2);
                    if (i < 0 || i >= std::ptrdiff_t(y.size())) continue;
                    const long double angle = -2 * std::numbers::pi_v<long double> * (long double)(j * k % n_fft) / n_fft;
                    sum += (long double)(y[std::size_t(i)] * window[j]) * std::polar(1.0L, angle);
                }
                CHECK(std::abs(std::complex<long double>(s(t, k)) - sum) < 1e-12 * (1 + std::abs(sum)));
            }
    }
}

TEST_CASE("mel scale closed forms and filterbank shape") {
    CHECK(a::hz_to_mel(1000.0) == Approx(15.0));
    CHECK(a::hz_to_mel(6400.0) == Approx(15.0 + 27.0));
    CHECK(a::mel_to_hz(a::hz_to_mel(3210.0)) == Approx(3210.0).epsilon(1e-14));
    CHECK(a::hz_to_mel(700.0, a::mel_scale::htk) == Approx(2595.0 * std::log10(2.0)));
    CHECK(a::mel_to_hz(a::hz_to_mel(123.0, a::mel_scale::htk), a::mel_scale::htk) == Approx(123.0).epsilon(1e-14));
    // Slaney-normalised triangles have unit area in Hz: sum_k w_k * (rate / n_fft) ~ 1 when the
    // triangles span many bins.
    const a::mel_filterbank<double> fb(22050, 8192, {.n_mels = 40});
    CHECK(fb.empty_filters() == 0);
    for (std::size_t m = 0; m < fb.mels(); ++m) {
        double area = 0;
        for (std::size_t k = 0; k < fb.bins(); ++k) area += fb.weight(m, k) * 22050.0 / 8192;
        CHECK(area == Approx(1.0).epsilon(0.02));
    }
    CHECK(a::mel_filterbank<double>(8000, 64, {.n_mels = 128}).empty_filters() > 0);
}

TEST_CASE("power_to_db: ref, amin and top_db as librosa defines them") {
    matrix p(1, 4);
    p.values = {1.0, 1e-3, 1e-12, 100.0};
    CHECK(a::power_to_db(p).values == std::vector<double>{0, -30, -60, 20}); // amin 1e-10 -> -100, clipped to 20 - 80
    CHECK(a::power_to_db(p, {.top_db = std::nullopt}).values == std::vector<double>{0, -30, -100, 20});
    const auto rel = a::power_to_db(p, {.ref_is_max = true, .top_db = std::nullopt}).values;
    CHECK(rel[0] == Approx(-20));
    CHECK(rel[3] == Approx(0));
}

TEST_CASE("audio functions reject bad input with context") {
    const std::vector<double> y = {0.1, 0.2, std::nan(""), 0.4};
    CHECK_THROWS_WITH(a::spectrogram<double>(y, {.n_fft = 4}), Contains("stft: sample 2 is not finite"));
    CHECK_THROWS_WITH(a::spectrogram<double>(std::vector<double>{}), Contains("stft: empty signal"));
    const std::vector<double> ok(100, 0.5);
    CHECK_THROWS_WITH(a::spectrogram<double>(ok, {.n_fft = 0}), Contains("real_fft: size 0 is not in"));
    CHECK_THROWS_WITH(a::spectrogram<double>(ok, {.n_fft = 20000000}), Contains("real_fft: size 20000000 is not in"));
    CHECK_THROWS_WITH(a::spectrogram<double>(ok, {.n_fft = 256, .center = false}),
                      Contains("fewer than one frame of 256 (center = false)"));
    // Numbers in messages in their shortest exact form ("0.5", not std::to_string's "0.500000").
    CHECK_THROWS_WITH(a::mel_filterbank<double>(8000, 512, {.fmax = 5000.0}),
                      Contains("fmax <= rate / 2; got rate 8000, n_fft 512, n_mels 128, fmin 0, fmax 5000"));
    CHECK_THROWS_WITH(a::mel_filterbank<double>(0.5, 512, {.fmin = 0.5}),
                      Contains("got rate 0.5, n_fft 512, n_mels 128, fmin 0.5, fmax 0.25"));
    CHECK_THROWS_WITH(a::mfcc<double>(ok, 8000, {.n_mfcc = 200, .stft = {.n_fft = 64}, .mel = {.n_mels = 20}}),
                      Contains("n_mfcc 200 is not in [1, n_mels = 20]"));
    CHECK_THROWS_WITH(a::spectral_rolloff(matrix(2, 5), 8000, 1.5), Contains("spectral_rolloff: roll_percent 1.5 is not in (0, 1)"));
    CHECK_THROWS_WITH(a::spectral_bandwidth(matrix(2, 5), 8000, -0.25), Contains("spectral_bandwidth: p -0.25 is not positive"));
    matrix negative(1, 3);
    negative.values = {1, -1, 0};
    CHECK_THROWS_WITH(a::spectral_centroid(negative, 8000), Contains("frame 0, bin 1 is not a finite non-negative"));
    CHECK_THROWS_WITH(a::deep_voice_features<double>(ok, 8000.5), Contains("sample rate 8000.5 is not a positive integer"));
    CHECK_THROWS_WITH(a::deep_voice_features<double>(ok, 0.5), Contains("deep_voice_features: sample rate 0.5 is not a positive integer"));
    CHECK_THROWS_WITH(a::spectrogram<double>(ok, {.n_fft = 64}, 0.0), Contains("spectrogram: power 0 is not positive"));
    CHECK_THROWS_WITH(a::spectrogram<double>(ok, {.n_fft = 64}, -1e-3), Contains("spectrogram: power -0.001 is not positive"));
    const a::mel_filterbank<double> fb(8000, 64, {.n_mels = 10});
    CHECK_THROWS_WITH(fb.apply(matrix(2, 16)), Contains("spectrum frames have 16 bins, the filterbank expects 33"));
    CHECK_THROWS_WITH(a::dct2_ortho<double>(10, 5).apply(matrix(2, 9)), Contains("frames of 9 values, expected 10"));
    CHECK_THROWS_WITH(a::fold_chroma(matrix(2, 33), std::vector<double>(12 * 32), 12),
                      Contains("a filterbank of 384 weights does not fit 12 pitch classes of 33 bins"));
    CHECK_THROWS_WITH(a::pitch_tuning(std::vector<double>{440.0}, 1.5), Contains("pitch_tuning: resolution 1.5 is not in (0, 1)"));
    CHECK_THROWS_WITH(a::estimate_tuning(matrix(2, 2), 8000), Contains("need at least 3 frequency bins"));
    CHECK_THROWS_WITH(a::chroma_filterbank(8000, 1), Contains("need a positive rate, n_fft >= 2"));
}

TEST_CASE("silent frames give zeros as in librosa, never NaN") {
    const std::vector<double> silence(4096, 0.0);
    const matrix power = a::spectrogram<double>(silence);
    for (double v : a::spectral_centroid(power, 8000)) CHECK(v == 0);
    for (double v : a::spectral_bandwidth(power, 8000)) CHECK(v == 0);
    for (double v : a::spectral_rolloff(power, 8000)) CHECK(v == 0);
    for (double v : a::chroma_stft(power, 8000).values) CHECK(v == 0);
    for (const auto& r : a::deep_voice_features<double>(silence, 8000))
        for (double v : r) CHECK(std::isfinite(v));
}

namespace {

// sum_i a_i b_i
double dot(std::span<const double> a, std::span<const double> b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

} // namespace

TEST_CASE("the log-mel front end's and MFCC's backward passes agree with central differences") {
    qhybrid::rng gen(19);
    std::vector<double> signal(700);
    for (auto& v : signal) v = 0.3 * gen.normal();
    for (const auto pad : {a::pad_mode::constant, a::pad_mode::reflect, a::pad_mode::edge}) {
        INFO("pad mode " << int(pad));
        a::stft_plan<double> plan({.n_fft = 64, .hop_length = 16, .pad = pad});
        const auto p = plan.spectrogram(signal);
        a::frame_matrix<double> g(p.frames, p.width);
        for (auto& v : g.values) v = gen.uniform(-1, 1);
        const auto dsignal = plan.spectrogram_vjp(signal, g);
        REQUIRE(dsignal.size() == signal.size());
        for (std::size_t i = 0; i < signal.size(); i += 7) { // every seventh sample, the ends included
            auto up = signal, down = signal;
            const double h = 1e-5;
            up[i] += h, down[i] -= h;
            const double fd = (dot(plan.spectrogram(up).values, g.values) - dot(plan.spectrogram(down).values, g.values)) / (2 * h);
            CHECK(dsignal[i] == Approx(fd).epsilon(1e-7).margin(1e-8));
        }
    }
    // The filterbank's backward is its transpose: <mel(S), G> = <S, mel^T G>, to rounding.
    const a::mel_filterbank<double> mel(8000, 64, {.n_mels = 8});
    a::frame_matrix<double> s(5, mel.bins()), gm(5, 8);
    for (auto& v : s.values) v = gen.uniform(0, 2);
    for (auto& v : gm.values) v = gen.uniform(-1, 1);
    CHECK(dot(mel.apply(s).values, gm.values) == Approx(dot(s.values, mel.vjp(gm).values)).epsilon(1e-13));
    // MFCC: the DCT's transpose and the whole chain from the signal.
    a::mfcc_plan<double> mfcc(8000, {.n_mfcc = 6, .stft = {.n_fft = 64, .hop_length = 16}, .mel = {.n_mels = 8}});
    const auto coefficients = mfcc(signal);
    a::frame_matrix<double> gc(coefficients.frames, coefficients.width);
    for (auto& v : gc.values) v = gen.uniform(-1, 1);
    const auto dmfcc = mfcc.vjp(signal, gc);
    for (std::size_t i = 3; i < signal.size(); i += 29) {
        auto up = signal, down = signal;
        const double h = 1e-6;
        up[i] += h, down[i] -= h;
        const double fd = (dot(mfcc(up).values, gc.values) - dot(mfcc(down).values, gc.values)) / (2 * h);
        CHECK(dmfcc[i] == Approx(fd).epsilon(1e-6).margin(1e-8));
    }
    // power_to_db: the log, amin, the clip at top_db that follows the peak, and ref_is_max.
    a::frame_matrix<double> power(4, 6);
    for (auto& v : power.values) v = std::pow(10.0, gen.uniform(-9, 1)); // 100 dB of range: some values clip at 80
    power.values[3] = 1e-12;                                              // below amin
    a::frame_matrix<double> gd(4, 6);
    for (auto& v : gd.values) v = gen.uniform(-1, 1);
    for (const bool relative : {false, true}) {
        INFO("ref_is_max " << relative);
        const a::db_options o{.ref_is_max = relative};
        const auto vjp = a::power_to_db_vjp(power, gd, o);
        std::size_t clipped = 0;
        const auto db = a::power_to_db(power, o);
        const double top = *std::max_element(db.values.begin(), db.values.end());
        for (double v : db.values) clipped += v == top - 80;
        CHECK(clipped >= 2);
        for (std::size_t i = 0; i < power.values.size(); ++i) {
            auto up = power, down = power;
            const double h = 1e-6 * power.values[i];
            up.values[i] += h, down.values[i] -= h;
            const double fd = (dot(a::power_to_db(up, o).values, gd.values) - dot(a::power_to_db(down, o).values, gd.values)) / (2 * h);
            CHECK(vjp.values[i] == Approx(fd).epsilon(1e-6).margin(1e-9 / power.values[i]));
        }
    }
}

TEST_CASE("the DEEP-VOICE features' backward passes agree with central differences, and the rolloff's and ZCR's BPDA surrogates with their relaxations") {
    qhybrid::rng gen(23);
    // Centroid and bandwidth on non-silent magnitude frames.
    a::frame_matrix<double> m(4, 9);
    for (auto& v : m.values) v = gen.uniform(0.05, 2);
    std::vector<double> gf(4);
    for (auto& v : gf) v = gen.uniform(-1, 1);
    const double rate = 8000;
    auto check_spectral = [&](auto forward, const a::frame_matrix<double>& vjp, double tolerance) {
        for (std::size_t i = 0; i < m.values.size(); ++i) {
            auto up = m, down = m;
            const double h = 1e-6;
            up.values[i] += h, down.values[i] -= h;
            const double fd = (dot(forward(up), gf) - dot(forward(down), gf)) / (2 * h);
            CHECK(vjp.values[i] == Approx(fd).epsilon(tolerance).margin(1e-6));
        }
    };
    check_spectral([&](const auto& s) { return a::spectral_centroid(s, rate); }, a::spectral_centroid_vjp(m, rate, std::span<const double>(gf)), 1e-7);
    check_spectral([&](const auto& s) { return a::spectral_bandwidth(s, rate); }, a::spectral_bandwidth_vjp(m, rate, std::span<const double>(gf)), 1e-7);
    // The rolloff's relaxation: df sum_k logistic((0.85 C_last - C_k) / (tau C_last)); as tau -> 0
    // it is the rolloff itself.
    auto relaxed_rolloff = [&](const a::frame_matrix<double>& s, double tau) {
        std::vector<double> out(s.frames);
        for (std::size_t t = 0; t < s.frames; ++t) {
            double total = 0, cumulative = 0;
            for (double v : s.frame(t)) total += v;
            for (double v : s.frame(t)) {
                cumulative += v;
                out[t] += rate / 16 / (1 + std::exp(-(0.85 * total - cumulative) / (tau * total)));
            }
        }
        return out;
    };
    check_spectral([&](const auto& s) { return relaxed_rolloff(s, 0.01); },
                   a::spectral_rolloff_surrogate_vjp(m, rate, std::span<const double>(gf)), 1e-6);
    const auto hard = a::spectral_rolloff(m, rate), limit = relaxed_rolloff(m, 1e-9);
    for (std::size_t t = 0; t < 4; ++t) CHECK(limit[t] == Approx(hard[t]).margin(1e-9));

    // Chroma's fold with its peak normalisation, for a fixed filterbank.
    a::frame_matrix<double> power(3, 9), gc(3, 12);
    for (auto& v : power.values) v = gen.uniform(0, 1);
    for (auto& v : gc.values) v = gen.uniform(-1, 1);
    std::vector<double> filterbank(12 * 9);
    for (auto& v : filterbank) v = gen.uniform(0, 1);
    const auto dpower = a::fold_chroma_vjp(power, filterbank, 12, gc);
    for (std::size_t i = 0; i < power.values.size(); ++i) {
        auto up = power, down = power;
        const double h = 1e-7;
        up.values[i] += h, down.values[i] -= h;
        const double fd = (dot(a::fold_chroma(up, filterbank, 12).values, gc.values) - dot(a::fold_chroma(down, filterbank, 12).values, gc.values)) / (2 * h);
        CHECK(dpower.values[i] == Approx(fd).epsilon(1e-6).margin(1e-8));
    }

    // rms on centred, zero-padded frames; the ZCR's relaxation on uncentred frames (no padding).
    std::vector<double> signal(300);
    for (auto& v : signal) v = 0.1 * gen.normal();
    const a::frame_options centred{.frame_length = 32, .hop_length = 8}, plain{.frame_length = 32, .hop_length = 8, .center = false};
    std::vector<double> gr(a::rms(std::span<const double>(signal), centred).size()), gz(a::zero_crossing_rate(std::span<const double>(signal), plain).size());
    for (auto& v : gr) v = gen.uniform(-1, 1);
    for (auto& v : gz) v = gen.uniform(-1, 1);
    const double tau = 0.05;
    auto relaxed_zcr = [&](const std::vector<double>& x) {
        auto n = [&](double v) { return 1 / (1 + std::exp(v / tau)); };
        std::vector<double> out(gz.size());
        for (std::size_t t = 0; t < out.size(); ++t) {
            for (std::size_t j = 1; j < 32; ++j) {
                const double a0 = n(x[t * 8 + j - 1]), a1 = n(x[t * 8 + j]);
                out[t] += a1 * (1 - a0) + a0 * (1 - a1);
            }
            out[t] /= 32;
        }
        return out;
    };
    const auto drms = a::rms_vjp(std::span<const double>(signal), std::span<const double>(gr), centred);
    const auto dzcr = a::zero_crossing_rate_surrogate_vjp(std::span<const double>(signal), std::span<const double>(gz), plain, tau);
    for (std::size_t i = 0; i < signal.size(); i += 3) {
        auto up = signal, down = signal;
        const double h = 1e-7;
        up[i] += h, down[i] -= h;
        const double fd_rms = (dot(a::rms(std::span<const double>(up), centred), gr) - dot(a::rms(std::span<const double>(down), centred), gr)) / (2 * h);
        CHECK(drms[i] == Approx(fd_rms).epsilon(1e-6).margin(1e-8));
        const double fd_zcr = (dot(relaxed_zcr(up), gz) - dot(relaxed_zcr(down), gz)) / (2 * h);
        CHECK(dzcr[i] == Approx(fd_zcr).epsilon(1e-6).margin(1e-8));
    }
    // Far from zero (every |x| >= 0.02 >> tau' = 1e-4) the relaxation counts exactly the crossings.
    for (auto& v : signal) v = (v < 0 ? -1 : 1) * (0.02 + std::abs(v));
    const auto hard_zcr = a::zero_crossing_rate(std::span<const double>(signal), plain);
    auto relaxed_at = [&](double t) {
        auto n = [&](double v) { return 1 / (1 + std::exp(v / t)); };
        double count = 0;
        for (std::size_t j = 1; j < 32; ++j) count += n(signal[j]) * (1 - n(signal[j - 1])) + n(signal[j - 1]) * (1 - n(signal[j]));
        return count / 32;
    };
    CHECK(relaxed_at(1e-4) == Approx(hard_zcr[0]).margin(1e-12));

    // A whole DEEP-VOICE window (1 s at 8 kHz, tones and noise): each exactly differentiable feature
    // along random directions of the samples (the chroma tuning estimate does not move for h = 1e-6).
    std::vector<double> y(8000);
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = 0.3 * std::sin(2 * std::numbers::pi * 440 * double(i) / rate) + 0.1 * std::sin(2 * std::numbers::pi * 1250 * double(i) / rate) +
               0.02 * gen.normal();
    a::deep_voice_extractor<double> extractor(rate);
    for (std::size_t f = 0; f < a::deep_voice_width; ++f) {
        if (f == 4 || f == 5) continue; // rolloff and ZCR: BPDA surrogates, tested above
        INFO("feature " << f << " (" << a::deep_voice_columns[f] << ")");
        std::array<double, a::deep_voice_width> g{};
        g[f] = 1;
        const auto grad = extractor.window_vjp(std::span<const double>(y), std::span<const double>(g));
        REQUIRE(grad.size() == y.size());
        for (int direction = 0; direction < 2; ++direction) {
            std::vector<double> v(y.size()), up = y, down = y;
            for (auto& e : v) e = gen.normal();
            const double h = 1e-6;
            for (std::size_t i = 0; i < y.size(); ++i) up[i] += h * v[i], down[i] -= h * v[i];
            const double fd = (extractor.window(std::span<const double>(up))[f] - extractor.window(std::span<const double>(down))[f]) / (2 * h);
            CHECK(dot(grad, v) == Approx(fd).epsilon(1e-5).margin(1e-9));
        }
    }
}
