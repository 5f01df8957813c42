// SPDX-License-Identifier: Apache-2.0
#pragma once
// Data-parallel training: nn::fit over the processes of a job, the same model bit for bit on any
// number of processes.
//
// Every process holds the whole model and data set and shuffles the same minibatches (from the
// seed). Each minibatch is cut into shards of nearly equal size; shard s runs on rank s mod N:
// forward, the loss scaled by the shard's share of the minibatch's rows, backward. The shards'
// gradients are added in shard order (dist::sum_in_part_order) and every process takes the same
// optimizer step. What makes the result independent of the process count:
// - the sum runs in shard order, whatever process computed each shard;
// - each shard's training randomness (dropout masks, QShield's projections) is keyed by its step
//   and shard (layer::reseed), not drawn from a process's running generator;
// - buffers (batch-norm running statistics, QShield's projection) follow the step's shard 0,
//   as PyTorch's DistributedDataParallel broadcasts rank 0's: statistics of that shard's rows;
// - validation minibatches are spread over the processes and their scores added in order.
// A model that is nn::staged (QT-CNN) runs its parameter-only stage once a step on every process
// (the same bits everywhere); the shards run the network it made, their gradients of that
// network's parameters are summed in shard order, and the stage's backward runs once from the sums.
// The shard count is part of the recipe (batch norm normalises each shard by its own statistics);
// the process count is not. A minibatch of n rows is cut into min(shards, n / 2) shards (at
// least one), so that no shard holds a single row (batch norm needs two) unless the minibatch
// does. With `shards = 1` there is nothing to split: every process runs nn::fit itself.
//
//   qhybrid::dist::session mpi(argc, argv);
//   const qhybrid::dist::world world;
//   auto history = qhybrid::dist::fit(world, net, opt, train, &validation, {.epochs = 30, .seed = 1}, {.shards = 8});
//
// The loss must be a mean over the rows (as nn's losses are): a shard's gradient is scaled by its
// share of them. A step's messages: each process receives its 1/N of every shard's gradient and
// the other processes' sums, about (shards / N + 1) x parameters values, and every shard's loss;
// docs/distributed.md models the cost.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/batches.hpp"
#include "qhybrid/dist/codec.hpp"
#include "qhybrid/dist/ordered_sum.hpp"
#include "qhybrid/dist/sweep.hpp"
#include "qhybrid/dist/world.hpp"
#include "qhybrid/nn/staged.hpp"
#include "qhybrid/nn/train.hpp"

#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace qhybrid::dist {

struct data_parallel_options {
    std::size_t shards = 8; // parts of every minibatch; use a multiple of the process count
};

namespace detail {

// What a shard or a validation minibatch reports: its summed loss and correct count, and the
// buffers' bytes after the step's first shard.
struct unit_score {
    BOOST_HANA_DEFINE_STRUCT(unit_score, (double, loss_sum), (std::uint64_t, correct), (std::string, buffers));
};

// Rows [first, last) of shard s of a minibatch of n rows.
inline std::pair<std::size_t, std::size_t> shard_rows(std::size_t n, std::size_t shards, std::size_t s) noexcept {
    return {s * n / shards, (s + 1) * n / shards};
}

template <class T>
std::string bytes_of(const std::vector<nn::tensor<T>*>& tensors) {
    std::string out;
    for (const auto* t : tensors) out.append(reinterpret_cast<const char*>(t->data()), t->size() * sizeof(T));
    return out;
}

template <class T>
void read_bytes(const std::string& bytes, const std::vector<nn::tensor<T>*>& tensors) {
    byte_reader in(bytes, "dist::fit: the first shard's buffers");
    for (auto* t : tensors) {
        const std::string_view values = in.take(t->size() * sizeof(T), "a buffer");
        if (!values.empty()) std::memcpy(t->data(), values.data(), values.size());
    }
    require(in.left() == 0, [&] { return in.where() + ": " + std::to_string(in.left()) + " bytes too many"; });
}

// Units [0, n) over the processes (dist::sweep: a unit that throws is the same error on every
// process), their scores added in unit order; and the first unit's buffers.
template <communicator Comm, class Work>
std::pair<nn::batch_result, std::string> scores_in_order(const Comm& comm, std::size_t n, const char* what, Work&& work) {
    std::vector<unit_score> scores;
    try {
        scores = sweep(comm, n, std::forward<Work>(work));
    } catch (const error& e) {
        fail(std::string("dist::fit, ") + what + ": " + e.what());
    }
    nn::batch_result total{0, 0};
    for (const auto& s : scores) total.loss_sum += s.loss_sum, total.correct += std::size_t(s.correct);
    return {total, std::move(scores.front().buffers)};
}

} // namespace detail

