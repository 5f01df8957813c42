#pragma once
// The unlearning methods qhybrid's programs compare, by display name and command-line name, each
// set up as the protocol fixes (Adam 1e-3, batch 32, `epochs` of fine-tuning), so that
// unlearn_fsdd and `qhybrid unlearn` run the same things. Retraining is the caller's: it needs the
// network's recipe.
#include <qhybrid/models/fsdd_cnn.hpp>
#include <qhybrid/unlearn.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace unlearn_methods {

struct settings {
    std::size_t forget = 0, classes = 0, epochs = 5;
    std::uint64_t seed = 1;
};

// Retraining the FSDD CNN (models::fsdd_cnn) on the retain set as fsdd_cnn trains it (Adam 1e-3,
// batch 32, early stopping on `validation`, whose forget rows the caller has removed), from `seed`.
inline qhybrid::unlearn::retrain<double> retrain_fsdd_cnn(std::size_t classes, std::uint64_t seed, std::size_t max_epochs, std::size_t patience,
                                                         const qhybrid::nn::labelled<double>& validation) {
    return {[classes, seed] {
                qhybrid::rng gen(seed + 100);
                return qhybrid::models::fsdd_cnn::build<double>(classes, gen, seed + 101);
            },
            {.epochs = max_epochs, .batch_size = 32, .seed = seed, .patience = patience, .progress = false},
            1e-3,
            &validation};
}

// visit(display_name, cli_name, strategy) for every method, in the tables' order.
template <class Visit>
void for_each_method(const settings& s, Visit&& visit) {
    namespace ul = qhybrid::unlearn;
    const ul::tuning_options tune{.epochs = s.epochs, .batch_size = 32, .lr = 1e-3, .seed = s.seed};
    const auto eraser = [&](ul::interference_axis axis, ul::forget_loss loss) {
        return ul::qpaudioeraser_strategy<double>{{.forget = s.forget, .axis = axis, .loss = loss, .epochs = s.epochs, .seed = s.seed}};
    };
    visit("QPAudioEraser", "qpaudioeraser", eraser(ul::interference_axis::class_weights, ul::forget_loss::maximise_entropy));
    visit("QPAudioEraser, authors' code", "qpaudioeraser-authors-code",
          eraser(ul::interference_axis::input_feature, ul::forget_loss::minimise_entropy));
    visit("fine-tuning", "fine-tuning", ul::fine_tune<double>{tune});
    visit("gradient ascent", "gradient-ascent", ul::gradient_ascent<double>{tune});
    visit("NegGrad+", "neggrad-plus", ul::neggrad_plus<double>{tune});
    visit("random labels", "random-labels", ul::random_labels<double>{tune, s.classes});
    visit("SalUn", "salun", ul::salun<double>{tune, s.classes});
    visit("l1-sparse", "l1-sparse", ul::l1_sparse<double>{tune});
    visit("SSD", "ssd", ul::synaptic_dampening<double>{});
    visit("Fisher forgetting", "fisher-forgetting", ul::fisher_forgetting<double>{.seed = s.seed});
    visit("SCRUB", "scrub", ul::scrub<double>{tune, std::min<std::size_t>(2, s.epochs)});
}

// visit(display_name, strategy) for QPAudioEraser whole and with one part taken out or changed:
// the paper's Table 5 (no weight transform, no uncertainty maximisation, no matrix M, lambda 0.5
// and 2) and the (no fine-tuning at all, alpha 0.25 and 1).
template <class Visit>
void for_each_ablation(const settings& s, Visit&& visit) {
    namespace ul = qhybrid::unlearn;
    const ul::eraser_options whole{.forget = s.forget, .epochs = s.epochs, .seed = s.seed};
    const auto with = [&](const char* name, auto change) {
        ul::eraser_options o = whole;
        change(o);
        visit(name, ul::qpaudioeraser_strategy<double>{o});
    };
    with("QPAudioEraser", [](auto&) {});
    with("no weight transform (phase 1)", [](auto& o) { o.interference = false; });
    with("no uncertainty maximisation (lambda 0)", [](auto& o) { o.lambda = 0; });
    with("no fine-tuning (phases 2-3)", [](auto& o) { o.fine_tuning = false; });
    with("no matrix M (phase 4)", [](auto& o) { o.mixing = false; });
    with("lambda 0.5", [](auto& o) { o.lambda = 0.5; });
    with("lambda 2", [](auto& o) { o.lambda = 2; });
    with("alpha 0.25", [](auto& o) { o.alpha = 0.25; });
    with("alpha 1", [](auto& o) { o.alpha = 1; });
}

} // namespace unlearn_methods
