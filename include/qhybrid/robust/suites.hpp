// SPDX-License-Identifier: Apache-2.0
#pragma once
// AutoAttack's compositions (Croce & Hein, ICML 2020), as attack lists for evaluate_robustness:
// - standard: APGD-CE (100 steps), APGD-T (the targeted DLR loss, 100 steps, towards each of the
//   9 classes with the highest clean logits), FAB-T's place taken by a documented substitute
//   (FAB is not implemented here): APGD with the targeted margin loss (Carlini-Wagner's f) over
//   the same 9 targets, and Square (5,000 queries, p_init 0.8, L-inf or L2). With fewer than 4 classes the targeted
//   attacks are left out (the targeted DLR needs 4; with 2 classes a target is the other class) and
//   APGD with the untargeted margin loss takes their place. With 3 classes it climbs another
//   surface than cross-entropy; with 2, cross-entropy is softplus of the margin, so sign steps
//   follow the same path except where cross-entropy's gradient underflows to 0 (a saturated
//   softmax), where the margin's still moves.
// - rand, for random defences: APGD-CE and APGD-DLR (with 2 classes, APGD with the margin loss in
//   DLR's place, which needs 3), each with EOT over 20 draws, 100 steps.
// Each attack runs on every sample, so each row is that attack's own robust accuracy; the report's
// worst case is AutoAttack's robust accuracy.
#include "qhybrid/robust/apgd.hpp"
#include "qhybrid/robust/report.hpp"
#include "qhybrid/robust/square.hpp"

#include <numeric>

namespace qhybrid::robust {

struct suite_options {
    threat t;
    std::uint64_t seed = 0;
    std::size_t steps = 100;          // APGD
    std::size_t target_classes = 9;   // APGD-T and the substitute
    std::size_t queries = 5000;       // Square
    std::size_t eot = 20;             // the rand suite's draws
    std::uint64_t first_sample = 0;   // the first row's id (the rows a block of a larger batch)
};

// APGD towards each of the k classes with the highest clean logits (the label left out), on the
// samples no earlier target has fooled; a sample is fooled when its class is not its label.
template <attack_model M, class T = typename M::value_type>
attack_result<T> apgd_top_targets(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, apgd_options o,
                                  std::size_t k) {
    rng gen = detail::model_stream(o.seed, 0);
    const nn::tensor<T> z = model.logits(x, gen);
    const std::size_t n = labels.size(), classes = z.dim(1);
    k = std::min(k, classes - 1);
    std::vector<std::vector<std::size_t>> ranked(n);
    for (std::size_t b = 0; b < n; ++b) {
        std::vector<std::size_t> order(classes);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { // ties: the lower class first
            return z.row(b)[i] > z.row(b)[j] || (z.row(b)[i] == z.row(b)[j] && i < j);
        });
        for (std::size_t c : order)
            if (c != labels[b]) ranked[b].push_back(c);
    }
    attack_result<T> out{x, {}, {}, 0, n * o.eot};
    const std::vector<std::uint64_t> ids = [&] {
        if (!o.ids.empty()) return std::vector<std::uint64_t>(o.ids.begin(), o.ids.end());
        std::vector<std::uint64_t> v(n);
        std::iota(v.begin(), v.end(), o.first_sample);
        return v;
    }();
    const auto first = detail::evaluate(model, x, attack_batch<T>{x, labels, {}, ids}, attack_loss::margin, gen, false, o.eot);
    out.fooled = first.fooled, out.loss = first.loss.values;
    for (std::size_t j = 0; j < k; ++j) {
        std::vector<std::size_t> rows, sub_labels, sub_targets;
        std::vector<std::uint64_t> sub_ids;
        for (std::size_t b = 0; b < n; ++b)
            if (!out.fooled[b]) rows.push_back(b), sub_labels.push_back(labels[b]), sub_targets.push_back(ranked[b][j]), sub_ids.push_back(ids[b]);
        if (rows.empty()) break;
        const nn::tensor<T> sub = nn::gather_rows(x, rows);
        auto oj = o;
        oj.targets = sub_targets, oj.ids = sub_ids, oj.seed = o.seed + j; // each target its own random starts
        const auto res = apgd(model, sub, sub_labels, oj);
        out.gradient_evaluations += res.gradient_evaluations, out.forward_evaluations += res.forward_evaluations + rows.size() * o.eot;
        const auto judged = detail::evaluate(model, res.adversarial, attack_batch<T>{sub, sub_labels, {}, sub_ids}, attack_loss::margin, gen, false, o.eot);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::size_t b = rows[i];
            if (!judged.fooled[i] && judged.loss.values[i] <= out.loss[b]) continue;
            std::copy(res.adversarial.row(i).begin(), res.adversarial.row(i).end(), out.adversarial.row(b).begin());
            out.fooled[b] = judged.fooled[i], out.loss[b] = judged.loss.values[i];
        }
    }
    return out;
}

