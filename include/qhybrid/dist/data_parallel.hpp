// SPDX-License-Identifier: Apache-2.0
#pragma once
// Data-parallel training: nn::fit over the processes of a job, the same model bit for bit on any
// number of processes.
//
// Every process holds the whole model and data set and shuffles the same minibatches (from the
// seed). Each minibatch is cut into `shards` parts of nearly equal size; shard s runs on rank
// s mod size: forward, the loss scaled by the shard's share of the minibatch's rows, backward.
// The shards' gradients are gathered and added in shard order on every process, which then takes
// the same optimizer step. What makes the result independent of the process count:
// - the sum runs in shard order, whatever process computed each shard;
// - each shard's training randomness (dropout masks, QShield's projections) is keyed by its step
//   and shard (layer::reseed), not drawn from a process's running generator;
// - buffers (batch-norm running statistics, QShield's projection) follow the step's first shard,
//   as PyTorch's DistributedDataParallel broadcasts rank 0's: statistics of that shard's rows;
// - validation minibatches are spread over the processes and their scores added in order.
// The shard count is part of the recipe (batch norm normalises each shard by its own statistics);
// the process count is not. With `shards = 1` there is nothing to split: every process runs
// nn::fit itself, and ends with the model one process would.
//
//   qhybrid::dist::session mpi(argc, argv);
//   const qhybrid::dist::world world;
//   auto history = qhybrid::dist::fit(world, net, opt, train, &validation, {.epochs = 30, .seed = 1}, {.shards = 8});
//
// A step's messages: every process receives every other shard's gradient (an all-gather of
// shards x parameters values); docs/distributed.md models where that stops scaling.
#include "qhybrid/core/error.hpp"
#include "qhybrid/dist/codec.hpp"
#include "qhybrid/dist/world.hpp"
#include "qhybrid/nn/train.hpp"

#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qhybrid::dist {

struct data_parallel_options {
    std::size_t shards = 8; // parts of every minibatch; use a multiple of the process count
};

namespace detail {

// Rows [first, last) of a minibatch of n rows cut into `shards` parts.
inline std::pair<std::size_t, std::size_t> shard_rows(std::size_t n, std::size_t shards, std::size_t s) noexcept {
    return {s * n / shards, (s + 1) * n / shards};
}

template <class T>
void append_values(std::string& out, const std::vector<nn::tensor<T>*>& tensors) {
    for (const auto* t : tensors) out.append(reinterpret_cast<const char*>(t->data()), t->size() * sizeof(T));
}

// Reads the tensors' values from `in` into them: copied (add = false) or added (add = true).
template <class T>
void read_values(byte_reader& in, const std::vector<nn::tensor<T>*>& tensors, bool add, std::string_view field) {
    for (auto* t : tensors) {
        const std::string_view bytes = in.take(t->size() * sizeof(T), field);
        if (!add) {
            std::memcpy(t->data(), bytes.data(), bytes.size());
            continue;
        }
        for (std::size_t i = 0; i < t->size(); ++i) {
            T v;
            std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
            (*t)[i] += v;
        }
    }
}

// Runs work(unit, out) for this process's units of [0, n) (unit u on rank u mod size), each
// appending its bytes to one message; gathers every process's message and returns, in unit
// order, the bytes of each unit (empty for a unit that wrote none). A unit that throws on one
// process makes every process throw the same error: the first failed unit's, in unit order.
template <communicator Comm, class Work>
std::vector<std::string> gather_units(const Comm& comm, std::size_t n, std::string_view what, Work&& work) {
    std::string mine;
    for (std::size_t u = comm.rank(); u < n; u += comm.size()) {
        std::string bytes;
        std::uint8_t ok = 1;
        try {
            work(u, bytes);
        } catch (const std::exception& e) {
            ok = 0, bytes = e.what();
        } catch (...) { // thrown on one process only, it would leave the others waiting in all_gather
            ok = 0, bytes = "an exception that is not a std::exception";
        }
        encode(mine, std::uint64_t(u));
        encode(mine, ok);
        encode(mine, bytes);
        if (!ok) break;
    }
    std::vector<std::string> units(n);
    std::optional<std::pair<std::size_t, std::string>> failure;
    const std::vector<std::string> all = comm.all_gather(mine);
    for (std::size_t r = 0; r < all.size(); ++r) {
        byte_reader in(all[r], "dist::fit: the " + std::string(what) + " of rank " + std::to_string(r));
        while (in.left() > 0) {
            const auto u = decode<std::uint64_t>(in);
            require(u < n && u % comm.size() == r, [&] { return in.where() + ": unit " + std::to_string(u) + " out of place"; });
            const bool ok = decode<std::uint8_t>(in) != 0;
            std::string bytes = decode<std::string>(in);
            if (ok) units[u] = std::move(bytes);
            else if (!failure || u < failure->first) failure.emplace(u, std::move(bytes));
        }
    }
    if (failure) fail("dist::fit: " + std::string(what) + " " + std::to_string(failure->first) + " failed: " + failure->second);
    return units;
}

} // namespace detail

