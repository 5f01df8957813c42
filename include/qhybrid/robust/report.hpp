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
};

struct robustness_report {
    std::size_t samples = 0;
    double clean_accuracy = 0;
    std::vector<attack_row> rows;
    double worst_case_accuracy = 0;    // samples no attack fooled
    double worst_case_success = 0;     // of the correctly classified, the share some attack fooled
    std::vector<std::string> warnings; // the masking checks that failed

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

// Runs every attack on (x, labels).
template <attack_model M, class T = typename M::value_type>
robustness_report evaluate_robustness(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                                      const std::vector<attack_entry<T>>& attacks, const report_options& o = {}) {
    require(!attacks.empty() && x.rank() >= 2 && x.dim(0) == labels.size() && !labels.empty(), [&] {
        return "evaluate_robustness: " + std::to_string(attacks.size()) + " attacks on inputs of shape " + nn::to_string(x.shape()) +
               " with " + std::to_string(labels.size()) + " labels";
    });
    const std::size_t n = labels.size();
    robustness_report rep;
    rep.samples = n;
    const auto correct = detail::correct_samples(model, x, labels, o.eot);
    std::vector<std::uint8_t> any(n, 0);
    const double n_correct = double(std::count(correct.begin(), correct.end(), 1));
    rep.clean_accuracy = n_correct / double(n);
    for (const auto& a : attacks) {
        const auto start = std::chrono::steady_clock::now();
        const attack_result<T> res = a.run(x, labels);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        require(res.fooled.size() == n, [&] { return "evaluate_robustness: " + a.name + " returned " + std::to_string(res.fooled.size()) + " verdicts for " + std::to_string(n) + " samples"; });
        attack_row row{a.name, a.kind, 0, 0, double(res.gradient_evaluations) / double(n), double(res.forward_evaluations) / double(n), seconds,
                       res.fooled};
        double robust = 0, fooled_correct = 0;
        for (std::size_t b = 0; b < n; ++b) {
            const bool fooled = !correct[b] || res.fooled[b];
            robust += !fooled, fooled_correct += correct[b] && res.fooled[b];
            any[b] |= fooled;
        }
        row.robust_accuracy = robust / double(n);
        row.success_rate = n_correct > 0 ? fooled_correct / n_correct : 0;
        rep.rows.push_back(std::move(row));
    }
    double robust = 0, fooled_correct = 0;
    for (std::size_t b = 0; b < n; ++b) robust += !any[b], fooled_correct += correct[b] && any[b];
    rep.worst_case_accuracy = robust / double(n);
    rep.worst_case_success = n_correct > 0 ? fooled_correct / n_correct : 0;

    // The masking checks.
    auto best = [&](attack_kind k) {
        const attack_row* top = nullptr;
        for (const auto& r : rep.rows)
            if (r.kind == k && (!top || r.success_rate > top->success_rate)) top = &r;
        return top;
    };
    const attack_row *single = best(attack_kind::single_step), *iterative = best(attack_kind::iterative);
    if (single && iterative && iterative->success_rate + o.tolerance < single->success_rate)
        rep.warnings.push_back("the iterative attack " + iterative->name + " (" + detail::percent(iterative->success_rate) +
                               ") is weaker than the single-step " + single->name + " (" + detail::percent(single->success_rate) +
                               "): its gradients or steps mislead it");
    const attack_row* white = iterative ? iterative : single;
    for (const auto k : {attack_kind::black_box, attack_kind::transfer})
        if (const attack_row* other = best(k); other && white && other->success_rate > white->success_rate + o.tolerance)
            rep.warnings.push_back(std::string(k == attack_kind::black_box ? "the black-box attack " : "the transfer attack ") + other->name +
                                   " (" + detail::percent(other->success_rate) + ") is stronger than every white-box attack (best " +
                                   white->name + ", " + detail::percent(white->success_rate) + "): the gradients are masked");
    return rep;
}

// Success rate on the correctly classified samples (by the mean probabilities of `eot` draws) at
// each epsilon, for an attack made by `at(epsilon)`. Warns (in `warning`) when the largest epsilon
// does not bring it to `full`. With no sample classified correctly there is nothing to attack:
// the rates are NaN and the warning says so, rather than blaming the attack.
template <attack_model M, class T = typename M::value_type>
std::vector<std::pair<double, double>> epsilon_sweep(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                                                     const std::vector<double>& epsilons,
                                                     const std::function<attack_result<T>(double, const nn::tensor<T>&, std::span<const std::size_t>)>& at,
                                                     std::string* warning = nullptr, double full = 0.99, std::size_t eot = 1) {
    require(!epsilons.empty(), [] { return std::string("epsilon_sweep: no epsilons"); });
    const auto correct = detail::correct_samples(model, x, labels, eot);
    std::vector<std::pair<double, double>> out;
    if (std::find(correct.begin(), correct.end(), std::uint8_t{1}) == correct.end()) {
        for (double eps : epsilons) out.emplace_back(eps, std::numeric_limits<double>::quiet_NaN());
        if (warning) *warning = "no sample is classified correctly: the sweep has nothing to attack";
        return out;
    }
    for (double eps : epsilons) {
        const auto res = at(eps, x, labels);
        double n_correct = 0, fooled = 0;
        for (std::size_t b = 0; b < labels.size(); ++b)
            if (correct[b]) ++n_correct, fooled += res.fooled[b];
        out.emplace_back(eps, fooled / n_correct);
    }
    if (warning && out.back().second < full)
        *warning = "at epsilon " + number(out.back().first) + " the attack fools " + detail::percent(out.back().second) +
                   " of the correct samples, not " + detail::percent(full) + ": an unbounded attack must reach it, so the attack is failing";
    return out;
}

// The success rate (on all samples) of an attack made by `at(k)` at each budget k (iterations or
// restarts, as `at` reads them): the points of a success-against-iterations curve. Each point is a
// whole attack with that budget, not a prefix of a longer one (APGD's step schedule depends on it).
template <class T>
std::vector<double> budget_sweep(const nn::tensor<T>& x, std::span<const std::size_t> labels, std::span<const std::size_t> budgets,
                                 const std::function<attack_result<T>(std::size_t, const nn::tensor<T>&, std::span<const std::size_t>)>& at) {
    std::vector<double> out;
    for (std::size_t k : budgets) out.push_back(at(k, x, labels).fooled_rate());
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
