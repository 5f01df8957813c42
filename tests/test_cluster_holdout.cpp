// SPDX-License-Identifier: Apache-2.0
// Holding out regions of feature space: k-means (against scipy's kmeans2 and synthetic blobs), the
// cluster hold-out split, its DEEP-VOICE form, and the 1-nearest-neighbour baseline.
#include <catch2/catch.hpp>
#include <qhybrid/core/parallel.hpp>
#include <qhybrid/data.hpp>
#include <qhybrid/models/deep_voice_data.hpp>
#include <qhybrid/models/nearest_neighbour.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
using Catch::Matchers::Contains;

namespace {

// `per` rows around each centre (row-major, `columns` wide), unit Gaussian noise; truth[r] = its blob.
struct blobs {
    std::vector<double> rows;
    std::vector<std::size_t> truth;
};

blobs make_blobs(const std::vector<std::vector<double>>& centres, std::size_t per, double spread, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    blobs b;
    for (std::size_t i = 0; i < per; ++i)
        for (std::size_t c = 0; c < centres.size(); ++c) { // interleaved, so the blobs are not in row order
            for (double x : centres[c]) b.rows.push_back(x + spread * gen.normal());
            b.truth.push_back(c);
        }
    return b;
}

// True when the two labellings are the same partition (equal up to renaming the clusters).
bool same_partition(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
    std::map<std::size_t, std::size_t> ab, ba;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ab.emplace(a[i], b[i]).first->second != b[i] || ba.emplace(b[i], a[i]).first->second != a[i]) return false;
    return true;
}

std::vector<double> gaussian_rows(std::size_t n, std::size_t columns, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    std::vector<double> v(n * columns);
    for (auto& x : v) x = gen.normal();
    return v;
}

} // namespace

TEST_CASE("k-means recovers well-separated blobs exactly, for every seed") {
    const std::vector<std::vector<double>> centres{{0, 0, 0}, {30, 0, 0}, {0, 30, 0}, {0, 0, 30}, {30, 30, 30}};
    const auto b = make_blobs(centres, 30, 1.0, 7);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        qhybrid::rng gen(seed);
        const auto r = d::kmeans(b.rows, 3, centres.size(), gen);
        INFO("seed " << seed);
        CHECK(r.converged);
        CHECK(same_partition(r.cluster, b.truth));
        CHECK(r.sizes == std::vector<std::size_t>(centres.size(), 30));
    }
}

TEST_CASE("k-means: the objective never increases, and a seed repeats the clustering bit for bit") {
    const auto rows = gaussian_rows(500, 4, 3);
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        qhybrid::rng a(seed), b(seed);
        const auto r = d::kmeans(rows, 4, 8, a);
        REQUIRE(r.converged);
        REQUIRE(r.objective.size() == r.iterations);
        CHECK(r.iterations > 2); // overlapping data: Lloyd has work to do
        for (std::size_t i = 1; i < r.objective.size(); ++i) CHECK(r.objective[i] <= r.objective[i - 1]);
        const auto again = d::kmeans(rows, 4, 8, b);
        CHECK(again.cluster == r.cluster);
        CHECK(again.centroids == r.centroids);
        CHECK(again.objective == r.objective);
    }
    qhybrid::rng a(1), b(2);
    CHECK(d::kmeans(rows, 4, 8, a).centroids != d::kmeans(rows, 4, 8, b).centroids);
}

