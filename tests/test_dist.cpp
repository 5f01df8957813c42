// dist/: the codec against hand-made bytes and every truncation; the sweep on a group of
// simulated processes (threads meeting in the collectives) against a plain loop, bit for bit,
// with failures and checkpoints; the sum in part order against a loop. tests/mpi/ runs the same
// sweep under mpirun.
#include "thread_group.hpp"

#include <qhybrid/core/rng.hpp>
#include <qhybrid/dist/codec.hpp>
#include <qhybrid/dist/ordered_sum.hpp>
#include <qhybrid/dist/sweep.hpp>
#include <qhybrid/dist/world.hpp>

#include <boost/hana/define_struct.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>
#include <thread>
#include <unistd.h>

namespace dist = qhybrid::dist;
namespace fs = std::filesystem;
using simulated::on_processes;
using simulated::thread_group;

namespace {

struct metrics {
    BOOST_HANA_DEFINE_STRUCT(metrics, (double, accuracy), (std::vector<double>, per_class));
};

struct item_result {
    BOOST_HANA_DEFINE_STRUCT(item_result, (std::uint64_t, item), (std::string, name), (metrics, scores),
                             (std::vector<std::vector<float>>, curves), (std::pair<int, double>, best));
};

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool same(const item_result& a, const item_result& b) {
    if (a.item != b.item || a.name != b.name || !same_bits(a.scores.accuracy, b.scores.accuracy) || a.curves != b.curves ||
        a.best.first != b.best.first || !same_bits(a.best.second, b.best.second) || a.scores.per_class.size() != b.scores.per_class.size())
        return false;
    for (std::size_t i = 0; i < a.scores.per_class.size(); ++i)
        if (!same_bits(a.scores.per_class[i], b.scores.per_class[i])) return false;
    return true;
}

// An item's work: everything drawn from the item's own stream.
item_result work(std::size_t item) {
    auto gen = qhybrid::rng::stream(42, item);
    item_result r{.item = item, .name = "item " + std::to_string(item), .scores = {gen.uniform(), {}}, .curves = {}, .best = {}};
    for (std::size_t k = 0; k < item % 4; ++k) r.scores.per_class.push_back(gen.normal());
    r.curves.assign(item % 3, std::vector<float>(item % 5, float(gen.uniform())));
    r.best = {int(gen.below(100)), gen.normal()};
    return r;
}

std::vector<item_result> serial(std::size_t n) {
    std::vector<item_result> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(work(i));
    return out;
}

bool same(const std::vector<item_result>& a, const std::vector<item_result>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

fs::path fresh_folder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("simulated_dist_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(dir);
    return dir;
}

} // namespace

TEST_CASE("codec: numbers, strings, containers and Hana structs round-trip bit for bit") {
    std::string bytes;
    const double odd[] = {-0.0, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::infinity(),
                          std::bit_cast<double>(std::uint64_t{0x7ff8dead0000beef})};
    for (double v : odd) dist::encode(bytes, v);
    dist::byte_reader in(bytes, "odd numbers");
    for (double v : odd) CHECK(same_bits(dist::decode<double>(in), v));
    CHECK(in.left() == 0);

    const item_result r = work(7);
    std::string encoded;
    dist::encode(encoded, r);
    CHECK(same(dist::decode_all<item_result>(encoded, "item 7"), r));

    const std::tuple<std::array<std::int16_t, 3>, std::string, std::vector<std::string>> t{{-1, 2, -3}, "", {"a", "", "bc"}};
    std::string tb;
    dist::encode(tb, t);
    CHECK(dist::decode_all<std::remove_cv_t<decltype(t)>>(tb, "tuple") == t);
    // The layout is fixed: a count, then the elements.
    std::string vb;
    dist::encode(vb, std::vector<std::uint8_t>{9, 8});
    CHECK(vb == std::string("\x02\0\0\0\0\0\0\0\x09\x08", 10));
    STATIC_REQUIRE(dist::codec<item_result>::min_bytes == 8 + 8 + (8 + 8) + 8 + (4 + 8));
}

TEST_CASE("codec: every truncation, a count the bytes cannot hold and trailing bytes are errors naming the buffer") {
    std::string encoded;
    dist::encode(encoded, work(11));
    for (std::size_t n = 0; n < encoded.size(); ++n)
        CHECK_THROWS_WITH(dist::decode_all<item_result>(std::string_view(encoded).substr(0, n), "cut result"),
                          Catch::StartsWith("cut result: "));
    CHECK_THROWS_WITH(dist::decode_all<item_result>(encoded + "x", "long result"), "long result: 1 bytes after the value");

    std::string huge;
    dist::encode(huge, std::uint64_t{1} << 60); // a vector of 2^60 doubles in 8 bytes
    dist::encode(huge, 1.0);
    CHECK_THROWS_WITH(dist::decode_all<std::vector<double>>(huge, "claims.bin"),
                      "claims.bin: a vector holds 1152921504606846976 elements, the 8 bytes left hold at most 1");
}

TEST_CASE("sweep: one to five processes give the items' results in item order, the same bits as a loop") {
    const auto expected = serial(13);
    for (std::size_t processes = 1; processes <= 5; ++processes) {
        const auto [results, errors] =
            on_processes(processes, [](const thread_group& g) { return dist::sweep(g, 13, [](std::size_t i) { return work(i); }); });
        for (std::size_t p = 0; p < processes; ++p) {
            INFO("process " << p << " of " << processes);
            CHECK(errors[p].empty());
            REQUIRE(results[p].has_value());
            CHECK(same(*results[p], expected));
        }
    }
    CHECK(dist::sweep(dist::world(), 0, [](std::size_t i) { return work(i); }).empty());
    CHECK(same(dist::sweep(dist::world(), 4, [](std::size_t i) { return work(i); }), serial(4)));
}

TEST_CASE("sweep: a failed item is reported by every process as the first failure in item order") {
    for (std::size_t processes : {1, 2, 3}) {
        std::atomic<std::size_t> after_failure{0};
        const auto [results, errors] = on_processes(processes, [&](const thread_group& g) {
            return dist::sweep(g, 12, [&](std::size_t i) {
                if (i > 5 && i % processes == 5 % processes) ++after_failure; // the failing process's later items
                if (i == 5 || i == 8) throw qhybrid::error("bad item " + std::to_string(i));
                return work(i);
            });
        });
        for (std::size_t p = 0; p < processes; ++p) {
            CHECK_FALSE(results[p].has_value());
            CHECK(errors[p] == "dist::sweep: item 5 failed: bad item 5");
        }
        CHECK(after_failure == 0);
    }
}

TEST_CASE("sweep: a checkpoint resumes an interrupted sweep on any number of processes, with the same bits") {
    const fs::path dir = fresh_folder("resume");
    const dist::sweep_options o{.checkpoint = dir, .key = "test sweep, seed 42"};
    std::atomic<std::size_t> runs{0};
    const auto counted = [&](std::size_t i) { return ++runs, work(i); };
    // Interrupted: item 6 fails on the first run, on 3 processes.
    on_processes(3, [&](const thread_group& g) {
        return dist::sweep(g, 10, [&](std::size_t i) {
            if (i == 6) throw qhybrid::error("interrupted");
            return counted(i);
        }, o);
    });
    CHECK(runs == 8); // item 9, after 6 on its process, was not run
    CHECK_FALSE(fs::exists(dir / "item-6.bin"));
    CHECK_FALSE(fs::exists(dir / "item-9.bin"));
    // Resumed on 2 processes: only the two missing items run.
    runs = 0;
    const auto [resumed, errors] = on_processes(2, [&](const thread_group& g) { return dist::sweep(g, 10, counted, o); });
    CHECK(runs == 2);
    CHECK(same(*resumed[0], serial(10)));
    CHECK(same(*resumed[1], serial(10)));
    // Complete: nothing runs, on one process.
    runs = 0;
    CHECK(same(dist::sweep(dist::world(), 10, counted, o), serial(10)));
    CHECK(runs == 0);
    for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().extension() == ".bin"); // no partial files left
    fs::remove_all(dir);
}

