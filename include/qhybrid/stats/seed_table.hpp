// SPDX-License-Identifier: Apache-2.0
#pragma once
// The table every example reports: models (rows) by metrics (columns), each cell the mean over
// seeds with its t interval; the number of runs and of failed runs (stuck at chance; they stay in
// the means and are counted apart); paired comparisons between two models over the seeds both
// ran. Printed as markdown, written as two CSV files (one row per run, one per model and metric).
// Usage:
//   stats::seed_table t({"test accuracy", "ROC AUC"});
//   t.add("CNN", seed, {acc, auc});
//   std::puts(t.markdown().c_str());
//   std::puts(t.comparison("CNN", "QT-CNN 24b", "ROC AUC").c_str());
#include "qhybrid/core/file.hpp"
#include "qhybrid/stats/paired.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace qhybrid::stats {

class seed_table {
public:
    explicit seed_table(std::vector<std::string> metrics, double confidence = 0.95)
        : metrics_(std::move(metrics)), confidence_(confidence) {
        require(!metrics_.empty(), [] { return std::string("seed_table: no metrics"); });
        require(confidence > 0 && confidence < 1, [&] { return "seed_table: confidence " + number(confidence); });
    }

    // One run of `model` with `seed`: a value per metric, in the order given to the constructor.
    void add(const std::string& model, std::uint64_t seed, std::vector<double> values, bool failed = false) {
        require(values.size() == metrics_.size(), [&] {
            return "seed_table: " + model + " has " + std::to_string(values.size()) + " values for " + std::to_string(metrics_.size()) + " metrics";
        });
        auto& m = model_(model);
        require(std::find_if(m.runs.begin(), m.runs.end(), [&](const run& r) { return r.seed == seed; }) == m.runs.end(),
                [&] { return "seed_table: " + model + " has seed " + std::to_string(seed) + " already"; });
        m.runs.push_back({seed, std::move(values), failed});
    }

    estimate summary(const std::string& model, const std::string& metric) const {
        return t_interval(column(find(model), metric_index(metric)), confidence_);
    }
    std::size_t runs(const std::string& model) const { return find(model).runs.size(); }
    std::size_t failures(const std::string& model) const {
        const auto& r = find(model).runs;
        return std::size_t(std::count_if(r.begin(), r.end(), [](const run& x) { return x.failed; }));
    }

    // a - b over the seeds both models ran, paired by seed.
    paired_comparison compare(const std::string& a, const std::string& b, const std::string& metric) const {
        const std::size_t k = metric_index(metric);
        std::vector<double> va, vb;
        for (const run& ra : find(a).runs)
            for (const run& rb : find(b).runs)
                if (ra.seed == rb.seed) va.push_back(ra.values[k]), vb.push_back(rb.values[k]);
        return paired_t(va, vb, confidence_);
    }

    std::string markdown(int digits = 4) const {
        std::ostringstream out;
        out << "| model | runs | failed |";
        for (const auto& m : metrics_) out << ' ' << m << " |";
        out << "\n|---|---|---|";
        for (std::size_t i = 0; i < metrics_.size(); ++i) out << "---|";
        out << '\n';
        for (const auto& m : models_) {
            out << "| " << m.name << " | " << m.runs.size() << " | " << failures(m.name) << " |";
            for (std::size_t k = 0; k < metrics_.size(); ++k) out << ' ' << cell(t_interval(column(m, k), confidence_), digits) << " |";
            out << '\n';
        }
        return out.str();
    }

    // "CNN - QT-CNN 24b, ROC AUC: +0.0032 [+0.0021, +0.0043] (95%, paired t over 5 seeds, p = 0.0021);
    //  CNN higher on 5, QT-CNN 24b on 0, ties 0"
    std::string comparison(const std::string& a, const std::string& b, const std::string& metric, int digits = 4) const {
        const paired_comparison c = compare(a, b, metric);
        char buf[512];
        std::snprintf(buf, sizeof buf, "%s - %s, %s: %+.*f [%+.*f, %+.*f] (%g%%, paired t over %zu seeds, p = %.2g); %s higher on %zu, %s on %zu, ties %zu",
                      a.c_str(), b.c_str(), metric.c_str(), digits, c.mean_difference, digits, c.low, digits, c.high, 100 * confidence_, c.n,
                      c.p_value, a.c_str(), c.a_better, b.c_str(), c.b_better, c.ties);
        return buf;
    }

    // runs_csv: model,seed,failed,<metrics...>; summary_csv: model,metric,runs,failed,mean,sd,low,high.
    void write_csv(const std::filesystem::path& runs_csv, const std::filesystem::path& summary_csv) const {
        std::ostringstream runs, summary;
        runs.precision(17), summary.precision(17);
        runs << "model,seed,failed";
        for (const auto& m : metrics_) runs << ',' << quoted(m);
        runs << '\n';
        summary << "model,metric,runs,failed,mean,sd,low,high\n";
        for (const auto& m : models_) {
            for (const run& r : m.runs) {
                runs << quoted(m.name) << ',' << r.seed << ',' << int(r.failed);
                for (double v : r.values) runs << ',' << v;
                runs << '\n';
            }
            for (std::size_t k = 0; k < metrics_.size(); ++k) {
                const estimate e = t_interval(column(m, k), confidence_);
                summary << quoted(m.name) << ',' << quoted(metrics_[k]) << ',' << e.n << ',' << failures(m.name) << ',' << e.mean << ','
                        << e.sd << ',' << e.low << ',' << e.high << '\n';
            }
        }
        for (const auto& p : {runs_csv, summary_csv})
            if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        write_file_atomically(runs_csv, runs.str(), "seed_table");
        write_file_atomically(summary_csv, summary.str(), "seed_table");
    }

private:
    struct run {
        std::uint64_t seed;
        std::vector<double> values;
        bool failed;
    };
    struct model_runs {
        std::string name;
        std::vector<run> runs;
    };

    model_runs& model_(const std::string& name) {
        for (auto& m : models_)
            if (m.name == name) return m;
        return models_.emplace_back(model_runs{name, {}});
    }
    const model_runs& find(const std::string& name) const {
        for (const auto& m : models_)
            if (m.name == name) return m;
        fail("seed_table: no runs of model '" + name + "'");
    }
    std::size_t metric_index(const std::string& metric) const {
        const auto it = std::find(metrics_.begin(), metrics_.end(), metric);
        require(it != metrics_.end(), [&] { return "seed_table: no metric '" + metric + "'"; });
        return std::size_t(it - metrics_.begin());
    }
    static std::vector<double> column(const model_runs& m, std::size_t k) {
        std::vector<double> v;
        for (const run& r : m.runs) v.push_back(r.values[k]);
        return v;
    }
    // "0.9812 [0.9790, 0.9834]"; one run: the value alone.
    static std::string cell(const estimate& e, int digits) {
        char buf[128];
        if (e.n < 2) std::snprintf(buf, sizeof buf, "%.*f", digits, e.mean);
        else std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", digits, e.mean, digits, e.low, digits, e.high);
        return buf;
    }
    static std::string quoted(const std::string& s) {
        if (s.find_first_of(",\"\n") == std::string::npos) return s;
        std::string out = "\"";
        for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + '"';
    }

    std::vector<std::string> metrics_;
    double confidence_;
    std::vector<model_runs> models_;
};

} // namespace qhybrid::stats
