// libFuzzer target: a WAV file is read or rejected with qhybrid::error, and the streaming reader
// (the same chunk walk, fed from a file) agrees with the whole-file parser: both reject it, or
// both give the same mono samples. Anything else aborts.
#include <qhybrid/audio/wav.hpp>
#include <qhybrid/audio/wav_stream.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace a = qhybrid::audio;
    static const std::string path = "/tmp/qhybrid_fuzz_wav_" + std::to_string(getpid()) + ".wav";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    std::vector<double> whole, streamed;
    bool whole_failed = false, stream_failed = false;
    try {
        whole = a::parse_wav(std::as_bytes(std::span(data, size)), "fuzz.wav").mono();
    } catch (const qhybrid::error&) {
        whole_failed = true;
    }
    try {
        a::wav_stream in(path);
        std::vector<double> block(7);
        while (const std::size_t n = in.read(block)) streamed.insert(streamed.end(), block.begin(), block.begin() + long(n));
    } catch (const qhybrid::error&) {
        stream_failed = true;
    }
    if (whole_failed != stream_failed || (!whole_failed && whole != streamed)) std::abort();
    return 0;
}
