// SPDX-License-Identifier: Apache-2.0
#pragma once
// The evaluation a reviewer trusts: one model, one clean batch, several attacks.
// - clean accuracy; per attack the robust accuracy (samples it did not fool, clean mistakes
//   counted as fooled) and the attack success rate over the correctly classified samples (the
//   QShield papers' metric), both; the worst case per example over all attacks;
// - each attack's cost (forward+backward and forward passes a sample) and wall time;
// - checks that flag gradient masking (Carlini et al. 2019, "On evaluating adversarial
//   robustness", section 5): an iterative gradient attack weaker than a single-step one; a
//   black-box or transfer attack stronger than every white-box one; success that does not reach
//   100% at a large epsilon (epsilon_sweep); success that still grows when the attack's
//   iterations or restarts are doubled (budget_check).
// Markdown for people, CSV (written atomically) for plots.
#include "qhybrid/core/file.hpp"
#include "qhybrid/robust/attack.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <sstream>
#include <string>

namespace qhybrid::robust {

// What kind of attack a row is, for the masking checks.
enum class attack_kind { single_step, iterative, black_box, transfer };

template <class T>
struct attack_entry {
    std::string name;
    attack_kind kind;
    std::function<attack_result<T>(const nn::tensor<T>& x, std::span<const std::size_t> labels)> run;
};

struct attack_row {
    std::string name;
    attack_kind kind;
    double robust_accuracy;            // share of all samples the attack did not fool
    double success_rate;               // share of the correctly classified samples it fooled
    double gradients_per_sample, forwards_per_sample;
    double seconds;
    std::vector<std::uint8_t> fooled;
    std::size_t gradient_evaluations = 0, forward_evaluations = 0; // the attack's totals, samples times passes
};

struct robustness_report {
    std::size_t samples = 0;
    double clean_accuracy = 0;
    std::vector<attack_row> rows;
    double worst_case_accuracy = 0;    // samples no attack fooled
    double worst_case_success = 0;     // of the correctly classified, the share some attack fooled
    std::vector<std::string> warnings; // the masking checks that failed
    std::vector<std::uint8_t> correct; // which samples the model classifies correctly

    std::string markdown() const {
        std::ostringstream out;
        out.setf(std::ios::fixed);
        out.precision(4);
        out << "clean accuracy " << clean_accuracy << " (" << samples << " samples)\n\n"
            << "| attack | robust accuracy | success rate on correct | passes a sample (f+b, f) | seconds |\n|---|---|---|---|---|\n";
        for (const auto& r : rows)
            out << "| " << r.name << " | " << r.robust_accuracy << " | " << r.success_rate << " | " << r.gradients_per_sample << ", "
                << r.forwards_per_sample << " | " << r.seconds << " |\n";
        out << "| worst case over the attacks | " << worst_case_accuracy << " | " << worst_case_success << " | | |\n";
        for (const auto& w : warnings) out << "\nWARNING: " << w;
        if (!warnings.empty()) out << '\n';
        return out.str();
    }

    // attack,kind,robust_accuracy,success_rate,gradients_per_sample,forwards_per_sample,seconds
    void write_csv(const std::filesystem::path& path) const {
        static constexpr const char* kinds[] = {"single_step", "iterative", "black_box", "transfer"};
        std::ostringstream out;
        out.precision(17);
        out << "attack,kind,robust_accuracy,success_rate,gradients_per_sample,forwards_per_sample,seconds\nclean,none,"
            << clean_accuracy << ",0,0,1,0\n";
        auto quoted = [](const std::string& text) {
            std::string q = "\"";
            for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + '"';
        };
        for (const auto& r : rows)
            out << quoted(r.name) << ',' << kinds[int(r.kind)] << ',' << r.robust_accuracy << ',' << r.success_rate << ','
                << r.gradients_per_sample << ',' << r.forwards_per_sample << ',' << r.seconds << '\n';
        out << "worst case,all," << worst_case_accuracy << ',' << worst_case_success << ",0,0,0\n";
        write_file_atomically(path, out.str(), "robustness_report");
    }
};

namespace detail {
inline std::string percent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
    return buf;
}
} // namespace detail

struct report_options {
    double tolerance = 0.01; // the share of samples by which one attack may beat another before a masking
                             // check fails (sampling noise of a stochastic model, ties)
    std::size_t eot = 1;     // draws of a random model's randomness whose mean probabilities decide the
                             // clean class (as the attacks' EOT decides whether a sample is fooled)
};

