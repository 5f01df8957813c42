// The WAV reader: every sample format against values written here, multi-channel downmix,
// skipped chunks, every kind of corrupt header as a clear error, every truncation of a valid
// file, and a randomized corruption run (the reader must return or throw qhybrid::error, and the
// sanitizer build must stay silent).
#include <catch2/catch.hpp>
#include <qhybrid/audio/wav.hpp>
#include <qhybrid/audio/wav_stream.hpp>
#include <qhybrid/core/rng.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace a = qhybrid::audio;
using Catch::Matchers::Contains;
using bytes = std::vector<std::byte>;

namespace {

void put(bytes& b, std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) b.push_back(std::byte((v >> (8 * i)) & 0xFF));
}
void put_tag(bytes& b, const char* tag) {
    for (int i = 0; i < 4; ++i) b.push_back(std::byte(tag[i]));
}
void put_chunk(bytes& b, const char* tag, const bytes& body) {
    put_tag(b, tag);
    put(b, body.size(), 4);
    b.insert(b.end(), body.begin(), body.end());
    if (body.size() % 2) b.push_back(std::byte(0));
}

struct format {
    unsigned tag = 1, channels = 1, rate = 8000, bits = 16;
    bool extensible = false;
};

bytes fmt_body(const format& f) {
    bytes b;
    const unsigned align = f.channels * f.bits / 8;
    put(b, f.extensible ? 0xFFFE : f.tag, 2);
    put(b, f.channels, 2);
    put(b, f.rate, 4);
    put(b, std::uint64_t(f.rate) * align, 4);
    put(b, align, 2);
    put(b, f.bits, 2);
    if (f.extensible) {
        put(b, 22, 2);
        put(b, f.bits, 2);          // valid bits
        put(b, 0, 4);               // channel mask
        put(b, f.tag, 2);           // sub-format GUID {tag}-0000-0010-8000-00AA00389B71
        for (unsigned v : {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
            b.push_back(std::byte(v));
    }
    return b;
}

// Encodes full-scale values; integer formats take the value times 2^(bits-1), rounded.
bytes data_body(const format& f, const std::vector<double>& values) {
    bytes b;
    for (double v : values) {
        if (f.tag == 3 && f.bits == 32) put(b, std::bit_cast<std::uint32_t>(float(v)), 4);
        else if (f.tag == 3) put(b, std::bit_cast<std::uint64_t>(v), 8);
        else if (f.bits == 8) put(b, std::uint64_t(std::lround(v * 128) + 128), 1);
        else put(b, std::uint64_t(std::llround(std::ldexp(v, int(f.bits) - 1))), int(f.bits / 8));
    }
    return b;
}

bytes wav_file(const format& f, const std::vector<double>& values, bool with_list_chunk = false) {
    bytes body;
    put_tag(body, "WAVE");
    put_chunk(body, "fmt ", fmt_body(f));
    if (with_list_chunk) put_chunk(body, "LIST", bytes(7, std::byte('x'))); // odd size: a pad byte follows
    put_chunk(body, "data", data_body(f, values));
    bytes file;
    put_tag(file, "RIFF");
    put(file, body.size(), 4);
    file.insert(file.end(), body.begin(), body.end());
    return file;
}

a::wav parse(const bytes& b) { return a::parse_wav(b, "t.wav"); }

void set32(bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = std::byte((v >> (8 * i)) & 0xFF);
}
void set16(bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 2; ++i) b[at + i] = std::byte((v >> (8 * i)) & 0xFF);
}

} // namespace

