// The audio front end, one thread, double:
//   A1 real FFT of n points: qhybrid's FFT, Eigen's FFT and FFTW (FFTW_MEASURE, out of place), at
//      powers of two (256, 1024, 4096) and at the sizes audio front ends use besides: 400
//      (torchaudio's default n_fft), 441 = 3^2 7^2 and 44100 (10 ms and 1 s at 44.1 kHz), 1000.
//      FFTW is GPL: it appears here only, never in the headers. Also qhybrid's heap-free
//      fixed-size plan in float at 256 points.
//   A2 librosa's MFCC (n_fft 2048, hop 512, 128 Slaney mels, 20 coefficients) and the 26
//      DEEP-VOICE features of 1 s of audio at 22.05 kHz.
//   R1 resampling 1 s of audio (a chirp and noise) from one rate to another, a whole signal per
//      iteration (plans built once, reset per signal): qhybrid's resampler in double and float
//      (stop band >= 80 dB, pass band to 0.9 of the lower Nyquist frequency), libsamplerate
//      (SRC_SINC_BEST_QUALITY and SRC_SINC_MEDIUM_QUALITY, float; its documentation promises a
//      worst-case SNR of 97 dB at 97% and 90% bandwidth) and soxr (SOXR_HQ and SOXR_VHQ, float
//      in and out, linear phase: 20 and 28 bits of precision, pass band to 91.4% and 91.1% of the
//      Nyquist frequency by soxr_quality_spec). Both peers appear here only, when CMake finds them.
#include <benchmark/benchmark.h>
#include <fftw3.h>
#include <qhybrid/audio.hpp>
#include <qhybrid/core/rng.hpp>

#include <unsupported/Eigen/FFT>
#ifdef QHYBRID_BENCH_SAMPLERATE
#include <samplerate.h>
#endif
#ifdef QHYBRID_BENCH_SOXR
#include <soxr.h>
#endif

#include <algorithm>
#include <array>
#include <complex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace a = qhybrid::audio;

namespace {

std::vector<double> noise(std::size_t n) {
    qhybrid::rng gen(1);
    std::vector<double> x(n);
    for (auto& v : x) v = gen.uniform(-1, 1);
    return x;
}

void A1_fft_qhybrid(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    a::real_fft<double> fft(n);
    const auto x = noise(n);
    std::vector<double> re(fft.bins()), im(fft.bins());
    for (auto _ : state) {
        fft.forward(x, re, im);
        benchmark::DoNotOptimize(re.data());
        benchmark::DoNotOptimize(im.data());
    }

}

// The heap-free plan (audio/fixed_fft.hpp), as a microcontroller would run it: float, 256 points.
void A1_fft_fixed_float_256(benchmark::State& state) {
    static a::fixed_real_fft<float, 256> fft;
    const auto wide = noise(256);
    std::array<float, 256> x;
    std::copy(wide.begin(), wide.end(), x.begin());
    std::array<float, 129> re, im;
    for (auto _ : state) {
        fft.forward(x, re, im);
        benchmark::DoNotOptimize(re.data());
        benchmark::DoNotOptimize(im.data());
    }
}

void A1_fft_eigen(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    Eigen::FFT<double> fft;
    fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
    const auto x = noise(n);
    std::vector<std::complex<double>> out;
    fft.fwd(out, x); // plan
    for (auto _ : state) {
        fft.fwd(out, x);
        benchmark::DoNotOptimize(out.data());
    }

}

void A1_fft_fftw(benchmark::State& state) {
    const auto n = int(state.range(0));
    double* in = fftw_alloc_real(std::size_t(n));
    fftw_complex* out = fftw_alloc_complex(std::size_t(n / 2 + 1));
    fftw_plan plan = fftw_plan_dft_r2c_1d(n, in, out, FFTW_MEASURE);
    const auto x = noise(std::size_t(n));
    std::copy(x.begin(), x.end(), in);
    for (auto _ : state) {
        fftw_execute(plan);
        benchmark::DoNotOptimize(out);
    }
    fftw_destroy_plan(plan);
    fftw_free(in);
    fftw_free(out);

}

std::vector<double> one_second() {
    std::vector<double> y(22050);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double t = double(i) / 22050;
        y[i] = 0.5 * std::sin(2 * M_PI * (100 * t + 1950 * t * t)) + 0.01 * std::sin(double(i * i % 997));
    }
    return y;
}

// Plans built once, as a program that processes many files does.
void A2_mfcc_1s(benchmark::State& state) {
    const auto y = one_second();
    a::mfcc_plan<double> mfcc(22050);
    for (auto _ : state) benchmark::DoNotOptimize(mfcc(y).values.data());
}

void A2_deep_voice_1s(benchmark::State& state) {
    const auto y = one_second();
    a::deep_voice_extractor<double> features(22050);
    for (auto _ : state) benchmark::DoNotOptimize(features(y).data());
}

// 1 s at `rate`: a chirp from 100 Hz to 0.45 rate and white noise at -40 dB.
template <class Real>
std::vector<Real> one_second_at(std::size_t rate) {
    qhybrid::rng gen(2);
    std::vector<Real> y(rate);
    const double top = 0.45 * double(rate);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double t = double(i) / double(rate);
        y[i] = Real(0.5 * std::sin(2 * M_PI * (100 * t + 0.5 * (top - 100) * t * t)) + 0.01 * gen.uniform(-1, 1));
    }
    return y;
}