// tests/reference/make_kmeans_reference.py: scipy.cluster.vq.kmeans2 (minit='matrix') and a numpy
// Lloyd loop from the same starting centroids. Labels and step counts must agree exactly;
// centroids to 1e-12 (numpy sums a cluster's rows pairwise, we sum them in order: the means of
// <= 100 rows of size <= 30 differ in the last bits only); the objective per step to 1e-12
// relative.
TEST_CASE("k-means: Lloyd's iterations agree with scipy's kmeans2 from the same centroids") {
    const auto t = d::read_csv(QHYBRID_TEST_REFERENCE "/kmeans_reference.csv");
    const std::size_t columns = 5;
    struct reference {
        std::vector<double> data, init, centroids, objective;
        std::vector<std::size_t> labels;
        std::size_t iterations = 0;
    };
    std::map<std::string, reference> cases;
    for (std::size_t r = 0; r < t.rows(); ++r) {
        auto& c = cases[t.text(r, 0)];
        const std::string& role = t.text(r, 1);
        std::vector<double> v;
        for (std::size_t j = 0; j < columns; ++j) v.push_back(t.number(r, 3 + j));
        if (role == "data") c.data.insert(c.data.end(), v.begin(), v.end());
        else if (role == "init") c.init.insert(c.init.end(), v.begin(), v.end());
        else if (role == "centroid") c.centroids.insert(c.centroids.end(), v.begin(), v.end());
        else if (role == "label") c.labels.push_back(std::size_t(v[0]));
        else if (role == "objective") c.objective.push_back(v[0]);
        else if (role == "iterations") c.iterations = std::size_t(v[0]);
    }
    REQUIRE(cases.size() == 3);
    for (const auto& [name, c] : cases) {
        INFO(name);
        const auto r = d::lloyd(c.data, columns, c.init);
        CHECK(r.converged);
        CHECK(r.iterations == c.iterations);
        CHECK(r.cluster == c.labels);
        REQUIRE(r.centroids.size() == c.centroids.size());
        for (std::size_t i = 0; i < r.centroids.size(); ++i) CHECK(r.centroids[i] == Approx(c.centroids[i]).margin(1e-12));
        REQUIRE(r.objective.size() == c.objective.size());
        for (std::size_t i = 0; i < r.objective.size(); ++i) CHECK(r.objective[i] == Approx(c.objective[i]).epsilon(1e-12));
    }
    CHECK(d::lloyd(cases["empty"].data, columns, cases["empty"].init).sizes[2] == 0); // the far centroid stays empty
}

TEST_CASE("k-means: an iteration cap ends Lloyd unconverged") {
    const auto rows = gaussian_rows(500, 4, 3);
    qhybrid::rng gen(1);
    const auto r = d::kmeans(rows, 4, 8, gen, 2);
    CHECK(r.iterations == 2);
    CHECK_FALSE(r.converged);
}

TEST_CASE("k-means: bad arguments are errors naming the function and the value") {
    const auto rows = gaussian_rows(10, 2, 1);
    qhybrid::rng gen(1);
    REQUIRE_THROWS_WITH(d::kmeans(rows, 2, 0, gen), Contains("kmeans: k = 0 for 10 rows"));
    REQUIRE_THROWS_WITH(d::kmeans(rows, 2, 11, gen), Contains("kmeans: k = 11 for 10 rows"));
    REQUIRE_THROWS_WITH(d::kmeans(rows, 3, 2, gen), Contains("kmeans: 20 values are not whole rows of 3 columns"));
    REQUIRE_THROWS_WITH(d::kmeans(rows, 2, 2, gen, 0), Contains("kmeans: max_iterations 0"));
    auto bad = rows;
    bad[7] = std::nan("");
    REQUIRE_THROWS_WITH(d::kmeans(bad, 2, 2, gen), Contains("kmeans: row 3, column 1 is nan"));
    const std::vector<double> twice{1, 1, 1, 1, 2, 2};
    REQUIRE_THROWS_WITH(d::kmeans(twice, 2, 3, gen), Contains("kmeans_plus_plus: k = 3 but the rows hold only 2 distinct points"));
    REQUIRE_THROWS_WITH(d::lloyd(rows, 2, std::vector<double>{0, 0, 1}), Contains("lloyd (initial centroids): 3 values"));
}

namespace {

// Three classes of unequal size, each a cloud of overlapping blobs.
struct labelled_rows {
    std::vector<double> rows;
    std::vector<int> labels;
};

labelled_rows three_classes() {
    labelled_rows d;
    const std::size_t sizes[] = {300, 450, 200};
    qhybrid::rng gen(11);
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < sizes[c]; ++i) {
            for (std::size_t j = 0; j < 4; ++j) d.rows.push_back(3.0 * c + (j == 0 ? 50.0 : 1.0) * gen.normal());
            d.labels.push_back(c);
        }
    return d;
}

} // namespace

