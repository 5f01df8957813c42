// Deepfake-voice detection on a microcontroller: classifies DEEP-VOICE feature vectors with two
// exported models (the classical CNN and the CNN a QT-CNN generated), using only
// qhybrid/embedded: no heap, no exceptions, no RTTI. Built for the host and for a Cortex-M4
// (run under qemu-system-arm); on both it checks every output against the host library's,
// bit for bit, the power spectrum of a chirp by audio::fixed_real_fft (the heap-free FFT) and the
// 8 kHz version of a 16 kHz chirp by audio::fixed_resampler (the heap-free resampler, fed in
// blocks) against the host library's in double; it exits with 0 only if all agree.
//
// The models and vectors come from the test fixture (tests/embedded/make_fixture.cpp); a
// model of your own comes from `qhybrid export` or embedded::export_header.
#include "deepvoice_cnn_f32.hpp"
#include "fixture.hpp"
#include "qt_generated_cnn_f32.hpp"

#include <qhybrid/audio/fixed_fft.hpp>
#include <qhybrid/audio/fixed_resample.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <span>

namespace {

template <class Net, std::size_t M>
bool check(const char* name, const Net& net, const std::array<float, M>& host) {
    std::array<float, Net::input_size> x{};
    std::array<float, Net::output_size> y{};
    unsigned differing = 0, same_class = 0, correct = 0;
    for (std::size_t s = 0; s < fixture::count; ++s) {
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(fixture::deep_voice_inputs[s * x.size() + i]);
        if (net.run(x, y) != qhybrid::embedded::status::ok) {
            std::printf("%s: sample %u rejected\n", name, unsigned(s));
            return false;
        }
        std::array<float, Net::output_size> expected{};
        std::memcpy(expected.data(), host.data() + s * y.size(), sizeof expected);
        differing += std::memcmp(y.data(), expected.data(), sizeof y) != 0;
        const std::size_t label = qhybrid::embedded::argmax(y);
        same_class += label == qhybrid::embedded::argmax(expected);
        correct += label == fixture::labels[s];
    }
    std::printf("%s: %u/%u outputs bit-equal to the host library, %u/%u same class, %u/%u held-out rows right\n", name,
                unsigned(fixture::count) - differing, unsigned(fixture::count), same_class, unsigned(fixture::count),
                correct, unsigned(fixture::count));
    return differing == 0;
}

// Float rounding over the FFT's passes (radix 8, 4, 4 at 256 points) leaves the power within 1e-5
// of the peak (about 3e-7 here).
bool check_spectrum() {
    constexpr std::size_t n = fixture::fft_signal.size();
    qhybrid::audio::fixed_real_fft<float, n> fft;
    std::array<float, n / 2 + 1> re{}, im{};
    fft.forward(fixture::fft_signal, re, im);
    double worst = 0;
    const double peak = *std::max_element(fixture::fft_power.begin(), fixture::fft_power.end());
    for (std::size_t k = 0; k < re.size(); ++k)
        worst = std::max(worst, std::fabs(double(re[k]) * re[k] + double(im[k]) * im[k] - fixture::fft_power[k]));
    const bool ok = worst <= 1e-5 * peak;
    // In parts per billion: nano.specs' printf has no floating point.
    std::printf("spectrum: %u-point fixed-size FFT, power within %u ppb of the peak of the host library's (bound 10000)\n",
                unsigned(n), unsigned(std::lround(worst / peak * 1e9)));
    return ok;
}

// Float taps and sums of 224 products leave the output within 1e-5 of the peak (about 1.4e-7 here).
bool check_resampler() {
    static qhybrid::audio::fixed_resampler<float, 1, 2> resampler; // 2.7 KB: static, not on the stack
    constexpr std::size_t n = fixture::resample_signal.size(), block = 64;
    std::array<float, fixture::resample_output.size()> y{};
    std::size_t written = 0;
    bool ok = true;
    for (std::size_t j = 0; j < n; j += block) {
        const auto r = resampler.process(std::span(fixture::resample_signal).subspan(j, std::min(block, n - j)),
                                         std::span(y).subspan(written));
        ok = ok && r.status == qhybrid::audio::resample_status::ok;
        written += r.written;
    }
    const auto tail = resampler.finish(std::span(y).subspan(written));
    ok = ok && tail.status == qhybrid::audio::resample_status::ok && written + tail.written == y.size();
    double worst = 0, peak = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        worst = std::max(worst, std::fabs(double(y[i]) - fixture::resample_output[i]));
        peak = std::max(peak, std::fabs(fixture::resample_output[i]));
    }
    ok = ok && worst <= 1e-5 * peak;
    std::printf("resampler: 16 -> 8 kHz in blocks of %u, %u outputs within %u ppb of the peak of the host library's "
                "(bound 10000)\n",
                unsigned(block), unsigned(written + tail.written), unsigned(std::lround(worst / peak * 1e9)));
    return ok;
}

} // namespace

int main() {
    const bool cnn = check("classical CNN", deepvoice_cnn_f32::model, fixture::deepvoice_cnn_f32);
    const bool qt = check("QT-generated CNN", qt_generated_cnn_f32::model, fixture::qt_generated_cnn_f32);
    const bool spectrum = check_spectrum();
    const bool resampled = check_resampler();
    return cnn && qt && spectrum && resampled ? 0 : 1;
}
