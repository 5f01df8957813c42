// examples/snippets/audio_features.cpp: librosa's features from a WAV file, at any rate
#include <qhybrid/qhybrid.hpp>

#include <cstdio>

namespace a = qhybrid::audio;

int main(int argc, char** argv) {
    const a::wav w = a::read_wav(argc > 1 ? argv[1] : "0_jackson_0.wav"); // PCM or float, any channel count
    const std::vector<double> y = w.mono();
    auto mfcc = a::mfcc<double>(y, w.sample_rate);               // frames x 20, librosa.feature.mfcc
    auto y44 = a::resample<double>(y, w.sample_rate, 44100);     // polyphase, >= 80 dB stop band
    auto rows = a::deep_voice_features<double>(y44, 44100);      // DEEP-VOICE's 26 columns per second
    a::stft_plan<double> plan({.n_fft = 400, .hop_length = 160}); // any FFT size; plans are reused
    static a::fixed_real_fft<float, 400> fft;                     // no heap, no exceptions: for a device
    std::printf("%zu MFCC frames, %zu DEEP-VOICE rows, %zu STFT frames, %zu FFT bins\n", mfcc.frames, rows.size(),
                plan.frames(y), fft.bins);
}
