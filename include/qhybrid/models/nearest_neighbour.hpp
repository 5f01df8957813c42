// SPDX-License-Identifier: Apache-2.0
#pragma once
// The 1-nearest-neighbour detector, a baseline with no training: a row gets the class of the
// nearest training row (Euclidean distance on features standardised by the training rows'
// scaler). Its score for class 1 is d0 / (d0 + d1), d_c the distance to the nearest training row
// of class c: above 1/2 exactly when the nearest row is of class 1 (1/2 on a tie), so thresholding
// it at 1/2 is the 1-NN rule, and its ROC curve and EER say how far apart the classes sit. If
// it scores near 1 on a split, that split's test rows have near-copies among the training rows.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/parallel.hpp"
#include "qhybrid/data/scaling.hpp"
#include "qhybrid/nn/train.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::models {

class nearest_neighbour {
public:
    // Keeps the training rows, scaled; `scaler` is fitted on them (or on whatever the caller
    // chose). Labels must be 0 or 1, and both classes present.
    nearest_neighbour(const nn::labelled<double>& train, const data::standard_scaler& scaler)
        : scaler_(scaler), columns_(scaler.columns()) {
        require(train.x.rank() == 2 && train.size() > 0 && train.x.dim(0) == train.size() && train.x.dim(1) == columns_, [&] {
            return "nearest_neighbour: training rows of shape " + nn::to_string(train.x.shape()) + " for " +
                   std::to_string(train.size()) + " labels and a scaler of " + std::to_string(columns_) + " columns";
        });
        for (std::size_t i = 0; i < train.size(); ++i)
            require(train.y[i] <= 1, [&] {
                return "nearest_neighbour: label " + std::to_string(i) + " is " + std::to_string(train.y[i]) + ", not 0 or 1";
            });
        for (std::size_t c = 0; c < 2; ++c) {
            for (std::size_t i = 0; i < train.size(); ++i)
                if (train.y[i] == c) rows_[c].insert(rows_[c].end(), train.x.row(i).begin(), train.x.row(i).end());
            require(!rows_[c].empty(), [&] { return "nearest_neighbour: no training row of class " + std::to_string(c); });
            scaler_.transform(rows_[c]);
        }
    }

    // The class-1 score of each row of x [rows, columns].
    std::vector<double> scores(const nn::tensor<double>& x) const {
        require(x.rank() == 2 && x.dim(1) == columns_, [&] {
            return "nearest_neighbour: rows of shape " + nn::to_string(x.shape()) + ", expected [rows, " + std::to_string(columns_) + "]";
        });
        std::vector<double> out(x.dim(0));
        parallel_chunks(out.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
            std::vector<double> q(columns_);
            for (std::size_t i = begin; i < end; ++i) {
                const auto row = x.row(i);
                std::copy(row.begin(), row.end(), q.begin());
                scaler_.transform(q);
                const double d0 = nearest(q, rows_[0]), d1 = nearest(q, rows_[1]);
                out[i] = d0 + d1 > 0 ? d0 / (d0 + d1) : 0.5;
            }
        });
        return out;
    }

private:
    double nearest(std::span<const double> q, const std::vector<double>& rows) const {
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t r = 0; r < rows.size(); r += columns_) {
            double s = 0;
            for (std::size_t c = 0; c < columns_ && s < best; ++c) {
                const double d = q[c] - rows[r + c];
                s += d * d;
            }
            best = std::min(best, s);
        }
        return std::sqrt(best);
    }

    data::standard_scaler scaler_;
    std::size_t columns_;
    std::vector<double> rows_[2]; // the training rows of each class, scaled
};

} // namespace qhybrid::models