TEST_CASE("WAV: every sample format decodes to full-scale values") {
    const std::vector<double> values = {0.0, 0.5, -0.5, -1.0, 0.25, -0.125, 0.75, 0.0078125};
    for (const format f : {format{1, 1, 8000, 8}, format{1, 1, 8000, 16}, format{1, 1, 44100, 24},
                           format{1, 1, 48000, 32}, format{3, 1, 22050, 32}, format{3, 1, 16000, 64},
                           format{1, 1, 8000, 16, true}, format{3, 1, 8000, 32, true}}) {
        INFO("tag " << f.tag << ", " << f.bits << " bits, extensible " << f.extensible);
        const a::wav w = parse(wav_file(f, values));
        CHECK(w.sample_rate == f.rate);
        CHECK(w.channels == 1);
        CHECK(w.bits_per_sample == f.bits);
        CHECK(w.encoding == (f.tag == 1 ? a::sample_encoding::pcm : a::sample_encoding::ieee_float));
        CHECK(w.samples == values); // every value is exact in every format
    }
    // Extremes of the integer formats, and 8-bit's unsigned offset.
    CHECK(parse(wav_file({1, 1, 8000, 16}, {-1.0, 32767.0 / 32768})).samples == std::vector{-1.0, 32767.0 / 32768});
    CHECK(parse(wav_file({1, 1, 8000, 24}, {-1.0, 8388607.0 / 8388608})).samples == std::vector{-1.0, 8388607.0 / 8388608});
    bytes eight = wav_file({1, 1, 8000, 8}, {0.0, 0.0});
    eight[eight.size() - 2] = std::byte(0), eight[eight.size() - 1] = std::byte(255);
    CHECK(parse(eight).samples == std::vector{-1.0, 127.0 / 128});
}

TEST_CASE("WAV: channels are interleaved and downmixed by their mean, unknown chunks are skipped") {
    const a::wav w = parse(wav_file({1, 3, 16000, 16}, {0.5, -0.25, 0.0, 0.125, 0.125, 0.125}, true));
    CHECK(w.channels == 3);
    CHECK(w.frames() == 2);
    CHECK(w.seconds() == 2.0 / 16000);
    CHECK(w.mono() == std::vector{0.25 / 3, 0.125});
}

TEST_CASE("WAV: corrupt headers are errors naming the file and the byte") {
    const bytes good = wav_file({1, 1, 8000, 16}, {0.5, -0.5, 0.25});
    // RIFF header at 0, "fmt " chunk at 12 (body at 20), "data" chunk at 36 (body at 44).
    auto with = [&](auto&& edit) {
        bytes b = good;
        edit(b);
        return b;
    };
    CHECK_THROWS_WITH(parse(bytes(3, std::byte(0))), Contains("t.wav: byte 0: not a RIFF/WAVE file"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { b[8] = std::byte('X'); })), Contains("not a RIFF/WAVE file"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 4, 1000); })),
                      Contains("byte 4: the RIFF header announces 1008 bytes, the file has 50"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 40, 100); })),
                      Contains("byte 36: chunk 'data' announces 100 bytes, only 6 remain"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 40, 5); })),
                      Contains("byte 36: data chunk of 5 bytes ends inside a sample frame of 2 bytes"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set16(b, 20, 2); })), Contains("byte 20: unsupported format tag 2"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set16(b, 22, 0); })), Contains("byte 22: zero channels"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 24, 0); })), Contains("byte 24: sample rate 0"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set16(b, 34, 12); })),
                      Contains("byte 34: 12 bits per sample is not supported for PCM"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set16(b, 32, 4); })),
                      Contains("byte 32: block align 4 disagrees with 1 channels of 16 bits"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 28, 1234); })),
                      Contains("byte 28: byte rate 1234 disagrees with sample rate 8000 x block align 2"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { set32(b, 16, 14); })), Contains("byte 20: fmt chunk of 14 bytes"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { std::memcpy(&b[12], "data", 4), std::memcpy(&b[36], "fmt ", 4); })),
                      Contains("byte 12: data chunk before the fmt chunk"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { std::memcpy(&b[36], "junk", 4); })), Contains("byte 12: no data chunk"));
    CHECK_THROWS_WITH(parse(with([](bytes& b) { std::memcpy(&b[12], "junk", 4); })),
                      Contains("byte 36: data chunk before the fmt chunk"));
    const bytes fmt_only(good.begin(), good.begin() + 36);
    bytes no_fmt = fmt_only;
    std::memcpy(&no_fmt[12], "junk", 4);
    set32(no_fmt, 4, 28);
    CHECK_THROWS_WITH(parse(no_fmt), Contains("byte 12: no fmt chunk"));

    bytes nan_file = wav_file({3, 1, 8000, 32}, {0.5, 0.5});
    set32(nan_file, 48, 0x7FC00000);
    CHECK_THROWS_WITH(parse(nan_file), Contains("byte 48: a non-finite float sample"));
    bytes ext = wav_file({1, 1, 8000, 16, true}, {0.5});
    ext[20 + 30] = std::byte(0x11); // break the sub-format GUID
    CHECK_THROWS_WITH(parse(ext), Contains("unknown WAVE_FORMAT_EXTENSIBLE sub-format"));
    CHECK_THROWS_WITH(a::read_wav("/nonexistent/x.wav"), Contains("/nonexistent/x.wav: cannot open the file"));
}

