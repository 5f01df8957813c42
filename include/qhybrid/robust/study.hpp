// SPDX-License-Identifier: Apache-2.0
#pragma once
// A model's robustness as a reviewer asks for it, in one call: at each budget, AutoAttack's
// standard suite (for a random model, its rand suite and Square, all with EOT) and the report with
// its masking checks; APGD-CE's success on the correctly
// classified samples against the budget, up to one where it must fool them all (epsilon_sweep);
// and APGD-CE's success against its steps at the middle budget, up to twice the suite's
// (budget_sweep; its last doubling is the budget check).
//
//   const auto s = robust::study(model, x, labels, {.epsilons = {0.05, 0.1}, .sweep = {0.05, 0.1, 1},
//                                                   .lo = 0, .hi = 1, .classes = 10, .seed = 1});
//
// study_part runs one piece (a budget's suite, the epsilon sweep, the steps curve), so that a
// study of hours can be the items of a checkpointed dist::sweep; the pieces appended in order are
// the study, bit for bit. A study of a block of the rows (first_sample: its first row's id) is
// finer still: join_rows of the blocks' studies is the whole batch's, bit for bit (but the
// seconds), for a deterministic model and for a random one whose draws in a call do not depend
// on the rows it is given (see detail::model_stream).
#include "qhybrid/robust/report.hpp"
#include "qhybrid/robust/suites.hpp"

#include <functional>
#include <iterator>
#include <span>

namespace qhybrid::robust {

struct study_options {
    std::vector<double> epsilons, sweep; // in the model's input units; the sweep's last must fool every correct sample
    double lo = 0, hi = 1;               // the box of valid inputs
    norm p = norm::linf;
    std::size_t classes = 2;
    std::uint64_t seed = 0;
    std::size_t steps = 100, queries = 5000; // APGD's steps, Square's queries
    std::size_t eot = 1; // a random model's draws per evaluation; above 1, AutoAttack's rand suite and
                         // Square with EOT replace the standard suite, and every attack and verdict uses them
    std::uint64_t first_sample = 0; // the first row's id, when the rows are a block of a larger batch
};

struct study_result {
    std::vector<robustness_report> reports;       // one per epsilon
    std::vector<std::pair<double, double>> sweep; // (epsilon, APGD-CE's success on the correct samples)
    std::vector<std::size_t> steps;               // APGD-CE's budgets at the middle epsilon
    std::vector<double> fooled_by_steps;          // and the share of all samples each fooled
    std::vector<std::string> warnings;            // the sweep's and the budget check's (each report has its own)
    sweep_verdicts sweep_per_sample;              // the verdicts behind sweep and fooled_by_steps,
    std::vector<std::vector<std::uint8_t>> steps_per_sample; // so that blocks of rows join

    std::size_t failed_checks() const {
        std::size_t n = warnings.size();
        for (const auto& r : reports) n += r.warnings.size();
        return n;
    }

    // Adds the pieces of the next part (study_part).
    void append(study_result part) {
        auto move_to = [](auto& to, auto& from) { to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())); };
        move_to(reports, part.reports), move_to(sweep, part.sweep), move_to(steps, part.steps);
        move_to(fooled_by_steps, part.fooled_by_steps), move_to(warnings, part.warnings), move_to(steps_per_sample, part.steps_per_sample);
        if (!part.sweep_per_sample.epsilons.empty()) sweep_per_sample = std::move(part.sweep_per_sample);
    }
};

namespace detail {
// The sweep, the steps curve and their warnings from the verdicts behind them.
inline void summarise(study_result& s) {
    s.warnings.clear();
    if (!s.sweep_per_sample.epsilons.empty()) {
        std::string warning;
        s.sweep = sweep_rates(s.sweep_per_sample, &warning, 0.99);
        if (!warning.empty()) s.warnings.push_back(std::move(warning));
    }
    s.fooled_by_steps.clear();
    for (const auto& fooled : s.steps_per_sample) s.fooled_by_steps.push_back(share(fooled));
    if (s.steps.size() >= 2)
        if (auto w = doubling_warning(s.steps[s.steps.size() - 2], s.fooled_by_steps[s.steps.size() - 2], s.fooled_by_steps.back()); !w.empty())
            s.warnings.push_back(std::move(w));
}
} // namespace detail

