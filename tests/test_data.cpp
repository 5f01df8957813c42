// CSV parsing (quoted fields, CRLF, errors with line and column on corrupt and truncated input),
// min-max scaling fitted on training rows, stratified splits, the DEEP-VOICE CSV reader.
#include <catch2/catch.hpp>
#include <qhybrid/data.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

namespace d = qhybrid::data;
using Catch::Matchers::Contains;

TEST_CASE("CSV: header, quoted fields with commas, quotes and newlines, CRLF") {
    const auto t = d::parse_csv("a,b,name\r\n1,2.5,\"x, \"\"y\"\"\"\r\n-3,4e2,\"two\nlines\"\n\n", "t.csv");
    REQUIRE(t.columns() == 3);
    REQUIRE(t.rows() == 2);
    CHECK(t.text(0, 2) == "x, \"y\"");
    CHECK(t.text(1, 2) == "two\nlines");
    CHECK(t.numbers("b") == std::vector<double>{2.5, 400});
    CHECK(t.texts("a") == std::vector<std::string>{"1", "-3"});
    CHECK(d::parse_csv("x,y\n1,2", "no final newline").rows() == 1);
}

TEST_CASE("CSV: corrupt and truncated input are errors with line and column") {
    REQUIRE_THROWS_WITH(d::parse_csv("", "e.csv"), Contains("e.csv: empty file"));
    REQUIRE_THROWS_WITH(d::parse_csv("a,b\n1,2\n3\n", "r.csv"), Contains("r.csv:3: 1 fields, the header has 2"));
    REQUIRE_THROWS_WITH(d::parse_csv("a,b\n1,\"2\n", "q.csv"), Contains("q.csv:2: a quoted field is not closed"));
    REQUIRE_THROWS_WITH(d::parse_csv("a,b\n1,2\"x\"\n", "m.csv"), Contains("m.csv:2: a quote inside an unquoted field"));
    REQUIRE_THROWS_WITH(d::parse_csv("a,b\n1,\"2\"x\n", "t.csv"), Contains("t.csv:2: text after a closing quote"));
    const auto t = d::parse_csv("a,b\n1,2\n3,abc\n4,nan\n5,\n", "n.csv");
    REQUIRE_THROWS_WITH(t.numbers("b"), Contains("n.csv:3, column \"b\": \"abc\" is not a finite number"));
    REQUIRE_THROWS_WITH(t.number(2, 1), Contains("n.csv:4, column \"b\": \"nan\" is not a finite number"));
    REQUIRE_THROWS_WITH(t.number(3, 1), Contains("n.csv:5, column \"b\": \"\" is not a finite number"));
    REQUIRE_THROWS_WITH(t.column("c"), Contains("n.csv: no column named \"c\""));
    REQUIRE_THROWS_WITH(d::read_csv("/nonexistent/x.csv"), Contains("/nonexistent/x.csv: cannot open the file"));
}

TEST_CASE("CSV: a file cut in the middle of a row") {
    const auto path = std::filesystem::temp_directory_path() / "qhybrid_truncated.csv";
    {
        std::ofstream out(path, std::ios::binary);
        out << "chroma_stft,rms,LABEL\n0.33,0.02,FAKE\n0.44,0.0";
    }
    REQUIRE_THROWS_WITH(d::read_csv(path), Contains(":3: 2 fields, the header has 3"));
    std::filesystem::remove(path);
}

TEST_CASE("min-max scaling is fitted on the rows given to fit, then applied to others") {
    d::min_max_scaler s(0, 3);
    const std::vector<double> train{1, 10, 3, 10, 2, 10}; // column 1 is constant
    s.fit(train, 2);
    std::vector<double> rows{1, 10, 3, 7, 5, 10};
    s.transform(rows);
    CHECK(rows == std::vector<double>{0, 1.5, 3, 1.5, 6, 1.5});
    REQUIRE_THROWS_WITH(s.fit(std::vector<double>{1, 2, 3}, 2), Contains("3 values are not whole rows of 2 columns"));
    REQUIRE_THROWS_WITH(d::min_max_scaler(1, 1), Contains("lo < hi"));
    d::min_max_scaler unfitted(0, 1);
    REQUIRE_THROWS_WITH(unfitted.transform(rows), Contains("transform before fit"));
}

TEST_CASE("standard scaling: training mean 0 and population standard deviation 1, as scikit-learn") {
    d::standard_scaler s;
    const std::vector<double> train{1, 5, 2, 5, 3, 5, 6, 5}; // column 0: mean 3, population sd sqrt(3.5)
    s.fit(train, 2);
    std::vector<double> rows{3, 5, 3 + std::sqrt(3.5), 9};
    s.transform(rows);
    CHECK(rows[0] == Approx(0).margin(1e-15));
    CHECK(rows[1] == 0); // a constant column keeps scale 1: x - mean
    CHECK(rows[2] == Approx(1).epsilon(1e-15));
    CHECK(rows[3] == 4);
    std::vector<double> scaled = train;
    s.transform(scaled);
    double mean = 0, sq = 0;
    for (std::size_t i = 0; i < 8; i += 2) mean += scaled[i] / 4, sq += scaled[i] * scaled[i] / 4;
    CHECK(mean == Approx(0).margin(1e-15));
    CHECK(sq == Approx(1).epsilon(1e-14));
    d::standard_scaler unfitted;
    REQUIRE_THROWS_WITH(unfitted.transform(rows), Contains("standard_scaler: transform before fit"));
}

