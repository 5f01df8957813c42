#pragma once
// Stratified train/test split: every class keeps its share in both parts.
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
            [&] { return "stratified_split: test_fraction " + std::to_string(test_fraction) + " is not in (0, 1)"; });
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

} // namespace qhybrid::data
