// The audio front end, one thread, double:
//   A1 real FFT of n points: qhybrid's FFT, Eigen's FFT and FFTW (FFTW_MEASURE, out of place), at
//      powers of two (256, 1024, 4096) and at the sizes audio front ends use besides: 400
//      (torchaudio's default n_fft), 441 = 3^2 7^2 and 44100 (10 ms and 1 s at 44.1 kHz), 1000.
//      FFTW is GPL: it appears here only, never in the headers. Also qhybrid's heap-free
//      fixed-size plan in float at 256 points.
//   A2 librosa's MFCC (n_fft 2048, hop 512, 128 Slaney mels, 20 coefficients) and the 26
//      DEEP-VOICE features of 1 s of audio at 22.05 kHz.
#include <benchmark/benchmark.h>
#include <fftw3.h>
#include <qhybrid/audio.hpp>
#include <qhybrid/core/rng.hpp>

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <array>
#include <complex>
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
