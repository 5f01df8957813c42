// SPDX-License-Identifier: Apache-2.0
#pragma once
// A sweep: independent work items 0..n-1 (seeds, samples x attacks x budgets, unlearning
// requests) split over the processes of a job, their results gathered in item order on every
// process. Item i runs on rank i mod size; each item draws its randomness from its own stream
// (rng::stream(seed, item)), so the results are the same bits for any number of processes, one
// included.
//
// Checkpoints: with a checkpoint folder, every finished item's result is written there (one file
// an item, atomically), and a sweep started again with the same folder and key reads the items
// it finds instead of running them, whatever the number of processes of either run. The folder
// must be one that every process sees (a shared file system on a cluster).
//
// Failures: an item that throws is not checkpointed; its process runs none of its later items,
// every process gets the results, and then all throw the same qhybrid::error, the failure of the
// first item in item order (the one a single process would have met first).
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"
#include "qhybrid/dist/codec.hpp"
#include "qhybrid/dist/world.hpp"

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace qhybrid::dist {

struct sweep_options {
    std::filesystem::path checkpoint; // a folder for finished items (empty: none)
    std::string key;                  // names the sweep in its checkpoint: files of another key are refused
};

namespace detail {

inline constexpr std::string_view checkpoint_magic = "qhybrid sweep item 1\n";

inline std::filesystem::path item_file(const std::filesystem::path& folder, std::size_t item) {
    return folder / ("item-" + std::to_string(item) + ".bin");
}

} // namespace detail

// A checkpoint file's bytes: a header (magic, key, item count, item) and the encoded result.
template <encodable R>
std::string checkpoint_bytes(const std::string& key, std::size_t items, std::size_t item, const R& result) {
    std::string out(detail::checkpoint_magic);
    encode(out, key);
    encode(out, std::uint64_t(items));
    encode(out, std::uint64_t(item));
    encode(out, result);
    return out;
}

// The result in a checkpoint file's bytes, which must belong to item `item` of a sweep of `items`
// items under `key`; `where` (the file's path) names it in errors.
template <encodable R>
R read_checkpoint(std::string_view bytes, const std::string& where, const std::string& key, std::size_t items, std::size_t item) {
    byte_reader in(bytes, where);
    require(in.take(std::min(in.left(), detail::checkpoint_magic.size()), "the header") == detail::checkpoint_magic,
            [&] { return where + ": not a qhybrid sweep checkpoint (its first line is not \"qhybrid sweep item 1\")"; });
    const auto found_key = decode<std::string>(in);
    require(found_key == key, [&] { return where + ": key \"" + found_key + "\", this sweep's is \"" + key + "\" (another sweep's checkpoint?)"; });
    const auto found_items = decode<std::uint64_t>(in), found_item = decode<std::uint64_t>(in);
    require(found_items == items, [&] {
        return where + ": items " + std::to_string(found_items) + ", this sweep has " + std::to_string(items);
    });
    require(found_item == item, [&] { return where + ": item " + std::to_string(found_item) + ", the file name says " + std::to_string(item); });
    R result = decode<R>(in);
    require(in.left() == 0, [&] { return where + ": " + std::to_string(in.left()) + " bytes after the result"; });
    return result;
}

// Runs work(item) -> R for every item in [0, n) over comm's processes; returns every result, in
// item order, on every process (a collective: all must call it with the same n and options).
template <communicator Comm, class Work, class R = std::remove_cvref_t<std::invoke_result_t<Work&, std::size_t>>>
    requires encodable<R>
std::vector<R> sweep(const Comm& comm, std::size_t n, Work&& work, const sweep_options& o = {}) {
    namespace fs = std::filesystem;
    const std::size_t rank = comm.rank(), size = comm.size();
    if (!o.checkpoint.empty()) { // rank 0 makes the folder; every process learns whether it could
        std::string problem;
        if (rank == 0) {
            std::error_code ec;
            fs::create_directories(o.checkpoint, ec);
            if (ec) problem = "dist::sweep: cannot create the checkpoint folder " + o.checkpoint.string() + " (" + ec.message() + ")";
        }
        const std::string said = comm.all_gather(problem).front();
        require(said.empty(), [&] { return said; });
    }

    // This process's items, each as: item, ok flag, then the encoded result or the error message.
    std::string mine;
    for (std::size_t item = rank; item < n; item += size) {
        std::optional<R> result;
        std::string failure;
        try {
            const fs::path file = o.checkpoint.empty() ? fs::path() : detail::item_file(o.checkpoint, item);
            if (!file.empty() && fs::exists(file)) {
                const auto bytes = read_file(file);
                result = read_checkpoint<R>(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), file.string(), o.key, n,
                                            item);
            } else {
                result = work(item);
                if (!file.empty()) write_file_atomically(file, checkpoint_bytes(o.key, n, item, *result), "dist::sweep");
            }
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) { // thrown on one process only, it would leave the others waiting in all_gather
            failure = "an exception that is not a std::exception";
        }
        encode(mine, std::uint64_t(item));
        encode(mine, std::uint8_t(result.has_value()));
        if (result) encode(mine, *result);
        else encode(mine, failure);
        if (!result) break; // a failed item ends this process's share; the first failure overall is still reported
    }

    std::vector<std::optional<R>> results(n);
    std::optional<std::pair<std::size_t, std::string>> first_failure;
    const std::vector<std::string> all = comm.all_gather(mine);
    for (std::size_t r = 0; r < all.size(); ++r) {
        byte_reader in(all[r], "dist::sweep: the results of rank " + std::to_string(r));
        while (in.left() > 0) {
            const auto item = decode<std::uint64_t>(in);
            require(item < n && item % size == r && !results[item], [&] {
                return in.where() + ": item " + std::to_string(item) + " out of place";
            });
            if (decode<std::uint8_t>(in)) results[item] = decode<R>(in);
            else if (auto what = decode<std::string>(in); !first_failure || item < first_failure->first)
                first_failure.emplace(item, std::move(what));
        }
    }
    if (first_failure) fail("dist::sweep: item " + std::to_string(first_failure->first) + " failed: " + first_failure->second);
    std::vector<R> out;
    out.reserve(n);
    for (std::size_t item = 0; item < n; ++item) {
        require(results[item].has_value(), [&] { return "dist::sweep: no result for item " + std::to_string(item); });
        out.push_back(std::move(*results[item]));
    }
    return out;
}

} // namespace qhybrid::dist
