// Binary data files: gzip against streams made by Python's zlib (tests/reference), every
// truncation and random corruption of a gzip stream, IDX headers, the real MNIST test split, and
// the FSDD loader on the real data set.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/data.hpp>

#include <filesystem>
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
