#pragma once
// An example's seeds as a dist::sweep: each seed one item (or `parts` items, for seeds longer
// than a sitting) that returns its report text, its rows of the seed tables, its lines of other
// files and its counts (warnings), so that the seeds split over the processes of an MPI job
// (mpirun -np N, a build with QHYBRID_MPI) and a --checkpoint folder lets an interrupted run resume.
// The tables and CSV files are the same bits for any number of processes.
//
// Output: rank 0 prints the reports of its own seeds as they run, then, in seed order, those of
// the seeds other processes ran or the checkpoint held. One process prints as a plain loop would.
#include <qhybrid/dist/sweep.hpp>
#include <qhybrid/dist/world.hpp>
#include <qhybrid/nn/layer.hpp>
#include <qhybrid/stats/seed_table.hpp>
#include <qhybrid/version.hpp>

#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace seed_sweep {

struct table_row {
    BOOST_HANA_DEFINE_STRUCT(table_row, (std::uint32_t, table), (std::string, model), (std::vector<double>, values), (std::uint8_t, failed),
                             (std::uint8_t, mean)); // mean: a part's values of a row that is the mean over the parts giving it
};

struct seed_result {
    BOOST_HANA_DEFINE_STRUCT(seed_result, (std::string, report), (std::vector<table_row>, rows), (std::vector<std::string>, files),
                             (std::vector<std::uint64_t>, counts), (std::string, kept)); // kept: bytes for the seed's finish step
};

// Where the seeds' outputs go, in seed order: tables, the text of other files, counters.
struct outputs {
    std::vector<qhybrid::stats::seed_table*> tables;
    std::vector<std::string*> files = {};
    std::vector<std::size_t*> counts = {};
};

// A checkpoint's key: the program, qhybrid's version and every setting a seed's results depend on,
// so that a folder made with other settings is refused.
class key {
public:
    explicit key(const std::string& program) : text_(program + " " QHYBRID_VERSION) {}

    // A setting: a number, a string, or a list of either.
    template <class T>
    key& with(const char* name, const T& value) {
        text_.append(", ").append(name); // appends, not " " + piece(v): GCC 12's false -Wrestrict on operator+
        if constexpr (!std::is_convertible_v<const T&, std::string> && requires { value.begin(); })
            for (const auto& v : value) text_.append(" ").append(piece(v));
        else text_.append(" ").append(piece(value));
        return *this;
    }

    const std::string& str() const noexcept { return text_; }

private:
    template <class T>
    static std::string piece(const T& v) {
        if constexpr (std::is_convertible_v<const T&, std::string>) return std::string(v);
        else return qhybrid::number(double(v));
    }

    std::string text_;
};

// One seed's output: its report (printed as it comes when `live`) and its table rows.
class seed_output {
public:
    seed_output(std::uint64_t seed, bool live) : seed_(seed), live_(live) {}

    std::uint64_t seed() const noexcept { return seed_; }

    [[gnu::format(printf, 2, 3)]] void print(const char* format, ...) {
        std::va_list args, again;
        va_start(args, format);
        va_copy(again, args);
        const int n = std::vsnprintf(nullptr, 0, format, args);
        va_end(args);
        std::string text(std::size_t(n > 0 ? n : 0), '\0');
        std::vsnprintf(text.data(), text.size() + 1, format, again);
        va_end(again);
        result_.report += text;
        if (live_) std::fputs(text.c_str(), stdout), std::fflush(stdout);
    }

    // A row of table number `table` (the order run() was given the tables).
    void add(std::uint32_t table, std::string model, std::vector<double> values, bool failed = false) {
        result_.rows.push_back({table, std::move(model), std::move(values), std::uint8_t(failed), 0});
    }

    // This part's values of a row that is the mean over the seed's parts that give it: summed in
    // part order from zeros, then divided by their count (as a loop over the parts would).
    void add_to_mean(std::uint32_t table, std::string model, std::vector<double> values) {
        result_.rows.push_back({table, std::move(model), std::move(values), 0, 1});
    }

    // Text for file number `file`, and n more of counter number `counter`.
    void append(std::uint32_t file, const std::string& text) {
        if (result_.files.size() <= file) result_.files.resize(file + 1);
        result_.files[file] += text;
    }
    void count(std::uint32_t counter, std::uint64_t n) {
        if (result_.counts.size() <= counter) result_.counts.resize(counter + 1);
        result_.counts[counter] += n;
    }

    // Bytes (dist::encode) for the seed's finish step, which sees every part's.
    void keep(std::string bytes) { result_.kept = std::move(bytes); }

    seed_result take() && { return std::move(result_); }

private:
    std::uint64_t seed_;
    bool live_;
    seed_result result_;
};

