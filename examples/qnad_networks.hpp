#pragma once
// The networks examples/qnad.cpp reads through a device, each with its data loaded once: a
// seed's trained network, its training rows (which rank the weights), its test rows, and the
// units of an attack's budget.
// - lenet5: LeNet-5 on MNIST, the split of mnist_splits.hpp; budgets in pixel intensity [0, 1].
// - fsdd-cnn: the FSDD digit CNN on log-mel features, trained as examples/fsdd_cnn.cpp trains it
//   (fsdd_spectrograms.hpp); budgets in dB of log-mel power, within the front end's range; the test
//   recordings with the digits in turn, so that the first N attacked are balanced.
// - deep-voice: the DEEP-VOICE detector's CNN (models::deep_voice_cnn) on standardised features,
//   the `qhybrid train` recipe (20% test, 10% validation of every class; Adam 3e-3, batch 64);
//   budgets in training standard deviations, within the standardised range of the rows.
#include "fsdd_spectrograms.hpp"
#include "mnist_splits.hpp"

#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/deep_voice_data.hpp>
#include <qhybrid/models/lenet.hpp>

#include <algorithm>
#include <optional>
#include <string>

namespace qnad_networks {

namespace nn = qhybrid::nn;

struct seed_network {
    nn::sequential<double> net;
    std::size_t epochs = 0;
    nn::labelled<double> train, test;
    double unit = 1, lo = 0, hi = 1; // a budget epsilon moves the inputs by epsilon / unit, within [lo, hi]

    qhybrid::robust::threat threat(double epsilon) const { return {.epsilon = epsilon / unit, .lo = lo, .hi = hi}; }
};

class networks {
public:
    networks(const std::string& kind, const std::filesystem::path& root) {
        namespace d = qhybrid::data;
        if (kind == "lenet5") mnist_ = d::read_mnist(root);
        else if (kind == "fsdd-cnn") {
            fsdd_.emplace(d::require_data(root, "fsdd/recordings").parent_path());
            spectra_ = fsdd_spectrograms::features(*fsdd_);
        } else if (kind == "deep-voice")
            voices_ = qhybrid::models::read_deep_voice_set(d::require_data(root, "deep-voice/DATASET-balanced.csv"));
        else
            throw qhybrid::error("qnad: no network " + kind + " (lenet5, fsdd-cnn or deep-voice)");
    }

    std::string name() const { return mnist_ ? "LeNet-5" : fsdd_ ? "FSDD CNN" : "detector CNN"; }
    std::string description() const {
        if (mnist_) return "LeNet-5 on MNIST (per seed 7,199 train / 801 validation / 2,000 test of the test split)";
        if (fsdd_) return "the FSDD digit CNN on log-mel features (the 300 official test recordings; 15% of each digit's training recordings validate)";
        return "the DEEP-VOICE detector's CNN on standardised features (20% of each class tests, 10% validates)";
    }
    std::size_t classes() const { return voices_ ? 2 : 10; }
    std::string unit() const { return mnist_ ? "" : fsdd_ ? " dB" : " sd"; }
    std::vector<double> default_eps() const { return mnist_ ? std::vector<double>{0.1, 0.3} : fsdd_ ? std::vector<double>{1, 2} : std::vector<double>{0.1, 0.25}; }
    // APGD-CE's epsilon sweep, up to a budget that must fool every correct row.
    std::vector<double> sweep() const {
        return mnist_ ? std::vector<double>{0.05, 0.1, 0.2, 0.3, 0.5}
                      : fsdd_ ? std::vector<double>{0.5, 1, 2, 4, 8} : std::vector<double>{0.05, 0.1, 0.25, 0.5, 1, 2};
    }
    std::size_t default_epochs() const { return mnist_ ? 30 : fsdd_ ? 100 : 200; }

    // The network of a seed, trained with early stopping (the best epoch restored) for at most
    // `epochs` epochs (0: the network's default) on the first `train_rows` training rows (0: all).
    seed_network train(std::uint64_t seed, std::size_t epochs, std::size_t train_rows) const {
        if (epochs == 0) epochs = default_epochs();
        const auto first = [&](nn::labelled<double> set) {
            if (train_rows == 0 || train_rows >= set.size()) return set;
            std::vector<std::size_t> rows(train_rows);
            std::iota(rows.begin(), rows.end(), std::size_t{0});
            return nn::subset(set, rows);
        };
        qhybrid::rng gen(seed);
        if (mnist_) {
            const auto data = mnist_splits::split(*mnist_, seed, train_rows);
            seed_network out{qhybrid::models::lenet5<double>(10, gen), 0, data.train, data.test};
            nn::adam<double> opt(out.net.parameters(), {.lr = 1e-3});
            out.epochs = nn::fit(out.net, opt, data.train, &data.validation,
                                 {.epochs = epochs, .batch_size = 128, .seed = seed, .patience = 5, .progress = false}).size();
            return out;
        }
        if (fsdd_) {
            auto data = fsdd_spectrograms::sets_of_seed<double>(*spectra_, *fsdd_, spectra_->digit, seed);
            data.train = first(std::move(data.train));
            data.test = nn::subset(data.test, fsdd_spectrograms::balanced_test_order(*fsdd_)); // the first N rows: every digit in turn
            auto trained = fsdd_spectrograms::train_cnn(data, 10, 1e-3, seed, epochs, 10);
            const auto [lo, hi] = std::minmax_element(spectra_->values.begin(), spectra_->values.end());
            return {std::move(trained.net), trained.history.size(), std::move(data.train), std::move(data.test), data.sd,
                    (*lo - data.mean) / data.sd, (*hi - data.mean) / data.sd};
        }
        auto split = qhybrid::models::split_deep_voice(*voices_, 0.2, gen, 0.1);
        for (auto* set : {&split.train, &split.validation, &split.test}) split.scaler.transform(set->x.values());
        split.train = first(std::move(split.train));
        const std::vector<double> ones(qhybrid::models::deep_voice_cnn::features, 1.0), zeros(ones.size(), 0.0);
        seed_network out{qhybrid::models::deep_voice_cnn::build<double>(gen, ones, zeros), 0, split.train, split.test};
        nn::adam<double> opt(out.net.parameters(), {.lr = 3e-3});
        out.epochs = nn::fit(out.net, opt, split.train, &split.validation,
                             {.epochs = epochs, .batch_size = 64, .seed = seed, .patience = 15, .progress = false}).size();
        const auto [train_lo, train_hi] = std::minmax_element(split.train.x.values().begin(), split.train.x.values().end());
        const auto [test_lo, test_hi] = std::minmax_element(split.test.x.values().begin(), split.test.x.values().end());
        out.lo = std::min(*train_lo, *test_lo), out.hi = std::max(*train_hi, *test_hi);
        return out;
    }

private:
    std::optional<qhybrid::data::mnist_digits> mnist_;
    std::optional<qhybrid::data::fsdd> fsdd_;
    std::optional<fsdd_spectrograms::spectrograms> spectra_;
    std::optional<nn::labelled<double>> voices_;
};

} // namespace qnad_networks
