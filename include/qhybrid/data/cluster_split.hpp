// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stress-test split for labelled rows whose sources (speakers, recordings) are unknown: it holds
// out whole regions of feature space instead of random rows. Features are standardised on all
// rows, each class is cut into k clusters by k-means, and whole clusters, taken in an order drawn
// from the seed, go to test until that class's test share reaches test_fraction, then to
// validation until its validation share reaches validation_fraction (both shares of the class's
// rows); the remaining clusters are the training rows. So test and validation rows lie in regions
// no training row comes from, a labelled proxy for data from unseen sources, and model choices
// made on validation face the same shift as the test. Each share overshoots its target by less
// than one cluster.
// Usage:
//   const auto s = data::cluster_holdout_split(rows, columns, std::span<const int>(labels), 0.2, 0.1, 20, gen);
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/kmeans.hpp"
#include "qhybrid/data/scaling.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

struct cluster_split_indices {
    std::vector<std::size_t> train, validation, test; // row indices, ascending
    std::vector<std::size_t> cluster;                 // per row: c * k + its cluster in class c (classes in label order)
    std::size_t clusters = 0;                         // k, per class
    bool converged = true;                            // k-means converged in every class
};

template <class Label>
cluster_split_indices cluster_holdout_split(std::span<const double> rows, std::size_t columns, std::span<const Label> labels,
                                            double test_fraction, double validation_fraction, std::size_t k, rng& gen,
                                            std::size_t max_iterations = 300) {
    const char* who = "cluster_holdout_split";
    detail::require_rows(rows, columns, who);
    require(rows.size() / columns == labels.size(), [&] {
        return "cluster_holdout_split: " + std::to_string(rows.size() / columns) + " rows but " + std::to_string(labels.size()) + " labels";
    });
    require(test_fraction > 0 && test_fraction < 1,
            [&] { return "cluster_holdout_split: test_fraction " + number(test_fraction) + " is not in (0, 1)"; });
    require(validation_fraction >= 0 && validation_fraction + test_fraction < 1, [&] {
        return "cluster_holdout_split: validation_fraction " + number(validation_fraction) + " is not in [0, 1 - test_fraction)";
    });
    require(k >= 1, [] { return std::string("cluster_holdout_split: k = 0 clusters"); });
    std::map<Label, std::vector<std::size_t>> by_class;
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
    std::size_t position = 0;
    for (const auto& [label, members] : by_class) {
        require(members.size() >= k, [&] {
            return "cluster_holdout_split: class #" + std::to_string(position) + " has " + std::to_string(members.size()) +
                   " rows, fewer than k = " + std::to_string(k);
        });
        ++position;
    }

    standard_scaler scaler; // on all rows: the clusters describe the data, not a training split
    scaler.fit(rows, columns);
    std::vector<double> z(rows.begin(), rows.end());
    scaler.transform(z);

    cluster_split_indices out;
    out.clusters = k;
    out.cluster.resize(labels.size());
    std::size_t c = 0;
    for (const auto& [label, members] : by_class) {
        std::vector<double> own;
        own.reserve(members.size() * columns);
        for (std::size_t r : members) own.insert(own.end(), z.begin() + long(r * columns), z.begin() + long((r + 1) * columns));
        const auto clustering = kmeans(own, columns, k, gen, max_iterations);
        out.converged &= clustering.converged;
        std::vector<std::size_t> order(k);
        std::iota(order.begin(), order.end(), std::size_t{0});
        gen.shuffle(std::span<std::size_t>(order));
        const double n = double(members.size());
        std::vector<std::vector<std::size_t>*> part_of(k);
        std::size_t held_test = 0, held_validation = 0, kept = 0;
        for (std::size_t j : order) {
            const std::size_t size = clustering.sizes[j];
            if (double(held_test) < test_fraction * n) part_of[j] = &out.test, held_test += size;
            else if (double(held_validation) < validation_fraction * n) part_of[j] = &out.validation, held_validation += size;
            else part_of[j] = &out.train, kept += size;
        }
        require(kept > 0, [&] {
            return "cluster_holdout_split: class #" + std::to_string(c) + ": holding out " + std::to_string(held_test) + " test and " +
                   std::to_string(held_validation) + " validation rows of " + std::to_string(members.size()) +
                   " in whole clusters leaves none for training; use more than k = " + std::to_string(k) + " clusters";
        });
        for (std::size_t i = 0; i < members.size(); ++i) {
            const std::size_t j = clustering.cluster[i];
            out.cluster[members[i]] = c * k + j;
            part_of[j]->push_back(members[i]);
        }
        ++c;
    }
    for (auto* part : {&out.train, &out.validation, &out.test}) std::sort(part->begin(), part->end());
    return out;
}

} // namespace qhybrid::data
