#pragma once
// The MNIST data of the QShield and QNAD examples: only MNIST's 10,000-digit test split is at
// hand, so each seed splits it stratified 8,000 / 2,000 and takes 10% of the 8,000 (stratified)
// for validation: 7,199 train, 801 validation (each digit's 10% rounded), 2,000 test.
#include <qhybrid/qhybrid.hpp>

namespace mnist_splits {

struct seed_data {
    qhybrid::nn::labelled<double> train, validation, test;
};

// `train_rows` > 0 keeps only the first N training digits, `eval_rows` > 0 the first N validation
// and test digits (each split is shuffled): a quick run.
inline seed_data split(const qhybrid::data::mnist_digits& digits, std::uint64_t seed, std::size_t train_rows = 0, std::size_t eval_rows = 0) {
    namespace d = qhybrid::data;
    namespace nn = qhybrid::nn;
    nn::labelled<double> all{nn::tensor<double>({digits.size(), 1, d::mnist_digits::side, d::mnist_digits::side}, digits.pixels),
                             std::vector<std::size_t>(digits.labels.begin(), digits.labels.end())};
    qhybrid::rng gen(seed);
    const auto outer = d::stratified_split(std::span<const std::size_t>(all.y), 0.2, gen); // 8,000 / 2,000
    const nn::labelled<double> fit = nn::subset(all, outer.train);
    const auto inner = d::stratified_split(std::span<const std::size_t>(fit.y), 0.1, gen);
    auto first = [](std::vector<std::size_t> rows, std::size_t n) {
        if (n > 0 && n < rows.size()) rows.resize(n);
        return rows;
    };
    return {nn::subset(fit, first(inner.train, train_rows)), nn::subset(fit, first(inner.test, eval_rows)),
            nn::subset(all, first(outer.test, eval_rows))};
}

} // namespace mnist_splits