TEST_CASE("WAV: every truncation of a valid file is an error, not a crash") {
    const bytes good = wav_file({1, 2, 8000, 24}, {0.5, -0.5, 0.25, 0.125, -1.0, 0.0}, true);
    REQUIRE(parse(good).samples.size() == 6);
    for (std::size_t n = 0; n < good.size(); ++n) {
        INFO("first " << n << " bytes");
        CHECK_THROWS_AS(parse(bytes(good.begin(), good.begin() + long(n))), qhybrid::error);
    }
}

TEST_CASE("WAV: a file on disk") {
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_test.wav";
    const bytes b = wav_file({1, 1, 8000, 16}, {0.5, -0.5});
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
    CHECK(a::read_wav(path).samples == std::vector{0.5, -0.5});
    std::filesystem::remove(path);
}

// Mutates valid files of every format (random bytes, 32-bit size fields set to random or extreme
// values, truncation, inserted and deleted bytes) and parses each one.
TEST_CASE("WAV: 200,000 randomly corrupted files parse or throw qhybrid::error") {
    qhybrid::rng gen(2026);
    const std::vector<format> formats = {{1, 1, 8000, 8}, {1, 2, 8000, 16}, {1, 1, 44100, 24}, {1, 3, 48000, 32},
                                         {3, 2, 22050, 32}, {3, 1, 16000, 64}, {1, 2, 8000, 16, true}};
    std::size_t parsed = 0, rejected = 0;
    const std::size_t inputs = 200000;
    for (std::size_t i = 0; i < inputs; ++i) {
        const format& f = formats[gen.below(formats.size())];
        std::vector<double> values(f.channels * (1 + gen.below(6)));
        for (auto& v : values) v = gen.uniform(-1, 1);
        bytes b = wav_file(f, values, gen.below(2) == 1);
        for (std::size_t m = 0, edits = 1 + gen.below(4); m < edits && !b.empty(); ++m) {
            switch (gen.below(5)) {
            case 0: b[gen.below(b.size())] = std::byte(gen.below(256)); break;
            case 1:
                if (b.size() >= 4) {
                    const std::uint32_t extremes[] = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFF8};
                    set32(b, gen.below(b.size() - 3), gen.below(2) ? extremes[gen.below(5)] : std::uint32_t(gen()));
                }
                break;
            case 2: b.resize(gen.below(b.size() + 1)); break;
            case 3: b.insert(b.begin() + long(gen.below(b.size() + 1)), std::byte(gen.below(256))); break;
            default: b.erase(b.begin() + long(gen.below(b.size())));
            }
        }
        try {
            const a::wav w = parse(b);
            REQUIRE(w.channels >= 1);
            REQUIRE(w.samples.size() % w.channels == 0);
            ++parsed;
        } catch (const qhybrid::error&) {
            ++rejected;
        }
    }
    // Both outcomes must occur, or the mutations are not reaching the parser's decisions.
    CHECK(parsed > inputs / 100);
    CHECK(rejected > inputs / 2);
    WARN("randomized WAV corruption: " << inputs << " inputs, " << parsed << " parsed, " << rejected
                                       << " rejected with qhybrid::error");
}

