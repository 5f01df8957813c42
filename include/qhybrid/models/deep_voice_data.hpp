// SPDX-License-Identifier: Apache-2.0
#pragma once
// DEEP-VOICE as training data for the models: the CSV's rows as nn::labelled [rows, 26], and a
// split with a standard scaler fitted on its training rows (the models carry the scaler's scale
// and offset as their first layer). The rows are consecutive windows of the same recordings, so
// a random split leaks (data/deep_voice.hpp).
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/deep_voice.hpp"
#include "qhybrid/data/scaling.hpp"
#include "qhybrid/data/split.hpp"
#include "qhybrid/nn/train.hpp"

#include <filesystem>
#include <span>

namespace qhybrid::models {

inline nn::labelled<double> read_deep_voice_set(const std::filesystem::path& csv) {
    auto rows = data::read_deep_voice(csv);
    return {nn::tensor<double>({rows.size(), data::deep_voice_width}, std::move(rows.features)), std::move(rows.labels)};
}

struct deep_voice_split {
    nn::labelled<double> train, validation, test; // validation is empty unless asked for
    data::standard_scaler scaler;                 // fitted on train
};

// A stratified split drawn from `gen`: `test_fraction` of every class held out for testing, then
// `validation_fraction` (of all rows) of every class from the rest for validation. Without a
// validation split, `gen` is used exactly as before validation splits existed.
inline deep_voice_split split_deep_voice(const nn::labelled<double>& all, double test_fraction, rng& gen,
                                         double validation_fraction = 0) {
    require(validation_fraction >= 0 && validation_fraction + test_fraction < 1, [&] {
        return "split_deep_voice: validation " + number(validation_fraction) + " and test " + number(test_fraction) +
               " leave no training rows";
    });
    const auto s = data::stratified_split(std::span<const std::size_t>(all.y), test_fraction, gen);
    deep_voice_split out{nn::subset(all, std::span(s.train)), {}, nn::subset(all, std::span(s.test)), {}};
    if (validation_fraction > 0) {
        const auto v = data::stratified_split(std::span<const std::size_t>(out.train.y), validation_fraction / (1 - test_fraction), gen);
        out.validation = nn::subset(out.train, std::span(v.test));
        out.train = nn::subset(out.train, std::span(v.train));
    }
    out.scaler.fit(std::span<const double>(out.train.x.values()), data::deep_voice_width);
    return out;
}

} // namespace qhybrid::models
