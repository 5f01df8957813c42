#pragma once
// Min-max scaling of feature columns into [lo, hi], fitted on training rows only and then applied
// to any rows. A constant column maps to the middle of the range.
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

class min_max_scaler {
public:
    min_max_scaler(double lo, double hi) : lo_(lo), hi_(hi) {
        require(lo < hi, [] { return std::string("min_max_scaler: the target range must have lo < hi"); });
    }

    // Learns each column's minimum and maximum from row-major `rows` with `columns` columns.
    void fit(std::span<const double> rows, std::size_t columns) {
        require(columns > 0 && !rows.empty() && rows.size() % columns == 0, [&] {
            return "min_max_scaler::fit: " + std::to_string(rows.size()) + " values are not whole rows of " +
                   std::to_string(columns) + " columns";
        });
        min_.assign(rows.begin(), rows.begin() + columns);
        max_ = min_;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            min_[i % columns] = std::min(min_[i % columns], rows[i]);
            max_[i % columns] = std::max(max_[i % columns], rows[i]);
        }
    }

    // Scales row-major rows in place (values outside the fitted range land outside [lo, hi]).
    void transform(std::span<double> rows) const {
        const std::size_t columns = min_.size();
        require(columns > 0, [] { return std::string("min_max_scaler: transform before fit"); });
        require(rows.size() % columns == 0, [&] {
            return "min_max_scaler::transform: " + std::to_string(rows.size()) + " values are not whole rows of " +
                   std::to_string(columns) + " columns";
        });
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::size_t c = i % columns;
            const double span = max_[c] - min_[c];
            rows[i] = span > 0 ? lo_ + (hi_ - lo_) * (rows[i] - min_[c]) / span : (lo_ + hi_) / 2;
        }
    }

    const std::vector<double>& minimum() const noexcept { return min_; }
    const std::vector<double>& maximum() const noexcept { return max_; }

private:
    double lo_, hi_;
    std::vector<double> min_, max_;
};

} // namespace qhybrid::data
