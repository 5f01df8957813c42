// Binary data files: gzip against streams made by Python's zlib (tests/reference), every
// truncation and random corruption of a gzip stream, IDX headers, the real MNIST test split, and
// the FSDD loader on the real data set.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/data.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace d = qhybrid::data;
using Catch::Matchers::Contains;
using bytes = std::vector<std::uint8_t>;

namespace {

// The payload of make_gzip_reference.py.
bytes payload(std::size_t n) {
    const std::string words = "quantum hybrid audio spectrogram qubit ansatz mel gradient ";
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = (i / 97) % 3 ? std::uint8_t(words[(i * 7 + i / 61) % words.size()]) : std::uint8_t((i * i + 11) % 256);
    return out;
}

bytes from_hex(const std::string& hex) {
    bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return out;
}

struct gzip_case {
    std::string name;
    bytes compressed, expected;
};

std::vector<gzip_case> gzip_cases() {
    const auto table = d::read_csv(QHYBRID_TEST_REFERENCE "/gzip_reference.csv");
    std::vector<gzip_case> out;
    for (std::size_t r = 0; r < table.rows(); ++r)
        out.push_back({table.text(r, 0), from_hex(table.text(r, 2)), payload(std::size_t(table.number(r, 1)))});
    return out;
}

} // namespace

TEST_CASE("gzip: stored, fixed and dynamic blocks, header fields and concatenated members decode as zlib wrote them") {
    const auto cases = gzip_cases();
    REQUIRE(cases.size() == 8);
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(d::gunzip(c.compressed) == c.expected);
    }
    CHECK(d::crc32(payload(0)) == 0);
    const std::string check = "123456789"; // the CRC-32 check value of its specification
    CHECK(d::crc32(bytes(check.begin(), check.end())) == 0xCBF43926u);
}

TEST_CASE("gzip: every truncation, and corrupt headers and checksums, are errors") {
    const auto cases = gzip_cases();
    const bytes& good = cases[3].compressed; // fixed Huffman, 3000 bytes
    for (std::size_t n = 0; n < good.size(); ++n) {
        INFO("first " << n << " bytes");
        CHECK_THROWS_AS(d::gunzip(bytes(good.begin(), good.begin() + long(n))), qhybrid::error);
    }
    auto with = [&](std::size_t at, std::uint8_t v) {
        bytes b = good;
        b[at] = v;
        return b;
    };
    CHECK_THROWS_WITH(d::gunzip(with(0, 0x1E), "m.gz"), Contains("m.gz: byte 1: not a gzip file"));
    CHECK_THROWS_WITH(d::gunzip(with(2, 7)), Contains("unknown compression method"));
    CHECK_THROWS_WITH(d::gunzip(with(3, 0x80)), Contains("reserved header flags"));
    CHECK_THROWS_WITH(d::gunzip(with(good.size() - 8, std::uint8_t(good[good.size() - 8] ^ 1))), Contains("CRC-32 mismatch"));
    CHECK_THROWS_WITH(d::gunzip(with(good.size() - 4, std::uint8_t(good[good.size() - 4] ^ 1))), Contains("length mismatch"));
    bytes trailing = good;
    trailing.push_back(0);
    CHECK_THROWS_WITH(d::gunzip(trailing), Contains("not a gzip file"));
    CHECK_THROWS_WITH(d::gunzip(with(10, 0x07)), Contains("invalid deflate block type 3"));
    bytes header_fields = cases[6].compressed; // FEXTRA, FNAME, FCOMMENT and FHCRC
    header_fields[16] ^= 1;                   // a letter of the file name
    CHECK_THROWS_WITH(d::gunzip(header_fields), Contains("header CRC mismatch"));
    CHECK_THROWS_WITH(d::read_gzip("/nonexistent/x.gz"), Contains("/nonexistent/x.gz: cannot open the file"));
}

TEST_CASE("gzip: 20,000 randomly corrupted streams decode or throw qhybrid::error") {
    const auto cases = gzip_cases();
    qhybrid::rng gen(99);
    std::size_t decoded = 0, rejected = 0;
    for (std::size_t i = 0; i < 20000; ++i) {
        bytes b = cases[1 + gen.below(cases.size() - 2)].compressed; // skip the empty and the 200 kB case
        for (std::size_t e = 0, edits = 1 + gen.below(3); e < edits; ++e) {
            const std::size_t at = 10 + gen.below(b.size() - 10); // keep the header, corrupt the stream
            b[at] = gen.below(2) ? std::uint8_t(gen.below(256)) : std::uint8_t(b[at] ^ (1u << gen.below(8)));
        }
        try {
            d::gunzip(b);
            ++decoded;
        } catch (const qhybrid::error&) {
            ++rejected;
        }
    }
    CHECK(rejected > 19000); // the CRC catches what the decoder does not
    WARN("randomized gzip corruption: 20000 inputs, " << decoded << " decoded, " << rejected << " rejected");
}