// The study of a batch from the studies (or the same part of them) of its consecutive blocks of
// rows, each run with first_sample its first row's id.
inline study_result join_rows(std::span<const study_result> blocks) {
    require(!blocks.empty(), [] { return std::string("join_rows: no blocks"); });
    for (std::size_t k = 0; k < blocks.size(); ++k) { // they may come from checkpoint files
        const auto& block = blocks[k];
        bool steps_whole = block.steps_per_sample.size() == block.steps.size();
        for (const auto& f : block.steps_per_sample) steps_whole = steps_whole && f.size() == block.steps_per_sample[0].size();
        require(block.reports.size() == blocks[0].reports.size() && block.steps == blocks[0].steps && steps_whole &&
                    block.sweep_per_sample.epsilons == blocks[0].sweep_per_sample.epsilons, [&] {
            return "join_rows: block " + std::to_string(k) + " has " + std::to_string(block.reports.size()) + " budgets, " +
                   std::to_string(block.steps.size()) + " steps and " + std::to_string(block.steps_per_sample.size()) +
                   " verdict lists for them, block 0 " + std::to_string(blocks[0].reports.size()) + " budgets and " +
                   std::to_string(blocks[0].steps.size()) + " steps (blocks of the same study's part, a verdict list a step, the same sweep)";
        });
    }
    study_result out = blocks[0];
    for (std::size_t k = 1; k < blocks.size(); ++k) {
        const auto& block = blocks[k];
        if (!out.sweep_per_sample.epsilons.empty()) out.sweep_per_sample.append_rows(block.sweep_per_sample);
        for (std::size_t i = 0; i < out.steps_per_sample.size(); ++i)
            out.steps_per_sample[i].insert(out.steps_per_sample[i].end(), block.steps_per_sample[i].begin(), block.steps_per_sample[i].end());
    }
    for (std::size_t r = 0; r < out.reports.size(); ++r) {
        std::vector<robustness_report> column;
        for (const auto& block : blocks) column.push_back(block.reports[r]);
        out.reports[r] = join_rows(column);
    }
    detail::summarise(out);
    return out;
}

// A study's parts: the suite at each budget, then the epsilon sweep, then the steps curve.
inline std::size_t study_parts(const study_options& o) { return o.epsilons.size() + 2; }

// Part `part` of the study (study_parts): its reports, sweep or steps, and warnings; the rest empty.
template <attack_model M, class T = typename M::value_type>
study_result study_part(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const study_options& o, std::size_t part) {
    require(!o.epsilons.empty() && !o.sweep.empty() && o.steps > 0, [&] {
        return "study: " + std::to_string(o.epsilons.size()) + " budgets, " + std::to_string(o.sweep.size()) + " sweep budgets, " +
               std::to_string(o.steps) + " steps (needs at least one of each)";
    });
    require(part < study_parts(o), [&] { return "study: part " + std::to_string(part) + " of " + std::to_string(study_parts(o)); });
    auto threat_at = [&](double eps) { return threat{.p = o.p, .epsilon = eps, .lo = o.lo, .hi = o.hi}; };
    study_result out;
    if (part < o.epsilons.size()) {
        const suite_options so{.t = threat_at(o.epsilons[part]), .seed = o.seed, .steps = o.steps, .queries = o.queries, .eot = o.eot,
                               .first_sample = o.first_sample};
        auto attacks = o.eot > 1 ? autoattack_rand(model, o.classes, so) : autoattack_standard(model, o.classes, so);
        if (o.eot > 1)
            attacks.push_back({"Square, EOT-" + std::to_string(o.eot), attack_kind::black_box, [&model, so](const nn::tensor<T>& in, std::span<const std::size_t> y) {
                                   return square(model, in, y, {.t = so.t, .queries = so.queries, .eot = so.eot, .seed = so.seed, .first_sample = so.first_sample});
                               }});
        out.reports.push_back(evaluate_robustness(model, x, labels, attacks, {.eot = o.eot}));
    } else if (part == o.epsilons.size()) {
        const std::function<attack_result<T>(double, const nn::tensor<T>&, std::span<const std::size_t>)> apgd_at =
            [&](double eps, const nn::tensor<T>& in, std::span<const std::size_t> y) {
                return apgd(model, in, y, {.t = threat_at(eps), .steps = o.steps, .eot = o.eot, .seed = o.seed, .first_sample = o.first_sample});
            };
        out.sweep_per_sample = epsilon_sweep_verdicts(model, x, labels, o.sweep, apgd_at, o.eot);
    } else {
        const double middle = o.epsilons[o.epsilons.size() / 2];
        const std::function<attack_result<T>(std::size_t, const nn::tensor<T>&, std::span<const std::size_t>)> apgd_steps =
            [&](std::size_t k, const nn::tensor<T>& in, std::span<const std::size_t> y) {
                return apgd(model, in, y, {.t = threat_at(middle), .steps = k, .eot = o.eot, .seed = o.seed, .first_sample = o.first_sample});
            };
        for (std::size_t k : {1, 2, 5, 10, 20, 50})
            if (k < o.steps) out.steps.push_back(k);
        out.steps.insert(out.steps.end(), {o.steps, 2 * o.steps});
        out.steps_per_sample = budget_verdicts(x, labels, out.steps, apgd_steps);
    }
    detail::summarise(out);
    return out;
}

// `on_report(epsilon, report)` sees each budget's report as soon as it is known (a study of a
// large model takes hours).
template <attack_model M, class T = typename M::value_type>
study_result study(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const study_options& o,
                   const std::function<void(double, const robustness_report&)>& on_report = {}) {
    study_result out;
    for (std::size_t part = 0; part < study_parts(o); ++part) {
        out.append(study_part(model, x, labels, o, part));
        if (part < o.epsilons.size() && on_report) on_report(o.epsilons[part], out.reports.back());
    }
    return out;
}

} // namespace qhybrid::robust
