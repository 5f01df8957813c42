#pragma once
// The FSDD data of the CLI's models: digits (QC-CNN, its baseline) or speakers (the speaker CNN),
// the official split, 15% of each class of the official training recordings validating (drawn
// from the seed), all standardised with the mean and deviation of every official training
// recording so that the test images do not depend on the seed.
#include "../fsdd_spectrograms.hpp"

#include <string>

namespace cli {

enum class fsdd_task { digits, speakers };

struct fsdd_split {
    qhybrid::nn::labelled<double> train, validation, test;
};

inline fsdd_split split_fsdd(const std::string& data, std::uint64_t seed, fsdd_task task) {
    namespace d = qhybrid::data;
    const d::fsdd set(d::require_data(d::data_root(data), "fsdd/recordings").parent_path());
    const auto s = fsdd_spectrograms::features(set);
    const auto& labels = task == fsdd_task::digits ? s.digit : s.speaker;
    const auto [train, validation] = fsdd_spectrograms::validation_split(set.train(), labels, 0.15, seed);
    const auto [mean, sd] = s.moments(set.train());
    return {s.images(train, labels, mean, sd), s.images(validation, labels, mean, sd), s.images(set.test(), labels, mean, sd)};
}

} // namespace cli