// nn::fit over comm's processes (a collective: all call it with the same arguments); returns the
// same history on every process and leaves the same model on every one, its randomness keyed
// past the training's. Progress lines come from rank 0 only.
template <communicator Comm, class T, class Optimizer>
std::vector<nn::epoch_record> fit(const Comm& comm, nn::layer<T>& net, Optimizer& opt, const nn::labelled<T>& train,
                                  std::type_identity_t<const nn::labelled<T>*> validation, nn::fit_options o,
                                  const data_parallel_options& d = {}, const nn::loss_function<T>& loss = nn::default_loss<T>) {
    require(train.size() > 0 && train.x.dim(0) == train.size(), [] { return std::string("dist::fit: empty training data, or labels and rows differ in number"); });
    require(d.shards > 0, [] { return std::string("dist::fit: shards must be positive"); });
    o.progress = o.progress && comm.rank() == 0;
    if (d.shards == 1) return nn::fit(net, opt, train, validation, o, loss);
    std::uint64_t next_key = 0; // training and validation forward passes, keyed in one sequence

    const auto gradient = [&](std::span<const std::size_t> rows) {
        const std::size_t n = rows.size();
        const std::uint64_t key = next_key;
        next_key += d.shards;
        std::size_t first = 0; // the first shard with rows (the last one always has some): the buffers follow it
        while (detail::shard_rows(n, d.shards, first).first == detail::shard_rows(n, d.shards, first).second) ++first;
        const auto shards = detail::gather_units(comm, d.shards, "shard", [&](std::size_t s, std::string& out) {
            const auto [a, b] = detail::shard_rows(n, d.shards, s);
            if (a == b) return;
            net.reseed(key + s);
            net.zero_grad();
            const nn::batch_result r = nn::add_gradient(net, train, rows.subspan(a, b - a), loss, T(b - a) / T(n));
            encode(out, r.loss_sum);
            encode(out, std::uint64_t(r.correct));
            std::vector<nn::tensor<T>*> grads;
            for (auto& p : net.parameters()) grads.push_back(p.grad);
            detail::append_values(out, grads);
            if (s == first) detail::append_values(out, net.buffers());
        });
        std::vector<nn::tensor<T>*> grads;
        for (auto& p : net.parameters()) grads.push_back(p.grad);
        nn::batch_result total{0, 0};
        for (std::size_t s = first; s < d.shards; ++s) {
            if (shards[s].empty()) continue;
            byte_reader in(shards[s], "dist::fit: shard " + std::to_string(s));
            total.loss_sum += decode<double>(in);
            total.correct += std::size_t(decode<std::uint64_t>(in));
            detail::read_values(in, grads, s != first, "the gradients");
            if (s == first) detail::read_values(in, net.buffers(), false, "the buffers");
            require(in.left() == 0, [&] { return in.where() + ": " + std::to_string(in.left()) + " bytes after the gradients"; });
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
        const auto scores = detail::gather_units(comm, batches.size(), "validation batch", [&](std::size_t j, std::string& out) {
            net.reseed(key + j);
            const nn::batch_result r = nn::score(net, *validation, batches[j], loss);
            encode(out, r.loss_sum);
            encode(out, std::uint64_t(r.correct));
        });
        const auto buffers = net.buffers();
        for (std::size_t k = 0; k < kept.size(); ++k) *buffers[k] = std::move(kept[k]);
        double total = 0;
        std::size_t correct = 0;
        for (std::size_t j = 0; j < scores.size(); ++j) {
            byte_reader in(scores[j], "dist::fit: validation batch " + std::to_string(j));
            total += decode<double>(in);
            correct += std::size_t(decode<std::uint64_t>(in));
        }
        return nn::evaluation{total / double(validation->size()), double(correct) / double(validation->size())};
    };

    if (validation)
        require(validation->size() > 0 && validation->x.dim(0) == validation->size(),
                [] { return std::string("dist::fit: empty validation data, or labels and rows differ in number"); });
    auto history = nn::fit_epochs(net, opt, train.size(), validation != nullptr, o, gradient, validate);
    net.reseed(next_key); // what the model draws next (a QShield evaluated) must not depend on which units this process ran
    return history;
}

} // namespace qhybrid::dist