TEST_CASE("IDX: header, shape and size checks") {
    const bytes ok = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
    const auto a = d::parse_idx(ok);
    CHECK(a.shape == std::vector<std::size_t>{2, 3});
    CHECK(a.values == bytes{1, 2, 3, 4, 5, 6});
    CHECK_THROWS_WITH(d::parse_idx(bytes{0, 1, 8, 1}, "x.idx"), Contains("x.idx: not an IDX file"));
    CHECK_THROWS_WITH(d::parse_idx(bytes{0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}), Contains("element type 0x0D is not supported"));
    CHECK_THROWS_WITH(d::parse_idx(bytes(ok.begin(), ok.begin() + 9)), Contains("header is cut off"));
    CHECK_THROWS_WITH(d::parse_idx(bytes(ok.begin(), ok.end() - 1)), Contains("announce 6 values, the file holds 5 (truncated file)"));
    bytes longer = ok;
    longer.push_back(7);
    CHECK_THROWS_WITH(d::parse_idx(longer), Contains("(trailing data)"));
    CHECK_THROWS_WITH(d::parse_idx(bytes{0, 0, 8, 1, 0, 0, 0, 0}), Contains("dimension 0 is 0 or too large"));
}

namespace {

// A gzip member whose one fixed-Huffman deflate block holds `prefix` as literals, then `runs`
// back-references of 258 bytes at distance 1 (each repeats the last byte): 13 bits for 258 bytes,
// the most deflate can expand. The trailer's CRC-32 and length are right.
bytes gzip_runs(const bytes& prefix, std::size_t runs) {
    bytes out{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
    std::uint32_t buffer = 0;
    int count = 0;
    auto put = [&](std::uint32_t v, int n) { // LSB first, as deflate packs its bits
        buffer |= v << count, count += n;
        for (; count >= 8; count -= 8, buffer >>= 8) out.push_back(std::uint8_t(buffer));
    };
    auto code = [&](std::uint32_t c, int n) { // Huffman codes go most significant bit first
        for (int b = n - 1; b >= 0; --b) put((c >> b) & 1, 1);
    };
    put(1, 1), put(1, 2); // the last block, fixed codes
    for (auto v : prefix) v < 144 ? code(0x30 + v, 8) : code(0x190 + v - 144, 9);
    for (std::size_t r = 0; r < runs; ++r) code(0xC5, 8), code(0, 5); // length 258 (symbol 285), distance 1
    code(0, 7);                                                        // end of block
    if (count) put(0, 8 - count);
    bytes data = prefix;
    data.resize(prefix.size() + 258 * runs, prefix.back());
    const std::uint32_t crc = d::crc32(data), size = std::uint32_t(data.size());
    for (int b = 0; b < 32; b += 8) out.push_back(std::uint8_t(crc >> b));
    for (int b = 0; b < 32; b += 8) out.push_back(std::uint8_t(size >> b));
    return out;
}

} // namespace

TEST_CASE("gzip: the output is bounded, and an IDX file inflates no further than its header announces") {
    const bytes small = gzip_runs({1, 2, 3}, 10);
    REQUIRE(d::gunzip(small).size() == 3 + 2580); // the stream is valid
    CHECK(d::gunzip_prefix(small, "s.gz", 5) == bytes{1, 2, 3, 3, 3});
    CHECK_THROWS_WITH(d::gunzip(small, "s.gz", 2582), Contains("s.gz: byte ") && Contains("decompresses to more than 2582 bytes"));
    // 1 MB of compressed input claims 166 MB: stopped at the caller's limit.
    const bytes bomb = gzip_runs({0}, 640000);
    CHECK(bomb.size() < 1100000);
    CHECK_THROWS_WITH(d::gunzip(bomb, "bomb.gz", 1 << 20), Contains("decompresses to more than 1048576 bytes"));
    CHECK(d::default_gunzip_limit == std::size_t(1) << 28);
    // An IDX header for 2 x 3 bytes followed by 165 MB of zeros: read_idx stops at 2 x 3 + 1.
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_test_bomb.idx.gz";
    const bytes idx_bomb = gzip_runs({0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7}, 640000);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(idx_bomb.data()), long(idx_bomb.size()));
    CHECK_THROWS_WITH(d::read_idx(path), Contains("decompresses to more than 19 bytes"));
    const bytes idx_ok = gzip_runs({0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}, 0);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(idx_ok.data()), long(idx_ok.size()));
    CHECK(d::read_idx(path).values == bytes{1, 2, 3, 4, 5, 6});
    std::filesystem::remove(path);
}