// A trained model's weights as a sweep item returned them (nn::weight_values) back into a model of
// the same architecture. They may come from a checkpoint: a wrong count is an error naming `whose`.
template <class T>
void restore_weights(qhybrid::nn::layer<T>& net, const std::vector<double>& values, const std::string& whose) {
    try {
        qhybrid::nn::set_weight_values(net, std::span<const T>(std::vector<T>(values.begin(), values.end())));
    } catch (const qhybrid::error& e) {
        throw qhybrid::error(whose + ": " + e.what());
    }
}

// No finish step: a seed's output is its parts'.
struct no_finish {
    void operator()(seed_output&, const std::vector<std::string>&) const {}
};

// Runs body(seed_output&, part) for parts 0..parts-1 of seeds first..last over the job's processes,
// each (seed, part) an item of its own, and adds every seed's outputs to `to` in seed order, on
// every process. A part's rows may be pieces of a row: the pieces of one model's row in one table
// are joined in part order, or averaged (add_to_mean). Then, on every process, finish(output,
// kept) turns the bytes the parts kept (seed_output::keep, in part order) into more output of the
// seed (blocks of rows joined, say): it must be cheap, and it runs again on a resumed run. `key`
// names the settings for the checkpoint: a folder made with other settings is refused.
template <class Body, class Finish = no_finish>
void run(const qhybrid::dist::world& world, std::uint64_t first, std::uint64_t last, std::size_t parts, const outputs& to,
         const std::string& checkpoint, const std::string& key, Body&& body, Finish&& finish = {}) {
    qhybrid::require(parts > 0, [] { return std::string("seed_sweep: no parts in a seed"); });
    std::set<std::size_t> printed;
    const auto results = qhybrid::dist::sweep(world, std::size_t(last - first + 1) * parts, [&](std::size_t item) {
        seed_output out(first + item / parts, world.root());
        body(out, item % parts);
        if (world.root()) printed.insert(item);
        return std::move(out).take();
    }, {.checkpoint = checkpoint, .key = key});
    const auto within = [](std::size_t i, std::size_t n, const char* what) { // a checkpoint's numbers are input
        qhybrid::require(i < n, [&] { return std::string("seed_sweep: ") + what + " " + std::to_string(i) + " out of range"; });
    };
    for (std::size_t seed = 0; seed * parts < results.size(); ++seed) {
        std::vector<table_row> rows; // the seed's rows, pieces joined
        std::vector<std::size_t> pieces;
        const auto add = [&](const seed_result& r) {
            for (const auto& piece : r.rows) {
                within(piece.table, to.tables.size(), "table");
                auto same = std::find_if(rows.begin(), rows.end(), [&](const table_row& row) {
                    return row.table == piece.table && row.model == piece.model;
                });
                if (same == rows.end()) { // empty: a join appends to nothing, a mean adds to zeros
                    table_row fresh{piece.table, piece.model, std::vector<double>(piece.mean ? piece.values.size() : 0, 0.0), 0, piece.mean};
                    same = rows.insert(rows.end(), std::move(fresh)), pieces.push_back(0);
                }
                qhybrid::require(same->mean == piece.mean && (!piece.mean || same->values.size() == piece.values.size()), [&] {
                    return "seed_sweep: the pieces of " + piece.model + "'s row mix a mean and a join, or differ in length";
                });
                ++pieces[std::size_t(same - rows.begin())];
                if (!piece.mean) same->values.insert(same->values.end(), piece.values.begin(), piece.values.end());
                else
                    for (std::size_t k = 0; k < piece.values.size(); ++k) same->values[k] += piece.values[k];
                same->failed |= piece.failed;
            }
            within(r.files.size(), to.files.size() + 1, "file count");
            for (std::size_t f = 0; f < r.files.size(); ++f) *to.files[f] += r.files[f];
            within(r.counts.size(), to.counts.size() + 1, "counter count");
            for (std::size_t c = 0; c < r.counts.size(); ++c) *to.counts[c] += r.counts[c];
        };
        std::vector<std::string> kept;
        for (std::size_t item = seed * parts; item < (seed + 1) * parts; ++item) {
            if (world.root() && !printed.contains(item)) std::fputs(results[item].report.c_str(), stdout);
            add(results[item]);
            kept.push_back(results[item].kept);
        }
        if (world.root()) std::fflush(stdout);
        seed_output finishing(first + seed, world.root()); // prints as it goes on rank 0, after the parts' reports
        finish(finishing, kept);
        add(std::move(finishing).take());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            auto& row = rows[i];
            if (row.mean)
                for (double& v : row.values) v /= double(pieces[i]);
            to.tables[row.table]->add(row.model, first + seed, row.values, row.failed != 0);
        }
    }
    std::fflush(stdout);
}

// A seed as one item: body(seed_output&).
template <class Body>
void run(const qhybrid::dist::world& world, std::uint64_t first, std::uint64_t last, const outputs& to, const std::string& checkpoint,
         const std::string& key, Body&& body) {
    run(world, first, last, 1, to, checkpoint, key, [&](seed_output& out, std::size_t) { body(out); });
}

} // namespace seed_sweep