namespace detail {
// Which samples a model classifies correctly, by the mean probabilities of `eot` draws.
template <attack_model M, class T = typename M::value_type>
std::vector<std::uint8_t> correct_samples(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, std::size_t eot) {
    require(eot > 0, [] { return std::string("robust report: 0 EOT draws for the clean accuracy"); });
    rng gen = model_stream(0, 0);
    auto e = evaluate(model, x, attack_batch<T>{x, labels, {}, {}}, attack_loss::cross_entropy, gen, false, eot);
    for (auto& f : e.fooled) f = !f;
    return std::move(e.fooled);
}
} // namespace detail

namespace detail {
// The report's figures and masking checks from its per-sample verdicts (correct, each row's
// fooled) and the attacks' totals.
inline void summarise(robustness_report& rep, const report_options& o) {
    const std::size_t n = rep.correct.size();
    rep.samples = n;
    const double n_correct = double(std::count(rep.correct.begin(), rep.correct.end(), 1));
    rep.clean_accuracy = n_correct / double(n);
    std::vector<std::uint8_t> any(n, 0);
    for (auto& row : rep.rows) {
        double robust = 0, fooled_correct = 0;
        for (std::size_t b = 0; b < n; ++b) {
            const bool fooled = !rep.correct[b] || row.fooled[b];
            robust += !fooled, fooled_correct += rep.correct[b] && row.fooled[b];
            any[b] |= fooled;
        }
        row.robust_accuracy = robust / double(n);
        row.success_rate = n_correct > 0 ? fooled_correct / n_correct : 0;
        row.gradients_per_sample = double(row.gradient_evaluations) / double(n);
        row.forwards_per_sample = double(row.forward_evaluations) / double(n);
    }
    double robust = 0, fooled_correct = 0;
    for (std::size_t b = 0; b < n; ++b) robust += !any[b], fooled_correct += rep.correct[b] && any[b];
    rep.worst_case_accuracy = robust / double(n);
    rep.worst_case_success = n_correct > 0 ? fooled_correct / n_correct : 0;

    // The masking checks.
    rep.warnings.clear();
    auto best = [&](attack_kind k) {
        const attack_row* top = nullptr;
        for (const auto& r : rep.rows)
            if (r.kind == k && (!top || r.success_rate > top->success_rate)) top = &r;
        return top;
    };
    const attack_row *single = best(attack_kind::single_step), *iterative = best(attack_kind::iterative);
    if (single && iterative && iterative->success_rate + o.tolerance < single->success_rate)
        rep.warnings.push_back("the iterative attack " + iterative->name + " (" + percent(iterative->success_rate) +
                               ") is weaker than the single-step " + single->name + " (" + percent(single->success_rate) +
                               "): its gradients or steps mislead it");
    const attack_row* white = iterative ? iterative : single;
    for (const auto k : {attack_kind::black_box, attack_kind::transfer})
        if (const attack_row* other = best(k); other && white && other->success_rate > white->success_rate + o.tolerance)
            rep.warnings.push_back(std::string(k == attack_kind::black_box ? "the black-box attack " : "the transfer attack ") + other->name +
                                   " (" + percent(other->success_rate) + ") is stronger than every white-box attack (best " +
                                   white->name + ", " + percent(white->success_rate) + "): the gradients are masked");
}
} // namespace detail

// Runs every attack on (x, labels).
template <attack_model M, class T = typename M::value_type>
robustness_report evaluate_robustness(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                                      const std::vector<attack_entry<T>>& attacks, const report_options& o = {}) {
    require(!attacks.empty() && x.rank() >= 2 && x.dim(0) == labels.size() && !labels.empty(), [&] {
        return "evaluate_robustness: " + std::to_string(attacks.size()) + " attacks on inputs of shape " + nn::to_string(x.shape()) +
               " with " + std::to_string(labels.size()) + " labels";
    });
    robustness_report rep;
    rep.correct = detail::correct_samples(model, x, labels, o.eot);
    for (const auto& a : attacks) {
        const auto start = std::chrono::steady_clock::now();
        attack_result<T> res = a.run(x, labels);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        require(res.fooled.size() == labels.size(), [&] {
            return "evaluate_robustness: " + a.name + " returned " + std::to_string(res.fooled.size()) + " verdicts for " +
                   std::to_string(labels.size()) + " samples";
        });
        rep.rows.push_back({a.name, a.kind, 0, 0, 0, 0, seconds, std::move(res.fooled), res.gradient_evaluations, res.forward_evaluations});
    }
    detail::summarise(rep, o);
    return rep;
}

