#pragma once
// What the examples share when they report: mean and standard deviation over seeds, and CSV
// files in an output folder.
#include <qhybrid/core/error.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace report {

struct spread {
    double mean = 0, sd = 0; // sample standard deviation (n - 1); 0 for one value
};

inline spread mean_sd(const std::vector<double>& v) {
    spread s;
    if (v.empty()) return s;
    for (double x : v) s.mean += x;
    s.mean /= double(v.size());
    if (v.size() > 1) {
        for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
        s.sd = std::sqrt(s.sd / double(v.size() - 1));
    }
    return s;
}

// "0.9812 +- 0.0031"
inline std::string format(const std::vector<double>& v, int digits = 4) {
    const spread s = mean_sd(v);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f +- %.*f", digits, s.mean, digits, s.sd);
    return buf;
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
