// SPDX-License-Identifier: Apache-2.0
#pragma once
// A sum over parts made on different processes, in a fixed order: vectors of `length` values,
// part p made by process p mod N, added element by element in part order, the result on every
// process. The bits depend on the parts, never on N.
//
// Process r adds elements [r length / N, (r + 1) length / N) of every part (received by one
// all-to-all), then the sums are all-gathered: a process receives about (parts / N + 1) length
// values, where all-gathering every part would be parts x length. dist::fit adds its shards'
// gradients so.
#include "qhybrid/core/error.hpp"
#include "qhybrid/dist/codec.hpp"
#include "qhybrid/dist/world.hpp"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace qhybrid::dist {

// One part of a sum: its index and its values.
template <class T>
struct numbered_part {
    std::size_t index;
    std::vector<T> values;
};

// `mine`: this process's parts (index p with p mod N == rank, each `length` values). A
// collective: all processes call it with the same `parts` and `length`.
template <communicator Comm, class T>
    requires std::is_arithmetic_v<T>
std::vector<T> sum_in_part_order(const Comm& comm, std::size_t parts, std::span<const numbered_part<T>> mine, std::size_t length) {
    const std::size_t n = comm.size(), rank = comm.rank();
    const auto segment = [&](std::size_t r) { return std::pair{r * length / n, (r + 1) * length / n}; };
    for (const auto& part : mine)
        require(part.index < parts && part.index % n == rank && part.values.size() == length, [&] {
            return "dist::sum_in_part_order: part " + std::to_string(part.index) + " of " + std::to_string(part.values.size()) +
                   " values on rank " + std::to_string(rank) + " (parts " + std::to_string(parts) + ", length " + std::to_string(length) + ")";
        });

    std::vector<std::string> outgoing(n);
    for (std::size_t r = 0; r < n; ++r) {
        const auto [lo, hi] = segment(r);
        for (const auto& part : mine) {
            encode(outgoing[r], std::uint64_t(part.index));
            if (hi > lo) outgoing[r].append(reinterpret_cast<const char*>(part.values.data() + lo), (hi - lo) * sizeof(T));
        }
    }
    const std::vector<std::string> incoming = comm.all_to_all(outgoing);

    const auto [lo, hi] = segment(rank);
    std::vector<std::string_view> piece(parts);
    std::vector<bool> seen(parts);
    for (std::size_t r = 0; r < n; ++r) {
        byte_reader in(incoming[r], "dist::sum_in_part_order: the values from rank " + std::to_string(r));
        while (in.left() > 0) {
            const auto p = decode<std::uint64_t>(in);
            require(p < parts && p % n == r && !seen[p], [&] { return in.where() + ": part " + std::to_string(p) + " out of place"; });
            seen[p] = true;
            piece[p] = in.take((hi - lo) * sizeof(T), "a part's values");
        }
    }
    std::vector<T> sum(hi - lo, T(0));
    bool started = false;
    for (std::size_t p = 0; p < parts; ++p) {
        if (!seen[p] || sum.empty()) continue;
        if (!started) std::memcpy(sum.data(), piece[p].data(), piece[p].size());
        else
            for (std::size_t i = 0; i < sum.size(); ++i) {
                T v;
                std::memcpy(&v, piece[p].data() + i * sizeof(T), sizeof(T));
                sum[i] += v;
            }
        started = true;
    }

    const std::vector<std::string> sums = comm.all_gather(std::string_view(reinterpret_cast<const char*>(sum.data()), sum.size() * sizeof(T)));
    std::vector<T> out(length);
    for (std::size_t r = 0; r < n; ++r) {
        const auto [a, b] = segment(r);
        require(sums[r].size() == (b - a) * sizeof(T), [&] {
            return "dist::sum_in_part_order: rank " + std::to_string(r) + " sent " + std::to_string(sums[r].size()) + " bytes of sums, expected " +
                   std::to_string((b - a) * sizeof(T));
        });
        if (b > a) std::memcpy(out.data() + a, sums[r].data(), sums[r].size());
    }
    return out;
}

} // namespace qhybrid::dist
