#pragma once
// The networks and unlearning methods qhybrid's programs compare: each network with its training
// recipe (and so its retraining), each method by display name and command-line name, set up as
// the protocol fixes (Adam 1e-3, batch 32, `epochs` of fine-tuning), so that unlearn_fsdd
// and `qhybrid unlearn` run the same things.
#include <qhybrid/models/fsdd_cnn.hpp>
#include <qhybrid/models/qc_cnn.hpp>
#include <qhybrid/models/qshield_backbones.hpp>
#include <qhybrid/unlearn.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace unlearn_methods {

struct settings {
    qhybrid::unlearn::class_set forget = 0;
    std::size_t classes = 0, epochs = 5;
    std::uint64_t seed = 1;
};

// The spectrogram networks unlearning is tried on ([1, 63, 40] log-mels in, logits out, a dense
// last layer), each with the Adam learning rate and early-stopping patience it was chosen with:
// - cnn: models::fsdd_cnn, lr 1e-3, patience 10 (fsdd_cnn's choice for the speaker task);
// - resnet: QShield's ResNet-style CNN (models::resnet_backbone), the same recipe;
// - qc_cnn: QC-CNN with its quantum head (models::qc_cnn), lr 3e-4, patience 15 (qc_cnn_fsdd's
//   choice on 10 digits, where it needs about 400 epochs).
enum class network { cnn, resnet, qc_cnn };

struct recipe {
    double lr;
    std::size_t patience;
};

inline recipe recipe_of(network n) { return n == network::qc_cnn ? recipe{3e-4, 15} : recipe{1e-3, 10}; }

// A fresh network drawn from `seed` (fsdd_cnn: the initialisation fsdd_cnn's train_cnn draws).
inline qhybrid::nn::sequential<double> build(network n, std::size_t classes, std::uint64_t seed) {
    namespace m = qhybrid::models;
    qhybrid::rng gen(seed);
    switch (n) {
    case network::cnn: return m::fsdd_cnn::build<double>(classes, gen, seed + 1);
    case network::resnet: return m::resnet_backbone<double>(classes, gen);
    case network::qc_cnn: break;
    }
    return m::qc_cnn<double>({.frames = m::fsdd_cnn::frames, .mels = m::fsdd_cnn::mels, .classes = classes}, m::qc_head::quantum, gen, seed + 1);
}

// Retraining on the retain set with the network's recipe (batch 32, early stopping on
// `validation`, whose forget rows the caller has removed), from seed + 100.
inline qhybrid::unlearn::retrain<double> retrain_network(network n, std::size_t classes, std::uint64_t seed, std::size_t max_epochs,
                                                         const qhybrid::nn::labelled<double>& validation) {
    const recipe r = recipe_of(n);
    return {[n, classes, seed] { return build(n, classes, seed + 100); },
            {.epochs = max_epochs, .batch_size = 32, .seed = seed, .patience = r.patience, .progress = false},
            r.lr,
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