void label_rates(benchmark::State& state) {
    state.SetLabel(std::to_string(state.range(0)) + " -> " + std::to_string(state.range(1)) + " Hz");
}

template <class Real>
void R1_qhybrid(benchmark::State& state) {
    const auto from = std::size_t(state.range(0)), to = std::size_t(state.range(1));
    a::resampler<Real> plan(from, to);
    const auto x = one_second_at<Real>(from);
    std::vector<Real> y(plan.max_output(x.size()));
    for (auto _ : state) {
        const std::size_t written = plan.process(x, std::span(y));
        benchmark::DoNotOptimize(plan.finish(std::span(y).subspan(written)));
        benchmark::DoNotOptimize(y.data());
    }
    label_rates(state);
}
void R1_qhybrid_double(benchmark::State& state) { R1_qhybrid<double>(state); }
void R1_qhybrid_float(benchmark::State& state) { R1_qhybrid<float>(state); }

#ifdef QHYBRID_BENCH_SAMPLERATE
void R1_libsamplerate(benchmark::State& state, int quality) {
    const auto from = std::size_t(state.range(0)), to = std::size_t(state.range(1));
    int error = 0;
    SRC_STATE* src = src_new(quality, 1, &error);
    const auto x = one_second_at<float>(from);
    std::vector<float> y(to + 1024);
    for (auto _ : state) {
        src_reset(src);
        SRC_DATA data{};
        data.data_in = x.data(), data.input_frames = long(x.size());
        data.data_out = y.data(), data.output_frames = long(y.size());
        data.end_of_input = 1, data.src_ratio = double(to) / double(from);
        error |= src_process(src, &data);
        benchmark::DoNotOptimize(y.data());
    }
    src_delete(src);
    if (error) state.SkipWithError(src_strerror(error));
    label_rates(state);
}
void R1_libsamplerate_best(benchmark::State& state) { R1_libsamplerate(state, SRC_SINC_BEST_QUALITY); }
void R1_libsamplerate_medium(benchmark::State& state) { R1_libsamplerate(state, SRC_SINC_MEDIUM_QUALITY); }
#endif

#ifdef QHYBRID_BENCH_SOXR
void R1_soxr(benchmark::State& state, unsigned long recipe) {
    const auto from = std::size_t(state.range(0)), to = std::size_t(state.range(1));
    const soxr_quality_spec_t quality = soxr_quality_spec(recipe, 0);
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1); // one thread
    soxr_error_t error = nullptr;
    soxr_t soxr = soxr_create(double(from), double(to), 1, &error, nullptr, &quality, &runtime);
    const auto x = one_second_at<float>(from);
    std::vector<float> y(to + 1024);
    for (auto _ : state) {
        soxr_clear(soxr);
        std::size_t used = 0, written = 0, tail = 0;
        error = soxr_process(soxr, x.data(), x.size(), &used, y.data(), y.size(), &written);
        if (!error) error = soxr_process(soxr, nullptr, 0, nullptr, y.data() + written, y.size() - written, &tail);
        benchmark::DoNotOptimize(y.data());
    }
    soxr_delete(soxr);
    if (error) state.SkipWithError(error);
    label_rates(state);
}
void R1_soxr_hq(benchmark::State& state) { R1_soxr(state, SOXR_HQ); }
void R1_soxr_vhq(benchmark::State& state) { R1_soxr(state, SOXR_VHQ); }
#endif

// The ratios of the issue: down to 8 kHz, up from 8 kHz, and the usual rates to 44.1 kHz.
void resampling_pairs(benchmark::internal::Benchmark* b) {
    for (auto [from, to] : {std::pair{44100, 8000}, {8000, 44100}, {48000, 44100}, {96000, 44100}, {22050, 44100}})
        b->Args({from, to});
    b->Unit(benchmark::kMicrosecond);
}

} // namespace

namespace {

void fft_sizes(benchmark::internal::Benchmark* b) {
    for (const long n : {256, 400, 441, 1000, 1024, 4096, 44100}) b->Arg(n);
}

} // namespace

BENCHMARK(A1_fft_qhybrid)->Apply(fft_sizes);
BENCHMARK(A1_fft_fixed_float_256);
BENCHMARK(A1_fft_eigen)->Apply(fft_sizes);
BENCHMARK(A1_fft_fftw)->Apply(fft_sizes);
BENCHMARK(A2_mfcc_1s)->Unit(benchmark::kMicrosecond);
BENCHMARK(A2_deep_voice_1s)->Unit(benchmark::kMicrosecond);
BENCHMARK(R1_qhybrid_double)->Apply(resampling_pairs);
BENCHMARK(R1_qhybrid_float)->Apply(resampling_pairs);
#ifdef QHYBRID_BENCH_SAMPLERATE
BENCHMARK(R1_libsamplerate_best)->Apply(resampling_pairs);
BENCHMARK(R1_libsamplerate_medium)->Apply(resampling_pairs);
#endif
#ifdef QHYBRID_BENCH_SOXR
BENCHMARK(R1_soxr_hq)->Apply(resampling_pairs);
BENCHMARK(R1_soxr_vhq)->Apply(resampling_pairs);
#endif
