// `qhybrid unlearn MODEL --forget-speaker NAME --method M`: the speaker's training recordings
// forgotten by a speaker CNN saved by `qhybrid train --model speaker-cnn`, judged on the official
// test recordings (unlearn::judge) next to the original and, with --against-retrain, next to the
// network retrained without the speaker from the same seed (and LiRA against --shadows more).
#include "unlearn.hpp"

#include "../unlearn_methods.hpp"
#include "fsdd_split.hpp"

#include <qhybrid/qhybrid.hpp>

#include <chrono>
#include <cstdio>
#include <optional>

namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace ul = qhybrid::unlearn;

namespace cli {
namespace {

constexpr std::size_t speakers = 6;

void print_row(const char* name, const ul::forgetting_report& r, double seconds) {
    std::printf("| %s | %.2f | %.2f | %.2f | %.3f | ", name, r.scores.fa, r.scores.ra, r.scores.il, r.loss_attack.auc);
    if (r.lira) std::printf("%.3f | %.3f | ", r.lira->auc, r.lira->tpr_at_low_fpr);
    std::printf("%.1f | %zu%s | %.1f |\n", r.probe, r.relearn.steps, r.relearn.relearnt ? "" : "+", seconds);
}

} // namespace

const char* unlearn_method_names() {
    return "qpaudioeraser, qpaudioeraser-authors-code, fine-tuning, gradient-ascent, neggrad-plus, random-labels, salun, l1-sparse, ssd, "
           "fisher-forgetting, scrub, retrain";
}

int unlearn(const unlearn_settings& s) {
    // The model: a speaker CNN and the seed of its split, as `qhybrid train` saved them.
    qhybrid::rng probe_gen(1);
    auto net = m::fsdd_cnn::build<double>(speakers, probe_gen, 2);
    qhybrid::require(nn::saved_architecture(s.model) == net.describe(), [&] {
        return s.model + ": not a speaker CNN; `qhybrid train --model speaker-cnn` makes one (unlearn forgets a speaker of a speaker model)";
    });
    nn::load_weights(net, s.model);
    const auto meta = qhybrid::json::parse(nn::saved_metadata(s.model), s.model + " metadata");
    qhybrid::require(meta.is_object() && meta.contains("seed") && meta.at("seed").is_number_unsigned(),
                     [&] { return s.model + ": its metadata has no seed, so its training recordings are unknown"; });
    const auto seed = meta.at("seed").get<std::uint64_t>();
    const qhybrid::data::fsdd set(qhybrid::data::require_data(qhybrid::data::data_root(s.data), "fsdd/recordings").parent_path());
    const std::size_t f = set.speaker_index(s.speaker);
    const auto data = split_fsdd(s.data, seed, fsdd_task::speakers);
    const auto retain = ul::with_label(data.train, f, false), forget = ul::with_label(data.train, f, true);
    const auto validation = ul::with_label(data.validation, f, false), test_forget = ul::with_label(data.test, f, true);
    const ul::request<double> r{retain, forget};
    const ul::forgetting_task<double> task{data.train, data.test, r, test_forget, f};

    const auto retrained = [&](std::uint64_t from) {
        return unlearn_methods::retrain_network(unlearn_methods::network::cnn, speakers, from, s.max_epochs, validation);
    };
    const auto timed = [&](auto&& method) { // the unlearned network and its seconds
        auto copy = net;
        const auto t0 = std::chrono::steady_clock::now();
        method.unlearn(copy, r);
        return std::pair{std::move(copy), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
    };
    std::optional<std::pair<nn::sequential<double>, double>> result;
    if (s.method == "retrain") result.emplace(timed(retrained(seed)));
    unlearn_methods::for_each_method({.forget = f, .classes = speakers, .epochs = s.epochs, .seed = seed},
                                     [&](const char*, const char* name, auto&& method) {
                                         if (s.method == name) result.emplace(timed(method));
                                     });
    qhybrid::require(result.has_value(), [&] { return "--method " + s.method + " is none of " + unlearn_method_names(); });

    ul::lira_shadows shadows;
    for (std::size_t k = 0; k < s.shadows; ++k) {
        auto shadow = net;
        retrained(1000 * seed + 10 + k).unlearn(shadow, r);
        shadows.add_out(shadow, task);
    }
    auto original = net;
    const double fa0 = ul::forgetting_metrics(ul::probabilities(original, data.test.x), data.test.y, f, 100).fa;
    const ul::relearn_options relearn{.max_steps = s.relearn_steps, .seed = seed};
    std::printf("forgetting speaker %s (%zu training recordings; %zu of the %zu test recordings are theirs), seed %llu; %zu threads\n\n",
                s.speaker.c_str(), forget.size(), test_forget.size(), data.test.size(), static_cast<unsigned long long>(seed), qhybrid::threads());
    std::printf("| network | FA | RA | IL | MIA AUC (loss) | %sprobe | relearn steps | seconds |\n|---|---|---|---|---|%s---|---|---|\n",
                shadows.out.count() >= 2 ? "LiRA AUC | LiRA TPR@1% | " : "", shadows.out.count() >= 2 ? "---|---|" : "");
    print_row("original", ul::judge(original, task, fa0, shadows, relearn), 0);
    print_row(s.method.c_str(), ul::judge(result->first, task, fa0, shadows, relearn), result->second);
    if (s.against_retrain && s.method != "retrain") {
        auto gold = timed(retrained(seed));
        print_row("retrain", ul::judge(gold.first, task, fa0, shadows, relearn), gold.second);
    }
    std::printf("\n(FA, RA, IL in percent on the official test recordings; MIA: the speaker's training recordings against their test "
                "recordings, 0.5 = cannot tell; probe: balanced accuracy of a linear probe for the speaker on the last layer's input; "
                "relearn: Adam steps until 90%% of the speaker's training recordings are right again, + = not within %zu)\n",
                s.relearn_steps);
    if (!s.out.empty()) {
        nn::save_weights(result->first, s.out, qhybrid::json::value{{"seed", seed}, {"forgotten speaker", s.speaker}, {"method", s.method}}.dump());
        std::printf("saved %s\n", s.out.c_str());
    }
    return 0;
}

} // namespace cli