TEST_CASE("sweep: a checkpoint of another sweep, size or item, or a damaged one, is refused naming the file") {
    const fs::path dir = fresh_folder("refused");
    const auto run = [&](std::size_t n, std::string key) {
        return dist::sweep(dist::world(), n, [](std::size_t i) { return work(i); }, {.checkpoint = dir, .key = key});
    };
    run(3, "sweep A");
    const std::string file = (dir / "item-0.bin").string();
    CHECK_THROWS_WITH(run(3, "sweep B"),
                      "dist::sweep: item 0 failed: " + file + ": key \"sweep A\", this sweep's is \"sweep B\" (another sweep's checkpoint?)");
    CHECK_THROWS_WITH(run(4, "sweep A"), "dist::sweep: item 0 failed: " + file + ": items 3, this sweep has 4");
    fs::copy_file(dir / "item-2.bin", dir / "item-1.bin", fs::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(run(3, "sweep A"), "dist::sweep: item 1 failed: " + (dir / "item-1.bin").string() + ": item 2, the file name says 1");

    // A folder that cannot be made (a file is in the way): every process gets the error.
    const fs::path blocked = dir / "item-0.bin" / "sub";
    const auto [none, errors] = on_processes(2, [&](const thread_group& g) {
        return dist::sweep(g, 3, [](std::size_t i) { return work(i); }, {.checkpoint = blocked, .key = "sweep A"});
    });
    for (const auto& e : errors) CHECK_THAT(e, Catch::StartsWith("dist::sweep: cannot create the checkpoint folder " + blocked.string()));

    const std::string bytes = dist::checkpoint_bytes("k", 5, 3, work(3));
    CHECK(same(dist::read_checkpoint<item_result>(bytes, "f", "k", 5, 3), work(3)));
    for (std::size_t n = 0; n < bytes.size(); ++n)
        CHECK_THROWS_WITH(dist::read_checkpoint<item_result>(bytes.substr(0, n), "cut.bin", "k", 5, 3), Catch::StartsWith("cut.bin: "));
    CHECK_THROWS_WITH(dist::read_checkpoint<item_result>("PK\x03\x04", "zip.bin", "k", 5, 3),
                      "zip.bin: not a qhybrid sweep checkpoint (its first line is not \"qhybrid sweep item 1\")");
    fs::remove_all(dir);
}

TEST_CASE("sum_in_part_order: parts made on 1 to 5 processes add up to the same bits as a loop in part order") {
    // 7 parts, part 4 absent; lengths below, at and above the process counts (empty segments).
    for (const std::size_t length : {3, 5, 61}) {
        const auto values = [&](std::size_t p) {
            qhybrid::rng gen = qhybrid::rng::stream(9, p);
            std::vector<double> v(length);
            for (auto& x : v) x = gen.normal() * std::pow(10.0, double(gen.below(12)) - 6); // magnitudes that round differently in another order
            return v;
        };
        std::vector<double> expected = values(0);
        for (std::size_t p = 1; p < 7; ++p)
            if (p != 4)
                for (std::size_t i = 0; i < length; ++i) expected[i] += values(p)[i];
        for (std::size_t processes = 1; processes <= 5; ++processes) {
            const auto [sums, errors] = on_processes(processes, [&](const thread_group& g) {
                std::vector<dist::numbered_part<double>> mine;
                for (std::size_t p = g.rank(); p < 7; p += g.size())
                    if (p != 4) mine.push_back({p, values(p)});
                return dist::sum_in_part_order(g, 7, std::span<const dist::numbered_part<double>>(mine), length);
            });
            for (std::size_t r = 0; r < processes; ++r) {
                INFO(length << " values, " << processes << " processes, rank " << r << ": " << errors[r]);
                REQUIRE(sums[r].has_value());
                CHECK(std::memcmp(sums[r]->data(), expected.data(), length * sizeof(double)) == 0);
            }
        }
    }
    const std::vector<dist::numbered_part<double>> wrong{{3, {1.0, 2.0}}}; // parts 0-2 only
    CHECK_THROWS_WITH(dist::sum_in_part_order(dist::world(), 3, std::span<const dist::numbered_part<double>>(wrong), 2),
                      Catch::Contains("part 3 of 2 values on rank 0 (parts 3, length 2)"));
    CHECK_THROWS_WITH(dist::world().all_to_all({"a", "b"}), "dist::world::all_to_all: 2 parts for 1 processes");
    CHECK(dist::world().all_to_all({"a"}) == std::vector<std::string>{"a"});
}