TEST_CASE("stratified k-fold: every row tested once, class shares kept, seeds repeat") {
    std::vector<int> labels;
    for (int i = 0; i < 103; ++i) labels.push_back(i % 3 == 0 ? 1 : 0); // 35 ones, 68 zeros
    qhybrid::rng a(5), b(5);
    const auto folds = d::stratified_k_fold(std::span<const int>(labels), 10, a);
    REQUIRE(folds.size() == 10);
    std::vector<int> tested(labels.size(), 0);
    for (const auto& f : folds) {
        CHECK(f.train.size() + f.test.size() == labels.size());
        CHECK((f.test.size() == 10 || f.test.size() == 11));
        int ones = 0;
        for (auto i : f.test) ++tested[i], ones += labels[i];
        CHECK((ones == 3 || ones == 4));
        std::vector<int> in_train(labels.size(), 0);
        for (auto i : f.train) in_train[i] = 1;
        for (auto i : f.test) CHECK(in_train[i] == 0);
    }
    for (int t : tested) CHECK(t == 1);
    CHECK(d::stratified_k_fold(std::span<const int>(labels), 10, b)[4].test == folds[4].test);
    REQUIRE_THROWS_WITH(d::stratified_k_fold(std::span<const int>(labels), 1, a), Contains("1 folds for 103 rows"));
}

TEST_CASE("minibatches cover every row once per epoch, last batch smaller") {
    d::minibatches batches(10, 4);
    CHECK(batches.size() == 3);
    qhybrid::rng gen(1);
    batches.shuffle(gen);
    std::vector<int> seen(10, 0);
    std::vector<std::size_t> sizes;
    for (const auto rows : batches) {
        sizes.push_back(rows.size());
        for (auto r : rows) ++seen[r];
    }
    CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
    for (int s : seen) CHECK(s == 1);
    REQUIRE_THROWS_WITH(d::minibatches(0, 4), Contains("minibatches: 0 rows"));
}

TEST_CASE("stratified split keeps every class's share, and a seed repeats it") {
    std::vector<int> labels;
    for (int i = 0; i < 100; ++i) labels.push_back(i % 4 == 0); // 25 ones, 75 zeros
    qhybrid::rng a(3), b(3);
    const auto s = d::stratified_split(std::span<const int>(labels), 0.2, a);
    CHECK(s.test.size() == 20);
    CHECK(s.train.size() == 80);
    std::map<int, int> test_counts;
    for (auto i : s.test) ++test_counts[labels[i]];
    CHECK(test_counts[1] == 5);
    CHECK(test_counts[0] == 15);
    std::vector<std::size_t> all = s.train;
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    std::vector<std::size_t> expected(100);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(all == expected);
    const auto again = d::stratified_split(std::span<const int>(labels), 0.2, b);
    CHECK(again.test == s.test);
    REQUIRE_THROWS_WITH(d::stratified_split(std::span<const int>(labels), 1.0, a),
                        Contains("stratified_split: test_fraction 1 is not in (0, 1)"));
    REQUIRE_THROWS_WITH(d::stratified_split(std::span<const int>(labels), -0.05, a),
                        Contains("stratified_split: test_fraction -0.05 is not in (0, 1)"));
}

namespace {
// A DEEP-VOICE CSV with the given rows (26 feature values each, then LABEL), header in file order.
std::filesystem::path deep_voice_file(const std::string& name, const std::vector<std::string>& rows,
                                      std::size_t drop_column = d::deep_voice_width) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream out(path, std::ios::binary);
    for (std::size_t c = 0; c < d::deep_voice_width; ++c)
        if (c != drop_column) out << d::deep_voice_columns[c] << ',';
    out << "LABEL\n";
    for (const auto& r : rows) out << r << '\n';
    return path;
}
std::string features(double first, std::size_t count = d::deep_voice_width) {
    std::string s;
    for (std::size_t c = 0; c < count; ++c) s += std::to_string(first + double(c)) + ",";
    return s;
}
} // namespace

TEST_CASE("DEEP-VOICE CSV: rows and labels in column order, and bad labels, cells and missing columns are errors") {
    const auto good = deep_voice_file("qhybrid_dv_good.csv", {features(1) + "REAL", features(2) + "FAKE"});
    const auto rows = d::read_deep_voice(good);
    REQUIRE(rows.size() == 2);
    CHECK(rows.labels == std::vector<std::size_t>{0, 1});
    CHECK(rows.features[0] == 1.0);
    CHECK(rows.features[d::deep_voice_width + 25] == 27.0);

    const auto label = deep_voice_file("qhybrid_dv_label.csv", {features(1) + "REAL", features(2) + "fake"});
    CHECK_THROWS_WITH(d::read_deep_voice(label), Contains(":3, column \"LABEL\": label \"fake\" is neither REAL nor FAKE"));
    std::string bad_cell = "x"; // (built with += : g++ 12 misreports "x" + std::string as -Wrestrict)
    bad_cell += features(1) + "REAL";
    const auto cell = deep_voice_file("qhybrid_dv_cell.csv", {bad_cell});
    CHECK_THROWS_WITH(d::read_deep_voice(cell), Contains("column \"chroma_stft\": \"x1.000000\" is not a finite number"));
    const auto missing = deep_voice_file("qhybrid_dv_missing.csv", {features(1, 25) + "REAL"}, 7);
    CHECK_THROWS_WITH(d::read_deep_voice(missing), Contains("no column named \"mfcc2\""));
    const auto cut = deep_voice_file("qhybrid_dv_cut.csv", {features(1) + "REAL", features(2, 10)});
    CHECK_THROWS_WITH(d::read_deep_voice(cut), Contains(":3: 11 fields, the header has 27"));
    for (const auto& p : {good, label, cell, missing, cut}) std::filesystem::remove(p);
}