TEST_CASE("data files: a directory given as a file is a clear error") {
    const auto dir = std::filesystem::temp_directory_path();
    CHECK_THROWS_WITH(d::read_idx(dir / "."), Contains(": a directory, not a file"));
    CHECK_THROWS_WITH(d::read_gzip(dir), Contains(dir.string() + ": a directory, not a file"));
    CHECK_THROWS_WITH(d::read_csv(dir), Contains(dir.string() + ": a directory, not a file"));
}

TEST_CASE("MNIST test split: 10,000 images of 28 x 28 and their labels", "[data]") {
    const std::string dir = QHYBRID_TEST_DATA "/mnist/";
    const auto images = d::read_idx(dir + "t10k-images-idx3-ubyte.gz");
    const auto labels = d::read_idx(dir + "t10k-labels-idx1-ubyte.gz");
    CHECK(images.shape == std::vector<std::size_t>{10000, 28, 28});
    CHECK(labels.shape == std::vector<std::size_t>{10000});
    // Known facts of the data set: the first labels are 7 2 1 0 4, and each digit's count.
    CHECK(bytes(labels.values.begin(), labels.values.begin() + 5) == bytes{7, 2, 1, 0, 4});
    std::map<int, int> counts;
    for (auto l : labels.values) ++counts[l];
    CHECK(counts == std::map<int, int>{{0, 980}, {1, 1135}, {2, 1032}, {3, 1010}, {4, 982},
                                       {5, 892}, {6, 958}, {7, 1028}, {8, 974}, {9, 1009}});
}