TEST_CASE("cluster hold-out: parts are unions of whole clusters, disjoint and covering, shares within one cluster") {
    const auto data = three_classes();
    const std::size_t k = 12;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        INFO("seed " << seed);
        qhybrid::rng gen(seed);
        const auto s = d::cluster_holdout_split(data.rows, 4, std::span<const int>(data.labels), 0.2, 0.1, k, gen);
        CHECK(s.converged);
        CHECK(s.clusters == k);
        // disjoint and covering
        std::vector<int> part(data.labels.size(), -1);
        int p = 0;
        for (const auto* rows : {&s.train, &s.validation, &s.test}) {
            CHECK(std::is_sorted(rows->begin(), rows->end()));
            for (std::size_t r : *rows) {
                REQUIRE(part[r] == -1);
                part[r] = p;
            }
            ++p;
        }
        CHECK(std::count(part.begin(), part.end(), -1) == 0);
        // whole clusters: every cluster's rows share one part and one class
        std::map<std::size_t, std::set<int>> parts_of, classes_of;
        std::map<std::size_t, std::size_t> size_of;
        for (std::size_t r = 0; r < part.size(); ++r) {
            parts_of[s.cluster[r]].insert(part[r]);
            classes_of[s.cluster[r]].insert(data.labels[r]);
            ++size_of[s.cluster[r]];
        }
        for (const auto& [cluster, parts] : parts_of) {
            CHECK(parts.size() == 1);
            CHECK(classes_of[cluster].size() == 1);
            CHECK(cluster / k == std::size_t(*classes_of[cluster].begin())); // labels 0, 1, 2 are classes #0, #1, #2
        }
        // per class: each share reaches its target and overshoots by less than the class's largest cluster
        for (int c = 0; c < 3; ++c) {
            std::size_t n = 0, largest = 0, count[3] = {0, 0, 0};
            for (std::size_t r = 0; r < part.size(); ++r)
                if (data.labels[r] == c) ++n, ++count[part[r]];
            for (const auto& [cluster, size] : size_of)
                if (cluster / k == std::size_t(c)) largest = std::max(largest, size);
            INFO("class " << c << ": " << n << " rows, largest cluster " << largest);
            CHECK(double(count[2]) >= 0.2 * double(n));
            CHECK(double(count[2]) < 0.2 * double(n) + double(largest));
            CHECK(double(count[1]) >= 0.1 * double(n));
            CHECK(double(count[1]) < 0.1 * double(n) + double(largest));
            CHECK(count[0] > 0);
        }
        qhybrid::rng again(seed);
        const auto t = d::cluster_holdout_split(data.rows, 4, std::span<const int>(data.labels), 0.2, 0.1, k, again);
        CHECK(t.test == s.test);
        CHECK(t.validation == s.validation);
        CHECK(t.cluster == s.cluster);
    }
}

TEST_CASE("cluster hold-out: without a validation fraction there is no validation part") {
    const auto data = three_classes();
    qhybrid::rng gen(3);
    const auto s = d::cluster_holdout_split(data.rows, 4, std::span<const int>(data.labels), 0.3, 0.0, 5, gen);
    CHECK(s.validation.empty());
    CHECK(s.train.size() + s.test.size() == data.labels.size());
}

TEST_CASE("cluster hold-out: bad arguments are errors naming the function and the value") {
    const auto data = three_classes();
    const std::span<const int> labels(data.labels);
    qhybrid::rng gen(1);
    using d::cluster_holdout_split;
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.0, 0.1, 5, gen), Contains("cluster_holdout_split: test_fraction 0 is not in (0, 1)"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 1.5, 0.1, 5, gen), Contains("test_fraction 1.5 is not in (0, 1)"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.5, 0.5, 5, gen),
                        Contains("cluster_holdout_split: validation_fraction 0.5 is not in [0, 1 - test_fraction)"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.2, -0.1, 5, gen), Contains("validation_fraction -0.1"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.2, 0.1, 0, gen), Contains("cluster_holdout_split: k = 0 clusters"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.2, 0.1, 201, gen),
                        Contains("cluster_holdout_split: class #2 has 200 rows, fewer than k = 201"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels.first(10), 0.2, 0.1, 5, gen),
                        Contains("cluster_holdout_split: 950 rows but 10 labels"));
    REQUIRE_THROWS_WITH(cluster_holdout_split(data.rows, 4, labels, 0.2, 0.1, 2, gen),
                        Contains("leaves none for training; use more than k = 2 clusters"));
    auto bad = data.rows;
    bad[9] = INFINITY;
    REQUIRE_THROWS_WITH(cluster_holdout_split(bad, 4, labels, 0.2, 0.1, 5, gen), Contains("cluster_holdout_split: row 2, column 1 is inf"));
}

TEST_CASE("DEEP-VOICE cluster split: whole clusters out, scaler fitted on the training rows") {
    const auto data = three_classes();
    nn::labelled<double> all;
    std::vector<double> wide; // 26 columns: the 4 of three_classes, then copies
    for (std::size_t r = 0; r < data.labels.size(); ++r) {
        for (std::size_t j = 0; j < d::deep_voice_width; ++j) wide.push_back(data.rows[r * 4 + j % 4] + double(j / 4));
        all.y.push_back(std::size_t(data.labels[r] == 2)); // two classes: 0 and 1 against 2
    }
    all.x = nn::tensor<double>({all.y.size(), d::deep_voice_width}, std::move(wide));
    qhybrid::rng gen(4);
    const auto s = m::split_deep_voice_clusters(all, 0.2, 0.1, 10, gen);
    CHECK(s.train.size() + s.validation.size() + s.test.size() == all.size());
    CHECK(s.validation.size() > 0);
    d::standard_scaler own;
    own.fit(std::span<const double>(s.train.x.values()), d::deep_voice_width);
    CHECK(own.scale() == s.scaler.scale());
    CHECK(own.offset() == s.scaler.offset());
    qhybrid::rng again(4);
    const auto idx = d::cluster_holdout_split(all.x.values(), d::deep_voice_width, std::span<const std::size_t>(all.y), 0.2, 0.1, 10, again);
    CHECK(std::ranges::equal(nn::subset(all, std::span(idx.test)).x.values(), s.test.x.values()));
    qhybrid::rng g2(1);
    REQUIRE_THROWS_WITH(m::split_deep_voice_clusters(all, 0.2, 0.9, 10, g2), Contains("cluster_holdout_split: validation_fraction 0.9"));
}

