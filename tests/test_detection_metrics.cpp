// A detector's figures (nn/metrics.hpp) against brute force and closed forms: the ROC curve
// threshold by threshold, the AUC as the Mann-Whitney pair count, the EER and AUC of two unit
// Gaussians d apart (Phi(-d/2) and Phi(d/sqrt 2)), the ECE by hand; temperature scaling
// (nn/calibration.hpp) recovers a known temperature and sits at the NLL's minimum.
#include <catch2/catch.hpp>
#include <qhybrid/core/rng.hpp>
#include <qhybrid/nn/calibration.hpp>
#include <qhybrid/nn/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nn = qhybrid::nn;
using Catch::Contains;

namespace {

struct scored {
    std::vector<double> scores;
    std::vector<std::size_t> labels;
};

// Scores rounded to 1/20, so that many tie, within and across classes.
scored tied_scores(std::size_t n, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    scored s;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t y = gen.below(2);
        s.labels.push_back(y);
        s.scores.push_back(std::round(20 * std::clamp(0.5 + 0.25 * (y ? 1 : -1) + 0.3 * gen.normal(), 0.0, 1.0)) / 20);
    }
    return s;
}

} // namespace

TEST_CASE("roc_curve and roc_auc equal brute force, ties included") {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        const auto s = tied_scores(300 + 37 * seed, seed);
        const auto curve = nn::roc_curve(s.scores, s.labels);
        double positives = 0;
        for (auto y : s.labels) positives += double(y);
        const double negatives = double(s.labels.size()) - positives;
        REQUIRE(curve.front().fpr == 0);
        REQUIRE(curve.front().tpr == 0);
        REQUIRE(curve.back().fpr == 1);
        REQUIRE(curve.back().tpr == 1);
        for (std::size_t k = 1; k < curve.size(); ++k) { // each point counts the scores >= its threshold
            double tp = 0, fp = 0;
            for (std::size_t i = 0; i < s.scores.size(); ++i)
                if (s.scores[i] >= curve[k].threshold) (s.labels[i] ? tp : fp) += 1;
            REQUIRE(curve[k].tpr == tp / positives);
            REQUIRE(curve[k].fpr == fp / negatives);
            REQUIRE(curve[k].threshold < curve[k - 1].threshold);
        }
        double pairs = 0; // Mann-Whitney: P(positive > negative) + P(tie) / 2
        for (std::size_t i = 0; i < s.scores.size(); ++i)
            for (std::size_t j = 0; j < s.scores.size(); ++j)
                if (s.labels[i] == 1 && s.labels[j] == 0)
                    pairs += s.scores[i] > s.scores[j] ? 1.0 : s.scores[i] == s.scores[j] ? 0.5 : 0.0;
        CHECK(nn::roc_auc(curve) == Approx(pairs / (positives * negatives)).epsilon(1e-13));
    }
}

TEST_CASE("AUC and EER of two unit Gaussians match their closed forms") {
    // Negatives ~ N(0, 1), positives ~ N(d, 1): AUC = Phi(d / sqrt 2), EER = Phi(-d / 2). With
    // 100,000 of each, the estimates' standard errors are about 0.001; the tolerance is 0.004.
    qhybrid::rng gen(7);
    const double d = 2.0;
    scored s;
    for (std::size_t i = 0; i < 200000; ++i) {
        const std::size_t y = i % 2;
        s.labels.push_back(y);
        s.scores.push_back(1 / (1 + std::exp(-(gen.normal() + (y ? d : 0.0))))); // a probability; AUC and EER are the same
    }
    const auto r = nn::evaluate_detection(s.scores, s.labels);
    CHECK(r.auc == Approx(0.9213503964748574).margin(0.004));     // scipy.stats.norm.cdf(2 / sqrt(2))
    CHECK(r.eer.rate == Approx(0.15865525393145707).margin(0.004)); // scipy.stats.norm.cdf(-1)
    CHECK(r.eer.at.fpr == Approx(1 - r.eer.at.tpr).margin(1e-12));   // the point is where the two rates meet
    CHECK(r.eer.at.threshold == Approx(1 / (1 + std::exp(-d / 2))).margin(0.01)); // by symmetry, halfway
}

TEST_CASE("EER interpolates between the ROC points that bracket it") {
    // Scores 0.9 (positive), 0.8 (negative), 0.7 (positive), 0.1 (negative): the curve runs
    // (0, 0), (0, 1/2), (1/2, 1/2), (1/2, 1), (1, 1); FPR = FNR = 1/2 on the segment from
    // (0, 1/2) to (1/2, 1/2), first reached at its far end.
    const std::vector<double> scores{0.9, 0.8, 0.7, 0.1};
    const std::vector<std::size_t> labels{1, 0, 1, 0};
    const auto e = nn::equal_error_rate(nn::roc_curve(scores, labels));
    CHECK(e.rate == 0.5);
    CHECK(e.at.tpr == 0.5);
    CHECK(e.at.threshold == 0.8);
    // A perfect detector: EER 0, at the threshold that separates the classes.
    const auto perfect = nn::equal_error_rate(nn::roc_curve(std::vector{0.9, 0.8, 0.2, 0.1}, std::vector<std::size_t>{1, 1, 0, 0}));
    CHECK(perfect.rate == 0);
    CHECK(perfect.at.threshold == 0.8);
}

