// SPDX-License-Identifier: Apache-2.0
#pragma once
// Feature scaling fitted on training rows only, then applied to any rows: a per-column affine
// map x * scale + offset. min_max_scaler maps the training range onto [lo, hi] (a constant
// column maps to the middle); standard_scaler subtracts the training mean and divides by the
// population standard deviation, as scikit-learn's StandardScaler does (a constant column keeps
// scale 1). The fitted scale and offset are plain vectors, so a model can carry them: see
// nn::feature_scaling, which saves them with the model's weights.
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

class feature_scaler {
public:
    // Scales row-major rows in place (values outside the fitted range land outside it).
    void transform(std::span<double> rows) const {
        require(!scale_.empty(), [&] { return name_ + ": transform before fit"; });
        check_rows(rows.size(), scale_.size(), "transform");
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = rows[i] * scale_[i % scale_.size()] + offset_[i % scale_.size()];
    }

    std::size_t columns() const noexcept { return scale_.size(); }
    const std::vector<double>& scale() const noexcept { return scale_; }
    const std::vector<double>& offset() const noexcept { return offset_; }

protected:
    explicit feature_scaler(std::string name) : name_(std::move(name)) {}

    void check_rows(std::size_t values, std::size_t columns, const char* who) const {
        require(columns > 0 && values > 0 && values % columns == 0, [&] {
            return name_ + "::" + who + ": " + std::to_string(values) + " values are not whole rows of " +
                   std::to_string(columns) + " columns";
        });
    }

    std::string name_;
    std::vector<double> scale_, offset_;
};

class min_max_scaler : public feature_scaler {
public:
    min_max_scaler(double lo, double hi) : feature_scaler("min_max_scaler"), lo_(lo), hi_(hi) {
        require(lo < hi, [] { return std::string("min_max_scaler: the target range must have lo < hi"); });
    }

    void fit(std::span<const double> rows, std::size_t columns) {
        check_rows(rows.size(), columns, "fit");
        std::vector<double> min(rows.begin(), rows.begin() + long(columns)), max = min;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            min[i % columns] = std::min(min[i % columns], rows[i]);
            max[i % columns] = std::max(max[i % columns], rows[i]);
        }
        scale_.assign(columns, 0.0);
        offset_.assign(columns, (lo_ + hi_) / 2);
        for (std::size_t c = 0; c < columns; ++c)
            if (max[c] > min[c]) {
                scale_[c] = (hi_ - lo_) / (max[c] - min[c]);
                offset_[c] = lo_ - min[c] * scale_[c];
            }
    }

private:
    double lo_, hi_;
};

class standard_scaler : public feature_scaler {
public:
    standard_scaler() : feature_scaler("standard_scaler") {}

    void fit(std::span<const double> rows, std::size_t columns) {
        check_rows(rows.size(), columns, "fit");
        const double n = double(rows.size() / columns);
        std::vector<double> mean(columns, 0.0), var(columns, 0.0);
        for (std::size_t i = 0; i < rows.size(); ++i) mean[i % columns] += rows[i] / n;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const double d = rows[i] - mean[i % columns];
            var[i % columns] += d * d / n;
        }
        scale_.resize(columns);
        offset_.resize(columns);
        for (std::size_t c = 0; c < columns; ++c) {
            const double sd = std::sqrt(var[c]);
            scale_[c] = sd > 0 ? 1 / sd : 1.0;
            offset_[c] = -mean[c] * scale_[c];
        }
    }
};

} // namespace qhybrid::data
