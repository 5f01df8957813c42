// SPDX-License-Identifier: Apache-2.0
#pragma once
// Stratified train/test splits and stratified k-fold cross-validation: every class keeps its
// share in every part.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"

#include <cmath>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

struct split_indices {
    std::vector<std::size_t> train, test;
};

// Puts round(test_fraction * n_c) of the n_c rows of each class c, drawn with `gen`, into test.
template <class Label>
split_indices stratified_split(std::span<const Label> labels, double test_fraction, rng& gen) {
    require(test_fraction > 0 && test_fraction < 1,
            [&] { return "stratified_split: test_fraction " + number(test_fraction) + " is not in (0, 1)"; });
    std::map<Label, std::vector<std::size_t>> by_class;
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
    split_indices s;
    for (auto& [label, rows] : by_class) {
        gen.shuffle(std::span<std::size_t>(rows));
        const auto n_test = static_cast<std::size_t>(std::llround(test_fraction * double(rows.size())));
        s.test.insert(s.test.end(), rows.begin(), rows.begin() + n_test);
        s.train.insert(s.train.end(), rows.begin() + n_test, rows.end());
    }
    gen.shuffle(std::span<std::size_t>(s.train));
    gen.shuffle(std::span<std::size_t>(s.test));
    return s;
}

// k folds for cross-validation: each class's rows, shuffled with `gen`, are dealt to the folds in
// turn, so fold sizes differ by at most one per class; fold f tests on its rows and trains on
// all others.
template <class Label>
std::vector<split_indices> stratified_k_fold(std::span<const Label> labels, std::size_t k, rng& gen) {
    require(k >= 2 && k <= labels.size(), [&] {
        return "stratified_k_fold: " + std::to_string(k) + " folds for " + std::to_string(labels.size()) + " rows";
    });
    std::map<Label, std::vector<std::size_t>> by_class;
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
    std::vector<std::size_t> fold_of(labels.size());
    std::size_t next = 0; // continue dealing where the previous class stopped, to balance fold sizes
    for (auto& [label, rows] : by_class) {
        gen.shuffle(std::span<std::size_t>(rows));
        for (std::size_t r : rows) fold_of[r] = next++ % k;
    }
    std::vector<split_indices> folds(k);
    for (std::size_t i = 0; i < labels.size(); ++i)
        for (std::size_t f = 0; f < k; ++f) (fold_of[i] == f ? folds[f].test : folds[f].train).push_back(i);
    for (auto& f : folds) {
        gen.shuffle(std::span<std::size_t>(f.train));
        gen.shuffle(std::span<std::size_t>(f.test));
    }
    return folds;
}

} // namespace qhybrid::data