TEST_CASE("read_mnist: pixels in [0, 1] with their labels, and a label that is not a digit or a count that differs names the file", "[data]") {
    const auto real = d::read_mnist(QHYBRID_TEST_DATA);
    REQUIRE(real.size() == 10000);
    CHECK(real.pixels.size() == 10000 * 28 * 28);
    CHECK(*std::max_element(real.pixels.begin(), real.pixels.end()) == 1.0);
    CHECK(real.labels[0] == 7);

    const auto root = std::filesystem::temp_directory_path() / "qhybrid_test_mnist";
    std::filesystem::create_directories(root / "mnist");
    auto write = [&](const char* name, const bytes& content) {
        const bytes gz = gzip_runs(content, 0);
        std::ofstream(root / "mnist" / name, std::ios::binary).write(reinterpret_cast<const char*>(gz.data()), long(gz.size()));
    };
    bytes images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
    images.resize(images.size() + 2 * 28 * 28, 255);
    write("t10k-images-idx3-ubyte.gz", images);
    write("t10k-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 2, 3, 12});
    CHECK_THROWS_WITH(d::read_mnist(root), Contains("t10k-labels-idx1-ubyte.gz: label 12 of image 1 is not a digit"));
    write("t10k-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 3, 3, 1, 2});
    CHECK_THROWS_WITH(d::read_mnist(root), Contains("t10k-labels-idx1-ubyte.gz: 3 labels for 2 images"));
    write("t10k-labels-idx1-ubyte.gz", {0, 0, 8, 1, 0, 0, 0, 2, 3, 1});
    const auto two = d::read_mnist(root);
    CHECK(two.labels == bytes{3, 1});
    CHECK(two.pixels == std::vector<double>(2 * 28 * 28, 1.0));
    CHECK_THROWS_WITH(d::read_mnist(root, d::mnist_split::train), Contains("train-images-idx3-ubyte.gz not found"));
    std::filesystem::remove_all(root);
}

TEST_CASE("FSDD names parse, and bad names are errors") {
    const auto r = d::parse_fsdd_name("x/7_yweweler_12.wav");
    CHECK(r.digit == 7);
    CHECK(r.speaker == "yweweler");
    CHECK(r.index == 12);
    CHECK_FALSE(r.is_test());
    CHECK(d::parse_fsdd_name("0_a_4.wav").is_test());
    CHECK_THROWS_WITH(d::parse_fsdd_name("7_theo.wav"), Contains("7_theo.wav: not an FSDD recording name"));
    CHECK_THROWS_WITH(d::parse_fsdd_name("x_theo_1.wav"), Contains("non-negative integers"));
    CHECK_THROWS_WITH(d::parse_fsdd_name("12_theo_1.wav"), Contains("digit above 9"));
    CHECK_THROWS_WITH(d::parse_fsdd_name("1_theo_1.mp3"), Contains("no .wav extension"));
    CHECK(d::fix_length<double>(std::vector<double>{1, 2, 3}, 5) == std::vector<double>{1, 2, 3, 0, 0});
    CHECK(d::fix_length<double>(std::vector<double>{1, 2, 3}, 2) == std::vector<double>{1, 2});
}

TEST_CASE("AudioMNIST: speaker folders and audioMNIST_meta.txt, the file's spellings tidied, bad entries named") {
    const auto root = std::filesystem::temp_directory_path() / "qhybrid_audiomnist_test";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "data/01");
    std::filesystem::create_directories(root / "data/02");
    const auto write = [](const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(root / "data/audioMNIST_meta.txt", R"({"02": {"accent": " German ", "gender": "female", "age": "25", "native speaker": "no"},
                                                 "01": {"accent": "german", "gender": "Male", "age": 30},
                                                 "03": {"accent": "Egyptian_American?", "gender": "male", "age": "?"}})");
    for (const char* f : {"data/01/3_01_1.wav", "data/01/0_01_0.wav", "data/02/1_02_0.wav", "data/01/notes.txt"}) write(root / f, "");
    const d::audiomnist set(root); // the folder above data/
    REQUIRE(set.speakers().size() == 3);
    CHECK(set.speakers()[0].id == "01");
    CHECK(set.speakers()[0].accent == "german");
    CHECK(set.speakers()[1].accent == "german"); // " German " tidied
    CHECK(set.speakers()[0].gender == "male");
    CHECK(set.speakers()[0].age == 30);
    CHECK(set.speakers()[1].age == 25);
    CHECK(set.speakers()[2].age == -1);
    REQUIRE(set.recordings().size() == 3); // speaker 03 has no folder here
    CHECK((set.recordings()[0].speaker == 0 && set.recordings()[0].digit == 0 && set.recordings()[0].take == 0));
    CHECK((set.recordings()[1].speaker == 0 && set.recordings()[1].digit == 3 && set.recordings()[1].take == 1));
    CHECK((set.recordings()[2].speaker == 1 && set.recordings()[2].digit == 1));
    CHECK(d::audiomnist(root / "data").recordings().size() == 3);
    write(root / "data/02/1_01_3.wav", "");
    CHECK_THROWS_WITH(d::audiomnist(root), Contains("1_01_3.wav: speaker 01 in the folder of speaker 02"));
    CHECK_THROWS_WITH(d::audiomnist(root / "data/01"), Contains("no audioMNIST_meta.txt here or in data/"));
    CHECK_THROWS_WITH(d::parse_audiomnist_meta("[1, 2]", "m.txt"), Contains("m.txt: expected an object of speakers"));
    CHECK_THROWS_WITH(d::parse_audiomnist_meta(R"({"01": {"gender": "male"}})", "m.txt"), Contains("speaker \"01\": missing field \"accent\""));
    CHECK_THROWS_WITH(d::parse_audiomnist_meta(R"({"x1": {"accent": "a", "gender": "male"}})", "m.txt"), Contains("speaker \"x1\" is not a speaker number"));
    CHECK_THROWS_WITH(d::parse_audiomnist_meta(R"({"01": {"accent": 3, "gender": "male"}})", "m.txt"), Contains("speaker \"01\".accent is not a string"));
    CHECK_THROWS_WITH(d::parse_audiomnist_meta("{\"01\": ", "m.txt"), Contains("m.txt: not valid JSON"));
    std::filesystem::remove_all(root);
}

TEST_CASE("FSDD: 3,000 recordings, 6 speakers, the official 300 / 2,700 split", "[data]") {
    const d::fsdd set(QHYBRID_TEST_DATA "/fsdd");
    CHECK(set.recordings().size() == 3000);
    CHECK(set.speakers().size() == 6);
    CHECK(set.test().size() == 300);
    CHECK(set.train().size() == 2700);
    std::map<std::pair<int, std::string>, int> per_digit_speaker;
    for (const auto& r : set.recordings()) ++per_digit_speaker[{r.digit, r.speaker}];
    CHECK(per_digit_speaker.size() == 60);
    for (const auto& [key, n] : per_digit_speaker) CHECK(n == 50);
    CHECK(set.speaker("yweweler").accent == "DEU/German");
    CHECK(set.speaker_index("jackson") == 0);
    CHECK_THROWS_WITH(set.speaker("nobody"), Contains("speaker \"nobody\" is not in speakers.csv"));
    CHECK_THROWS_WITH(d::fsdd("/nonexistent"), Contains("/nonexistent/recordings: no such folder"));
}

TEST_CASE("data location: flag, then QHYBRID_DATA, then ../shared/data, a clear error when missing") {
    CHECK(d::data_root("/x") == "/x");
    CHECK_THROWS_WITH(d::require_data("/nonexistent", "fsdd/recordings"),
                      Contains("/nonexistent/fsdd/recordings not found. Pass --data DIR or set QHYBRID_DATA"));
}
