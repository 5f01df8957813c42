#pragma once
// An example's seeds as a dist::sweep: each seed one item that returns its report text and its
// rows of the seed tables, so that the seeds split over the processes of an MPI job (mpirun -np N,
// a build with QHYBRID_MPI) and a --checkpoint folder lets an interrupted run resume. The tables
// and CSV files are the same bits for any number of processes.
//
// Output: rank 0 prints the reports of its own seeds as they run, then, in seed order, those of
// the seeds other processes ran or the checkpoint held. One process prints as a plain loop would.
#include <qhybrid/dist/sweep.hpp>
#include <qhybrid/dist/world.hpp>
#include <qhybrid/stats/seed_table.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace seed_sweep {

struct table_row {
    BOOST_HANA_DEFINE_STRUCT(table_row, (std::uint32_t, table), (std::string, model), (std::vector<double>, values), (std::uint8_t, failed));
};

struct seed_result {
    BOOST_HANA_DEFINE_STRUCT(seed_result, (std::string, report), (std::vector<table_row>, rows));
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
        result_.rows.push_back({table, std::move(model), std::move(values), std::uint8_t(failed)});
    }

    seed_result take() && { return std::move(result_); }

private:
    std::uint64_t seed_;
    bool live_;
    seed_result result_;
};

// Runs body(seed_output&) for seeds first..last over the job's processes and adds every seed's
// rows to `tables` in seed order, on every process. `key` names the settings for the checkpoint:
// a folder made with other settings is refused.
template <class Body>
void run(const qhybrid::dist::world& world, std::uint64_t first, std::uint64_t last, std::vector<qhybrid::stats::seed_table*> tables,
         const std::string& checkpoint, const std::string& key, Body&& body) {
    std::set<std::size_t> printed;
    const auto results = qhybrid::dist::sweep(world, std::size_t(last - first + 1), [&](std::size_t item) {
        seed_output out(first + item, world.root());
        body(out);
        if (world.root()) printed.insert(item);
        return std::move(out).take();
    }, {.checkpoint = checkpoint, .key = key});
    for (std::size_t item = 0; item < results.size(); ++item) {
        if (world.root() && !printed.contains(item)) std::fputs(results[item].report.c_str(), stdout);
        for (const auto& r : results[item].rows) {
            qhybrid::require(r.table < tables.size(), [&] { return "seed_sweep: table " + std::to_string(r.table) + " out of range"; });
            tables[r.table]->add(r.model, first + item, r.values, r.failed != 0);
        }
    }
    std::fflush(stdout);
}

} // namespace seed_sweep