TEST_CASE("calibration: ECE and reliability bins by hand, and near zero for calibrated scores") {
    // Ten predictions at P(FAKE) 0.9 of which seven are FAKE: confidence 0.9, accuracy 0.7. Ten
    // at 0.2 (confidence 0.8 for REAL) of which eight are REAL: accuracy 0.8. ECE = 0.5 * 0.2.
    std::vector<double> scores(10, 0.9);
    scores.resize(20, 0.2);
    std::vector<std::size_t> labels{1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    const auto r = nn::calibration(scores, labels, 10);
    CHECK(r.ece == Approx(0.1).epsilon(1e-12));
    REQUIRE(r.bins.size() == 10);
    CHECK(r.bins[8].count == 10); // (0.8, 0.9] holds confidence 0.9
    CHECK(r.bins[8].accuracy == Approx(0.7));
    CHECK(r.bins[7].count == 10); // (0.7, 0.8] holds 0.8
    CHECK(r.bins[7].accuracy == Approx(0.8));
    CHECK(r.bins[7].confidence == Approx(0.8));

    // Labels drawn with the scores' own probabilities: only sampling noise remains.
    qhybrid::rng gen(3);
    scored s;
    for (std::size_t i = 0; i < 200000; ++i) {
        const double p = gen.uniform();
        s.scores.push_back(p);
        s.labels.push_back(gen.uniform() < p);
    }
    CHECK(nn::calibration(s.scores, s.labels).ece < 0.006);
}

TEST_CASE("confusion matrix, accuracy, and bad input") {
    const std::vector<double> scores{0.9, 0.6, 0.4, 0.1, 0.7};
    const std::vector<std::size_t> labels{1, 0, 1, 0, 1};
    const auto r = nn::evaluate_detection(scores, labels);
    CHECK(r.confusion(0, 0) == 1);
    CHECK(r.confusion(0, 1) == 1);
    CHECK(r.confusion(1, 0) == 1);
    CHECK(r.confusion(1, 1) == 2);
    CHECK(r.accuracy == Approx(0.6));
    CHECK_THROWS_WITH(nn::roc_curve(std::vector<double>{0.5, NAN}, std::vector<std::size_t>{0, 1}), Contains("roc_curve: score 1 is nan"));
    CHECK_THROWS_WITH(nn::roc_curve(std::vector{0.5, 0.2}, std::vector<std::size_t>{0, 2}), Contains("label 1 is 2, not 0 or 1"));
    CHECK_THROWS_WITH(nn::roc_curve(std::vector{0.5, 0.2}, std::vector<std::size_t>{1, 1}),
                      Contains("needs both classes, got 2 positive and 0 negative"));
    CHECK_THROWS_WITH(nn::roc_curve(std::vector{0.5}, std::vector<std::size_t>{1, 0}), Contains("1 scores for 2 labels"));
    CHECK_THROWS_WITH(nn::calibration(std::vector{1.5}, std::vector<std::size_t>{1}), Contains("score 0 is 1.5, not a probability"));
    CHECK_THROWS_WITH(nn::confusion(std::vector<std::size_t>{0, 3}, std::vector<std::size_t>{0, 1}, 2),
                      Contains("sample 1 has class 3 -> 1, not below 2"));
}

TEST_CASE("fit_temperature recovers the temperature that generated the labels") {
    // Logits z ~ 3 N(0, 1) per class; labels drawn from softmax(z / T0). The fitted T lands within
    // 3% of T0 (its standard error here is about 0.8%), and its NLL is the minimum: both
    // neighbours 0.5% away are higher.
    for (double t0 : {0.5, 1.0, 2.5}) {
        qhybrid::rng gen(11);
        const std::size_t n = 50000, k = 3;
        nn::tensor<double> z({n, k});
        std::vector<std::size_t> y(n);
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0, p[k];
            for (std::size_t c = 0; c < k; ++c) z.data()[i * k + c] = 3 * gen.normal(), sum += p[c] = std::exp(z.data()[i * k + c] / t0);
            double u = gen.uniform() * sum;
            y[i] = 0;
            while (y[i] + 1 < k && (u -= p[y[i]]) > 0) ++y[i];
        }
        const auto fit = nn::fit_temperature(z, y);
        CHECK_FALSE(fit.at_bound);
        CHECK(fit.temperature == Approx(t0).epsilon(0.03));
        CHECK(fit.nll_after <= fit.nll_before);
        auto nll = [&](double t) {
            const auto p = nn::calibrated_probabilities(z, t);
            double sum = 0;
            for (std::size_t i = 0; i < n; ++i) sum -= std::log(p.data()[i * k + y[i]]);
            return sum / double(n);
        };
        CHECK(nll(fit.temperature) == Approx(fit.nll_after).epsilon(1e-12));
        CHECK(nll(fit.temperature * 1.005) > fit.nll_after);
        CHECK(nll(fit.temperature / 1.005) > fit.nll_after);
    }
}

TEST_CASE("fit_temperature: separable data hit the bound, bad input is an error") {
    nn::tensor<double> z({4, 2});
    const double v[] = {1, -1, 1, -1, -1, 1, -1, 1};
    std::copy(v, v + 8, z.data());
    const auto fit = nn::fit_temperature(z, std::vector<std::size_t>{0, 0, 1, 1});
    CHECK(fit.at_bound);
    CHECK(fit.temperature == Approx(0.01));
    CHECK_THROWS_WITH(nn::fit_temperature(z, std::vector<std::size_t>{0, 0, 2, 1}), Contains("label 2 of sample 2 is not below 2 classes"));
    CHECK_THROWS_WITH(nn::fit_temperature(z, std::vector<std::size_t>{0}), Contains("with 1 labels"));
    z.data()[3] = NAN;
    CHECK_THROWS_WITH(nn::fit_temperature(z, std::vector<std::size_t>{0, 0, 1, 1}), Contains("logit 3 is nan"));
    CHECK_THROWS_WITH(nn::calibrated_probabilities(z, 0.0), Contains("temperature 0 is not positive"));
}
