// SPDX-License-Identifier: Apache-2.0
#pragma once
// A robustness study over the processes of a job: its parts (robust::study_part) cut into blocks
// of rows, each (part, block) an item of a dist::sweep, so that a checkpoint keeps every finished
// block; the blocks joined (robust::join_rows) and the parts appended give robust::study's result
// bit for bit (but the seconds, which add the blocks' up), for any number of processes and any
// block size.
//
// Every process must hold the same model. A random model must draw from the generator the
// attacks give it, and its draws in a call must not depend on the call's rows (see
// robust::detail::model_stream): QNAD's device read-out qualifies; a layer that draws from a
// generator of its own (the faithful QShield's projection) does not, and its blocks see other
// draws than the whole batch would.
//
//   const auto s = dist::study(world, model, x, labels, options, {.block_rows = 25, .sweep = {.checkpoint = "ckpt", .key = "model A"}});
#include "qhybrid/dist/sweep.hpp"
#include "qhybrid/robust/study.hpp"

#include <boost/hana/adapt_struct.hpp>

#include <algorithm>
#include <numeric>
#include <span>
#include <string>
#include <vector>

// The study's pieces as codec types (dist/codec.hpp), so that items move between processes and
// into checkpoints.
BOOST_HANA_ADAPT_STRUCT(qhybrid::robust::attack_row, name, kind, robust_accuracy, success_rate, gradients_per_sample, forwards_per_sample,
                        seconds, fooled, gradient_evaluations, forward_evaluations);
BOOST_HANA_ADAPT_STRUCT(qhybrid::robust::robustness_report, samples, clean_accuracy, rows, worst_case_accuracy, worst_case_success,
                        warnings, correct);
BOOST_HANA_ADAPT_STRUCT(qhybrid::robust::sweep_verdicts, epsilons, correct, fooled);
BOOST_HANA_ADAPT_STRUCT(qhybrid::robust::study_result, reports, sweep, steps, fooled_by_steps, warnings, sweep_per_sample,
                        steps_per_sample);

namespace qhybrid::dist {

struct study_options {
    std::size_t block_rows = 0; // rows a block (0: the whole batch)
    sweep_options sweep = {};   // a checkpoint folder, and a key naming the model and the data (the study's settings are added)
};

template <communicator Comm, robust::attack_model M, class T = typename M::value_type>
robust::study_result study(const Comm& comm, M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels,
                           const robust::study_options& o, const study_options& d = {}) {
    const std::size_t n = labels.size();
    require(n > 0 && x.rank() >= 2 && x.dim(0) == n, [&] {
        return "dist::study: inputs of shape " + nn::to_string(x.shape()) + " for " + std::to_string(n) + " labels";
    });
    const std::size_t rows = d.block_rows == 0 ? n : std::min(d.block_rows, n), blocks = (n + rows - 1) / rows;
    const std::size_t parts = robust::study_parts(o);
    sweep_options so = d.sweep;
    so.key += ", study epsilons";
    for (double e : o.epsilons) so.key += " " + number(e);
    so.key += ", sweep";
    for (double e : o.sweep) so.key += " " + number(e);
    so.key += ", box " + number(o.lo) + " " + number(o.hi) + ", norm " + std::to_string(int(o.p)) + ", classes " + std::to_string(o.classes) +
              ", seed " + std::to_string(o.seed) + ", steps " + std::to_string(o.steps) + ", queries " + std::to_string(o.queries) +
              ", eot " + std::to_string(o.eot) + ", rows " + std::to_string(o.first_sample) + " + " + std::to_string(n) + " in blocks of " +
              std::to_string(rows);
    const auto pieces = sweep(comm, parts * blocks, [&](std::size_t item) {
        const std::size_t part = item / blocks, begin = item % blocks * rows, end = std::min(n, begin + rows);
        std::vector<std::size_t> block(end - begin);
        std::iota(block.begin(), block.end(), begin);
        auto ob = o;
        ob.first_sample = o.first_sample + begin;
        return robust::study_part(model, nn::gather_rows(x, block), labels.subspan(begin, end - begin), ob, part);
    }, so);
    robust::study_result out;
    for (std::size_t part = 0; part < parts; ++part)
        out.append(robust::join_rows(std::span(pieces).subspan(part * blocks, blocks)));
    return out;
}

} // namespace qhybrid::dist
