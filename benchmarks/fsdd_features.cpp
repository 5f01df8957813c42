// Audio front-end throughput on all 3,000 FSDD recordings, one thread, double:
//   log-mel: read the WAV, cut or pad to 1 s, mel spectrogram (n_fft 512, hop 128, 40 Slaney
//            mels), power_to_db: the features of examples/fsdd_cnn;
//   mfcc:    read the WAV, librosa's MFCC defaults (n_fft 2048, hop 512, 128 mels, 20 coefficients);
//   deep-voice: read the WAV, the 26 DEEP-VOICE features.
// Prints seconds and times real time. benchmarks/fsdd_speed runs this and the torchaudio
// equivalent (fsdd_features_torchaudio.py) one after the other.
//
//   fsdd_features [--data DIR]
#include <qhybrid/audio.hpp>
#include <qhybrid/data.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

namespace a = qhybrid::audio;
namespace d = qhybrid::data;

namespace {

template <class Work>
void timed(const char* name, const d::fsdd& set, Work&& work) {
    double audio = 0, checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& r : set.recordings()) {
        const a::wav w = a::read_wav(r.path);
        audio += w.seconds();
        checksum += work(w.mono());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("qhybrid %-10s %zu files, %.1f s of audio: %.3f s, %.0fx real time (checksum %.6g)\n", name,
                set.recordings().size(), audio, s, audio / s, checksum);
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("qhybrid's audio features on every FSDD recording, one thread");
    std::string data_flag;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    CLI11_PARSE(app, argc, argv);
    const d::fsdd set(d::require_data(d::data_root(data_flag), "fsdd/recordings").parent_path());

    a::stft_plan<double> stft({.n_fft = 512, .hop_length = 128});
    const a::mel_filterbank<double> mel(8000, 512, {.n_mels = 40});
    timed("log-mel", set, [&](const std::vector<double>& y) {
        return a::power_to_db(mel.apply(stft.spectrogram(d::fix_length<double>(y, 8000)))).values[0];
    });
    a::mfcc_plan<double> mfcc(8000);
    timed("mfcc", set, [&](const std::vector<double>& y) { return mfcc(y).values[1]; });
    a::deep_voice_extractor<double> deep_voice(8000);
    timed("deep-voice", set, [&](const std::vector<double>& y) { return deep_voice(y)[0][2]; });
} catch (const std::exception& e) {
    std::fprintf(stderr, "fsdd_features: %s\n", e.what());
    return 1;
}
