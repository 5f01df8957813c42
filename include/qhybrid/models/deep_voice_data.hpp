// SPDX-License-Identifier: Apache-2.0
#pragma once
// DEEP-VOICE as training data for the models: the CSV's rows as nn::labelled [rows, 26], and
// splits with a standard scaler fitted on their training rows (the models carry the scaler's
// scale and offset as their first layer). The file has no recording id, so every split shares
// speakers and recordings between train and test (data/deep_voice.hpp): split_deep_voice is the
// usual random split, which measures how well a model recognises these recordings;
// split_deep_voice_clusters holds out whole k-means clusters per class, a stress test standing
// in for unseen sources.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/cluster_split.hpp"
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

// data::cluster_holdout_split with `clusters` k-means clusters per class: `test_fraction` and
// `validation_fraction` of every class's rows (each overshot by less than one cluster) held out
// in whole clusters; validation is empty when validation_fraction is 0.
inline deep_voice_split split_deep_voice_clusters(const nn::labelled<double>& all, double test_fraction,
                                                  double validation_fraction, std::size_t clusters, rng& gen) {
    const auto s = data::cluster_holdout_split(std::span<const double>(all.x.values()), data::deep_voice_width,
                                               std::span<const std::size_t>(all.y), test_fraction, validation_fraction,
                                               clusters, gen);
    deep_voice_split out{nn::subset(all, std::span(s.train)), {}, nn::subset(all, std::span(s.test)), {}};
    if (!s.validation.empty()) out.validation = nn::subset(all, std::span(s.validation));
    out.scaler.fit(std::span<const double>(out.train.x.values()), data::deep_voice_width);
    return out;
}

} // namespace qhybrid::models