TEST_CASE("1-NN: the score is d0 / (d0 + d1), above 1/2 exactly when the nearest row is of class 1") {
    // Two training rows per class on a line; scaling is the identity (scale 1, offset 0 fitted below).
    nn::labelled<double> train{nn::tensor<double>({4, 1}, std::vector<double>{0.0, 1.0, 4.0, 5.0}), {0, 0, 1, 1}};
    d::standard_scaler identity;
    identity.fit(std::vector<double>{-1.0, 1.0}, 1); // mean 0, sd 1
    const m::nearest_neighbour knn(train, identity);
    const auto s = knn.scores(nn::tensor<double>({4, 1}, std::vector<double>{0.0, 4.0, 2.5, 3.0}));
    CHECK(s[0] == 0.0);                   // on a class-0 row
    CHECK(s[1] == 1.0);                   // on a class-1 row
    CHECK(s[2] == 0.5);                   // 1.5 from both classes
    CHECK(s[3] == Approx(2.0 / 3.0));     // 2 from class 0, 1 from class 1

    // Against a brute-force 1-NN on random data, on one and two threads.
    const auto rows = gaussian_rows(300, 5, 9), queries = gaussian_rows(100, 5, 10);
    nn::labelled<double> big{nn::tensor<double>({300, 5}, rows), {}};
    qhybrid::rng gen(2);
    for (std::size_t i = 0; i < 300; ++i) big.y.push_back(gen.below(2));
    d::standard_scaler scaler;
    scaler.fit(rows, 5);
    const m::nearest_neighbour model(big, scaler);
    qhybrid::set_threads(1);
    const auto one = model.scores(nn::tensor<double>({100, 5}, queries));
    qhybrid::set_threads(2);
    const auto two = model.scores(nn::tensor<double>({100, 5}, queries));
    qhybrid::set_threads(0);
    CHECK(one == two);
    auto z = rows, q = queries;
    scaler.transform(z);
    scaler.transform(q);
    for (std::size_t i = 0; i < 100; ++i) {
        std::size_t best = 0;
        double best_d = INFINITY;
        for (std::size_t r = 0; r < 300; ++r) {
            double s2 = 0;
            for (std::size_t c = 0; c < 5; ++c) s2 += (q[i * 5 + c] - z[r * 5 + c]) * (q[i * 5 + c] - z[r * 5 + c]);
            if (s2 < best_d) best = r, best_d = s2;
        }
        CHECK((one[i] > 0.5) == (big.y[best] == 1));
    }
    REQUIRE_THROWS_WITH(m::nearest_neighbour(nn::labelled<double>{nn::tensor<double>({2, 1}, std::vector<double>{0.0, 1.0}), {0, 0}}, identity),
                        Contains("nearest_neighbour: no training row of class 1"));
    REQUIRE_THROWS_WITH(model.scores(nn::tensor<double>({1, 4}, std::vector<double>{0.0, 0.0, 0.0, 0.0})), Contains("expected [rows, 5]"));
}

TEST_CASE("DEEP-VOICE: 20 clusters per class hold out 20% test and 10% validation in whole clusters", "[data]") {
    const auto all = m::read_deep_voice_set(QHYBRID_TEST_DATA "/deep-voice/DATASET-balanced.csv");
    qhybrid::rng gen(1);
    const auto s = d::cluster_holdout_split(all.x.values(), d::deep_voice_width, std::span<const std::size_t>(all.y), 0.2, 0.1, 20, gen);
    CHECK(s.converged);
    CHECK(s.train.size() + s.validation.size() + s.test.size() == all.size());
    const double n = double(all.size());
    CHECK(double(s.test.size()) / n >= 0.2);
    CHECK(double(s.validation.size()) / n >= 0.1);
    CHECK(double(s.train.size()) / n > 0.4);
}
