// The unlearning evaluation: membership inference against hand-made scores and closed forms.
#include <qhybrid/unlearn.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

namespace ul = qhybrid::unlearn;

namespace {

// The area under the ROC as its definition: the share of (member, non-member) pairs in which the
// member scores higher, ties counting one half.
double pairs_auc(const std::vector<double>& members, const std::vector<double>& nonmembers) {
    double wins = 0;
    for (double m : members)
        for (double n : nonmembers) wins += m > n ? 1.0 : m == n ? 0.5 : 0.0;
    return wins / double(members.size() * nonmembers.size());
}

} // namespace

TEST_CASE("Membership inference's AUC counts the pairs a member wins, ties one half", "[unlearn]") {
    const std::vector<double> members = {0.9, 0.4, 0.4, 0.7, 0.1}, nonmembers = {0.4, 0.2, 0.8, 0.05, 0.4, 0.3};
    CHECK(ul::membership(members, nonmembers).auc == Approx(pairs_auc(members, nonmembers)).epsilon(1e-15));
    CHECK(ul::membership(members, members).auc == Approx(0.5).epsilon(1e-15)); // the same scores: chance
    // The loss-threshold attack scores a sample by minus its loss: lower loss, more likely a member.
    const std::vector<double> member_losses = {0.01, 0.2, 0.05}, nonmember_losses = {0.3, 0.02, 1.5, 0.8};
    CHECK(ul::loss_threshold(member_losses, nonmember_losses).auc == Approx(pairs_auc({-0.01, -0.2, -0.05}, {-0.3, -0.02, -1.5, -0.8})).epsilon(1e-15));
}

TEST_CASE("The true-positive rate below 1% false positives counts the members that fewer than 1% of the non-members reach", "[unlearn]") {
    std::vector<double> nonmembers;
    for (int i = 0; i < 200; ++i) nonmembers.push_back(i / 200.0); // 0 .. 0.995
    // Below 1% of 200 non-members: at most one false positive (0.5%); two (1.0%) are too many.
    const std::vector<double> members = {5, 4, 0.9955, 0.992, 0.982, 0.2};
    CHECK(ul::membership(members, nonmembers).tpr_at_low_fpr == Approx(4.0 / 6).epsilon(1e-15)); // 0.992: only 0.995 above it
    CHECK(ul::membership(members, nonmembers, 0.005).tpr_at_low_fpr == Approx(3.0 / 6).epsilon(1e-15)); // no false positive
    CHECK(ul::membership(members, nonmembers, 0.02).tpr_at_low_fpr == Approx(5.0 / 6).epsilon(1e-15));  // 0.982: three above (1.5%)
    CHECK(ul::membership(members, nonmembers, 1).tpr_at_low_fpr == Approx(1).epsilon(1e-15));
}

TEST_CASE("LiRA's statistic and score equal their closed forms", "[unlearn]") {
    CHECK(ul::logit_confidence(0.5) == 0);
    CHECK(ul::logit_confidence(0.9) == Approx(std::log(9.0)).epsilon(1e-14));
    CHECK(ul::logit_confidence(0.1) == Approx(-std::log(9.0)).epsilon(1e-14));
    CHECK(std::isfinite(ul::logit_confidence(1.0)));
    CHECK(std::isfinite(ul::logit_confidence(0.0)));
    // Sample 0: IN {1, 3} (mean 2, variance 2), OUT {-1, -3} (mean -2, variance 2), observed 1:
    // log N(1; 2, 2) - log N(1; -2, 2) = -1/4 + 9/4 = 2. Sample 1: IN {0, 4} (mean 2, variance 8),
    // OUT {-1, -3}, observed 2: its own variances give -log(8)/2 + log(2)/2 + 16/4 = 4 - log 2.
    const std::vector<double> observed = {1, 2};
    const std::vector<std::vector<double>> in = {{1, 3}, {0, 4}}, out = {{-1, -3}, {-1, -3}};
    const auto own = ul::lira_scores(observed, in, out, false);
    CHECK(own[0] == Approx(2).epsilon(1e-14));
    CHECK(own[1] == Approx(4 - std::log(2.0)).epsilon(1e-14));
    // Fixed variance: IN's pooled (2 + 8) / 2 = 5, OUT's 2.
    const auto pooled = ul::lira_scores(observed, in, out, true);
    CHECK(pooled[0] == Approx(-0.5 * std::log(2.5) - 1.0 / 10 + 9.0 / 4).epsilon(1e-14));
    CHECK(pooled[1] == Approx(-0.5 * std::log(2.5) - 0.0 + 16.0 / 4).epsilon(1e-14));
}

TEST_CASE("Membership inference refuses empty sets, rates outside (0, 1], one shadow value and non-probabilities", "[unlearn]") {
    const std::vector<double> some = {0.1, 0.2}, none;
    CHECK_THROWS_WITH(ul::membership(none, some), Catch::Contains("0 members, 2 non-members"));
    CHECK_THROWS_WITH(ul::membership(some, some, 0), Catch::Contains("false-positive rate 0"));
    CHECK_THROWS_WITH(ul::fit_gaussian(std::vector<double>{1.0}), Catch::Contains("1 values (needs 2 or more)"));
    CHECK_THROWS_WITH(ul::logit_confidence(1.5), Catch::Contains("1.5 is not a probability"));
    const std::vector<std::vector<double>> one = {{1, 2}};
    CHECK_THROWS_WITH(ul::lira_scores(some, one, one), Catch::Contains("2 samples, 1 IN and 1 OUT"));
}
