#pragma once
// CSV files in an output folder, for the examples' per-epoch curves and choices (their tables go
// through qhybrid::stats::seed_table).
#include <qhybrid/core/error.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace report {

// One CSV line (with its newline), numbers as an ostream writes them.
template <class... Values>
std::string csv_line(const Values&... v) {
    std::ostringstream out;
    std::size_t i = 0;
    ((out << (i++ ? "," : "") << v), ...);
    out << '\n';
    return out.str();
}

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
        out_ << csv_line(v...);
    }
    void lines(const std::string& text) { out_ << text; } // rows made by csv_line
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    std::ofstream out_;
};

} // namespace report