template <attack_model M, class T = typename M::value_type>
std::vector<attack_entry<T>> autoattack_standard(M& model, std::size_t classes, const suite_options& o) {
    std::vector<attack_entry<T>> list;
    list.push_back({"APGD-CE", attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                        return apgd(model, x, y, {.t = o.t, .steps = o.steps, .seed = o.seed, .first_sample = o.first_sample});
                    }});
    if (classes < 4) // AutoAttack's targeted attacks need 4 classes; a loss that does not saturate stands in (see above)
        list.push_back({"APGD (margin)", attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                            return apgd(model, x, y, {.t = o.t, .steps = o.steps, .loss = attack_loss::margin, .seed = o.seed, .first_sample = o.first_sample});
                        }});
    if (classes >= 4) {
        list.push_back({"APGD-T (DLR)", attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                            return apgd_top_targets(model, x, y, {.t = o.t, .steps = o.steps, .loss = attack_loss::dlr, .seed = o.seed, .first_sample = o.first_sample},
                                                    o.target_classes);
                        }});
        list.push_back({"APGD-T (margin), for FAB-T", attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                            return apgd_top_targets(model, x, y, {.t = o.t, .steps = o.steps, .loss = attack_loss::margin, .seed = o.seed, .first_sample = o.first_sample},
                                                    o.target_classes);
                        }});
    }
    list.push_back({"Square", attack_kind::black_box, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                        return square(model, x, y, {.t = o.t, .queries = o.queries, .seed = o.seed, .first_sample = o.first_sample});
                    }});
    return list;
}

template <attack_model M, class T = typename M::value_type>
std::vector<attack_entry<T>> autoattack_rand(M& model, std::size_t classes, const suite_options& o) {
    std::vector<attack_entry<T>> list;
    list.push_back({"APGD-CE, EOT-" + std::to_string(o.eot), attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                        return apgd(model, x, y, {.t = o.t, .steps = o.steps, .eot = o.eot, .seed = o.seed, .first_sample = o.first_sample});
                    }});
    if (classes >= 3)
        list.push_back({"APGD-DLR, EOT-" + std::to_string(o.eot), attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                            return apgd(model, x, y, {.t = o.t, .steps = o.steps, .loss = attack_loss::dlr, .eot = o.eot, .seed = o.seed, .first_sample = o.first_sample});
                        }});
    else // DLR needs 3 classes; the margin loss takes its place, as in the standard suite
        list.push_back({"APGD (margin), EOT-" + std::to_string(o.eot), attack_kind::iterative, [&model, o](const nn::tensor<T>& x, std::span<const std::size_t> y) {
                            return apgd(model, x, y, {.t = o.t, .steps = o.steps, .loss = attack_loss::margin, .eot = o.eot, .seed = o.seed, .first_sample = o.first_sample});
                        }});
    return list;
}

} // namespace qhybrid::robust