// The report of a batch from the reports of its consecutive blocks of rows, each run with the
// same attacks on its rows' ids (the attacks' first_sample): the whole batch's report, but for
// the seconds, which add up. The blocks can run on different processes (dist::sweep items).
inline robustness_report join_rows(std::span<const robustness_report> blocks, const report_options& o = {}) {
    require(!blocks.empty(), [] { return std::string("join_rows: no blocks"); });
    // The blocks may come from checkpoint files: every block's attacks and verdict counts are checked.
    for (std::size_t k = 0; k < blocks.size(); ++k)
        for (std::size_t r = 0; r < std::max(blocks[k].rows.size(), blocks[0].rows.size()); ++r)
            require(blocks[k].rows.size() == blocks[0].rows.size() && blocks[k].rows[r].name == blocks[0].rows[r].name &&
                        blocks[k].rows[r].fooled.size() == blocks[k].correct.size(), [&] {
                        return "join_rows: block " + std::to_string(k) + " has " + std::to_string(blocks[k].rows.size()) + " attacks (block 0: " +
                               std::to_string(blocks[0].rows.size()) + "), its attack " + std::to_string(r) +
                               (r < blocks[k].rows.size() ? " (" + blocks[k].rows[r].name + ") has " + std::to_string(blocks[k].rows[r].fooled.size()) +
                                                                " verdicts for " + std::to_string(blocks[k].correct.size()) + " rows"
                                                          : " is missing");
                    });
    robustness_report out = blocks[0];
    for (std::size_t k = 1; k < blocks.size(); ++k) {
        const auto& block = blocks[k];
        out.correct.insert(out.correct.end(), block.correct.begin(), block.correct.end());
        for (std::size_t r = 0; r < out.rows.size(); ++r) {
            auto& row = out.rows[r];
            row.fooled.insert(row.fooled.end(), block.rows[r].fooled.begin(), block.rows[r].fooled.end());
            row.gradient_evaluations += block.rows[r].gradient_evaluations, row.forward_evaluations += block.rows[r].forward_evaluations;
            row.seconds += block.rows[r].seconds;
        }
    }
    require(!out.correct.empty(), [] { return std::string("join_rows: the blocks hold no rows"); });
    detail::summarise(out, o);
    return out;
}

// An epsilon sweep's per-sample verdicts: which samples the model classifies correctly (by the
// mean probabilities of the EOT draws) and which each epsilon's attack fooled (none when no sample
// is correct: there was nothing to attack). Consecutive blocks of rows join by concatenation.
struct sweep_verdicts {
    std::vector<double> epsilons;
    std::vector<std::uint8_t> correct;
    std::vector<std::vector<std::uint8_t>> fooled; // per epsilon, per sample

    // Whether there is a verdict for every epsilon and row (verdicts may come from checkpoint files).
    void check() const {
        bool whole = fooled.size() == epsilons.size();
        for (const auto& f : fooled) whole = whole && f.size() == correct.size();
        require(whole, [&] {
            return "sweep_verdicts: " + std::to_string(fooled.size()) + " verdict lists for " + std::to_string(epsilons.size()) + " epsilons and " +
                   std::to_string(correct.size()) + " rows, not one verdict each";
        });
    }

    void append_rows(const sweep_verdicts& block) {
        require(block.epsilons == epsilons, [] { return std::string("sweep_verdicts: blocks of rows swept different epsilons"); });
        check(), block.check();
        correct.insert(correct.end(), block.correct.begin(), block.correct.end());
        for (std::size_t e = 0; e < fooled.size(); ++e) fooled[e].insert(fooled[e].end(), block.fooled[e].begin(), block.fooled[e].end());
    }
};

// The verdicts of an attack made by `at(epsilon)` at each epsilon.
template <attack_model M, class T = typename M::value_type>
sweep_verdicts epsilon_sweep_verdicts(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const std::vector<double>& epsilons,
                                      const std::function<attack_result<T>(double, const nn::tensor<T>&, std::span<const std::size_t>)>& at,
                                      std::size_t eot = 1) {
    require(!epsilons.empty(), [] { return std::string("epsilon_sweep: no epsilons"); });
    sweep_verdicts v{epsilons, detail::correct_samples(model, x, labels, eot), {}};
    const bool any_correct = std::find(v.correct.begin(), v.correct.end(), std::uint8_t{1}) != v.correct.end();
    for (double eps : epsilons) v.fooled.push_back(any_correct ? at(eps, x, labels).fooled : std::vector<std::uint8_t>(labels.size(), 0));
    return v;
}