namespace {

// Everything a wav_stream gives, read `block` frames at a time.
std::vector<double> streamed(const std::filesystem::path& path, std::size_t block) {
    a::wav_stream in(path);
    std::vector<double> out, buffer(block);
    while (const std::size_t n = in.read(buffer)) out.insert(out.end(), buffer.begin(), buffer.begin() + long(n));
    REQUIRE(in.frames_left() == 0);
    return out;
}

void write_bytes(const std::filesystem::path& path, const bytes& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
}

} // namespace

TEST_CASE("wav_stream: the same mono samples as read_wav, in blocks of any size") {
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_test_stream.wav";
    qhybrid::rng gen(5);
    const std::vector<format> formats = {{1, 1, 8000, 8}, {1, 2, 8000, 16}, {1, 1, 44100, 24}, {1, 3, 48000, 32},
                                         {3, 2, 22050, 32}, {3, 1, 16000, 64}, {1, 2, 8000, 16, true}};
    for (const auto& f : formats) {
        std::vector<double> values(f.channels * 1001);
        for (auto& v : values) v = gen.uniform(-1, 1);
        write_bytes(path, wav_file(f, values, true));
        const a::wav whole = a::read_wav(path);
        a::wav_stream in(path);
        CHECK(in.header().sample_rate == whole.sample_rate);
        CHECK(in.header().channels == whole.channels);
        CHECK(in.frames() == 1001);
        for (std::size_t block : {1, 7, 1000, 4096}) REQUIRE(streamed(path, block) == whole.mono());
    }
    std::filesystem::remove(path);
}

// The stream walks the same chunks as parse_wav through the same code, so a corrupted file is
// rejected by both or by neither, and when both accept it they give the same samples.
TEST_CASE("wav_stream: 3,000 corrupted files, the same verdict as parse_wav") {
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_test_stream_corrupt.wav";
    qhybrid::rng gen(11);
    std::size_t agreed_errors = 0, agreed_samples = 0;
    for (std::size_t i = 0; i < 3000; ++i) {
        bytes b = wav_file({1, 2, 8000, 16}, {0.5, -0.5, 0.25, 0.125}, gen.below(2) == 1);
        for (std::size_t m = 0, edits = 1 + gen.below(3); m < edits && !b.empty(); ++m) {
            if (gen.below(2)) b[gen.below(b.size())] = std::byte(gen.below(256));
            else b.resize(gen.below(b.size() + 1));
        }
        write_bytes(path, b);
        std::vector<double> whole, stream;
        bool whole_failed = false, stream_failed = false;
        try {
            whole = parse(b).mono();
        } catch (const qhybrid::error&) {
            whole_failed = true;
        }
        try {
            stream = streamed(path, 3);
        } catch (const qhybrid::error&) {
            stream_failed = true;
        }
        REQUIRE(whole_failed == stream_failed);
        if (whole_failed) {
            ++agreed_errors;
        } else {
            REQUIRE(whole == stream);
            ++agreed_samples;
        }
    }
    CHECK(agreed_errors > 1000); // both outcomes occur (2,861 and 139 with this seed)
    CHECK(agreed_samples > 50);
    std::filesystem::remove(path);
}

TEST_CASE("WAV: a directory or a missing file is a clear error") {
    const auto dir = std::filesystem::temp_directory_path();
    CHECK_THROWS_WITH(a::read_wav(dir), Contains(dir.string() + ": a directory, not a file"));
    CHECK_THROWS_WITH(a::wav_stream(dir), Contains(dir.string() + ": a directory, not a file"));
    CHECK_THROWS_WITH(a::wav_stream("/nonexistent/x.wav"), Contains("/nonexistent/x.wav: cannot open the file"));
}