// nn::fit over comm's processes (a collective: all call it with the same arguments); returns the
// same history on every process (but for the measured seconds) and leaves the same model on
// every one, its randomness keyed past the training's. Progress lines come from rank 0 only. A
// failure (a shard that throws) is the same qhybrid::error on every process; the models are then
// in no common state.
template <communicator Comm, class T, class Optimizer>
std::vector<nn::epoch_record> fit(const Comm& comm, nn::layer<T>& net, Optimizer& opt, const nn::labelled<T>& train,
                                  std::type_identity_t<const nn::labelled<T>*> validation, nn::fit_options o,
                                  const data_parallel_options& d = {}, const nn::loss_function<T>& loss = nn::default_loss<T>) {
    require(train.size() > 0 && train.x.dim(0) == train.size(), [] { return std::string("dist::fit: empty training data, or labels and rows differ in number"); });
    require(!validation || (validation->size() > 0 && validation->x.dim(0) == validation->size()),
            [] { return std::string("dist::fit: empty validation data, or labels and rows differ in number"); });
    require(d.shards > 0, [] { return std::string("dist::fit: shards must be positive"); });
    o.progress = o.progress && comm.rank() == 0;
    if (d.shards == 1) return nn::fit(net, opt, train, validation, o, loss);
    // Keys of the forward passes' randomness, training and validation in one sequence, from a
    // start drawn from the seed (another run, a fine-tuning, draws afresh).
    std::uint64_t next_key = rng::stream(o.seed, 0x6b657973)();

    auto* const staged = dynamic_cast<nn::staged<T>*>(&net);
    const auto gradient = [&](std::span<const std::size_t> rows) {
        const std::size_t n = rows.size(), shards = std::max<std::size_t>(1, std::min(d.shards, n / 2));
        const std::uint64_t key = next_key;
        next_key += shards;
        nn::layer<T>& shard_net = staged ? staged->begin_step() : net; // what each shard runs
        std::vector<nn::tensor<T>*> grads;
        std::size_t length = 0;
        for (auto& p : shard_net.parameters()) grads.push_back(p.grad), length += p.grad->size();
        std::vector<numbered_part<T>> mine; // this process's shards' gradients, flat
        const auto [total, first_buffers] = detail::scores_in_order(comm, shards, "a training step", [&](std::size_t s) {
            const auto [a, b] = detail::shard_rows(n, shards, s); // a < b: shards <= n
            shard_net.reseed(key + s);
            shard_net.zero_grad();
            const nn::batch_result r = nn::add_gradient(shard_net, train, rows.subspan(a, b - a), loss, T(b - a) / T(n));
            numbered_part<T> part{s, {}};
            part.values.reserve(length);
            for (const auto* g : grads) part.values.insert(part.values.end(), g->data(), g->data() + g->size());
            mine.push_back(std::move(part));
            return detail::unit_score{r.loss_sum, r.correct, s == 0 ? detail::bytes_of(shard_net.buffers()) : std::string()};
        });
        const std::vector<T> sum = sum_in_part_order(comm, shards, std::span<const numbered_part<T>>(mine), length);
        std::size_t at = 0;
        for (auto* g : grads) std::copy_n(sum.data() + at, g->size(), g->data()), at += g->size();
        detail::read_bytes(first_buffers, shard_net.buffers());
        if (staged) {
            net.zero_grad();
            staged->end_step();
        }
        return total;
    };

    // Validation leaves the buffers as they were (a QShield redraws its projection, a buffer, at
    // every call), so that every process keeps the same model.
    const auto validate = [&] {
        std::vector<nn::tensor<T>> kept;
        for (const auto* b : net.buffers()) kept.push_back(*b);
        const data::minibatches batches(validation->size(), o.batch_size);
        const std::uint64_t key = next_key;
        next_key += batches.size();
        const auto total = detail::scores_in_order(comm, batches.size(), "validation", [&](std::size_t j) {
            net.reseed(key + j);
            const nn::batch_result r = nn::score(net, *validation, batches[j], loss);
            return detail::unit_score{r.loss_sum, r.correct, {}};
        });
        const auto buffers = net.buffers();
        for (std::size_t k = 0; k < kept.size(); ++k) *buffers[k] = std::move(kept[k]);
        return nn::evaluation{total.first.loss_sum / double(validation->size()), double(total.first.correct) / double(validation->size())};
    };

    auto history = nn::fit_epochs(net, opt, train.size(), validation != nullptr, o, gradient, validate);
    net.reseed(next_key); // what the model draws next (a QShield evaluated) must not depend on which units this process ran
    return history;
}

} // namespace qhybrid::dist