// Success rate on the correctly classified samples at each epsilon. Warns (in `warning`) when the
// largest epsilon does not bring it to `full`. With no sample classified correctly the rates are
// NaN and the warning says so, rather than blaming the attack.
inline std::vector<std::pair<double, double>> sweep_rates(const sweep_verdicts& v, std::string* warning = nullptr, double full = 0.99) {
    v.check();
    std::vector<std::pair<double, double>> out;
    if (std::find(v.correct.begin(), v.correct.end(), std::uint8_t{1}) == v.correct.end()) {
        for (double eps : v.epsilons) out.emplace_back(eps, std::numeric_limits<double>::quiet_NaN());
        if (warning) *warning = "no sample is classified correctly: the sweep has nothing to attack";
        return out;
    }
    double n_correct = 0, fooled = 0; // at the last budget, after the loop
    for (std::size_t e = 0; e < v.epsilons.size(); ++e) {
        n_correct = 0, fooled = 0;
        for (std::size_t b = 0; b < v.correct.size(); ++b)
            if (v.correct[b]) ++n_correct, fooled += v.fooled[e][b];
        out.emplace_back(v.epsilons[e], fooled / n_correct);
    }
    // In counts: a share rounded to a percent can print as the threshold it misses ("99.0%, not 99.0%").
    if (warning && out.back().second < full)
        *warning = "at epsilon " + number(out.back().first) + " the attack fools " + number(fooled) + " of the " + number(n_correct) +
                   " correct samples, short of " + significant(100 * full) + "%: an unbounded attack must reach it, so the attack is failing";
    return out;
}

// Success rate on the correctly classified samples at each epsilon, for an attack made by
// `at(epsilon)` (epsilon_sweep_verdicts, then sweep_rates).
template <attack_model M, class T = typename M::value_type>
std::vector<std::pair<double, double>> epsilon_sweep(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                                                     const std::vector<double>& epsilons,
                                                     const std::function<attack_result<T>(double, const nn::tensor<T>&, std::span<const std::size_t>)>& at,
                                                     std::string* warning = nullptr, double full = 0.99, std::size_t eot = 1) {
    return sweep_rates(epsilon_sweep_verdicts(model, x, labels, epsilons, at, eot), warning, full);
}

// Which samples an attack made by `at(k)` fools at each budget k (iterations or restarts, as `at`
// reads them). Each is a whole attack with that budget, not a prefix of a longer one (APGD's
// step schedule depends on it).
template <class T>
std::vector<std::vector<std::uint8_t>> budget_verdicts(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::span<const std::size_t> budgets,
                                                       const std::function<attack_result<T>(std::size_t, const nn::tensor<T>&, std::span<const std::size_t>)>& at) {
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t k : budgets) out.push_back(at(k, x, labels).fooled);
    return out;
}

// The success rate (on all samples) at each budget: the points of a success-against-iterations curve.
template <class T>
std::vector<double> budget_sweep(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::span<const std::size_t> budgets,
                                 const std::function<attack_result<T>(std::size_t, const nn::tensor<T>&, std::span<const std::size_t>)>& at) {
    std::vector<double> out;
    for (const auto& fooled : budget_verdicts(x, labels, budgets, at)) out.push_back(share(fooled));
    return out;
}

// Whether doubling a budget from k gained more than `tolerance` in success rate: the attack had not
// converged (the text of the warning, empty when it had).
inline std::string doubling_warning(std::size_t k, double once, double twice, double tolerance = 0.01) {
    if (twice <= once + tolerance) return {};
    return "doubling the budget from " + std::to_string(k) + " to " + std::to_string(2 * k) + " raised the success rate from " +
           detail::percent(once) + " to " + detail::percent(twice) + ": the attack had not converged";
}

// The success rate (on all samples) at budget k and at 2k; warns when doubling gains more than `tolerance`.
template <class T>
std::pair<double, double> budget_check(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::size_t k,
                                       const std::function<attack_result<T>(std::size_t, const nn::tensor<T>&, std::span<const std::size_t>)>& at,
                                       std::string* warning = nullptr, double tolerance = 0.01) {
    const std::size_t budgets[] = {k, 2 * k};
    const auto rates = budget_sweep(x, labels, budgets, at);
    if (warning) *warning = doubling_warning(k, rates[0], rates[1], tolerance);
    return {rates[0], rates[1]};
}

} // namespace qhybrid::robust
