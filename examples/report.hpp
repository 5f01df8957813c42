#pragma once
// CSV files in an output folder, for the examples' per-epoch curves and choices (their tables go
// through qhybrid::stats::seed_table).
#include <qhybrid/core/error.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace report {

// A CSV file in `folder` (created if needed) with the given header line.
class csv_file {
public:
    csv_file(const std::filesystem::path& folder, const std::string& name, const std::string& header)
        : path_(folder / name) {
        std::filesystem::create_directories(folder);
        out_.open(path_);
        qhybrid::require(bool(out_), [&] { return "cannot write " + path_.string(); });
        out_ << header << '\n';
    }
    template <class... Values>
    void row(const Values&... v) {
        std::size_t i = 0;
        ((out_ << (i++ ? "," : "") << v), ...);
        out_ << '\n';
    }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    std::ofstream out_;
};

} // namespace report
