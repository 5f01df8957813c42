// SPDX-License-Identifier: Apache-2.0
#pragma once
// Minibatches of row indices: `rows` rows cut into batches of `batch_size` (the last one may be
// smaller), in order or in an order shuffled from a seeded generator once per epoch.
//   data::minibatches batches(n, 32);
//   batches.shuffle(gen);
//   for (std::span<const std::size_t> rows : batches) { ... }
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::data {

class minibatches {
public:
    minibatches(std::size_t rows, std::size_t batch_size) : order_(rows), batch_size_(batch_size) {
        require(rows > 0 && batch_size > 0, [&] {
            return "minibatches: " + std::to_string(rows) + " rows in batches of " + std::to_string(batch_size) +
                   " (both must be positive)";
        });
        std::iota(order_.begin(), order_.end(), std::size_t(0));
    }

    // A new order; the same generator state gives the same order on every platform.
    void shuffle(rng& gen) noexcept { gen.shuffle(std::span<std::size_t>(order_)); }

    std::size_t size() const noexcept { return (order_.size() + batch_size_ - 1) / batch_size_; }
    std::size_t rows() const noexcept { return order_.size(); }

    std::span<const std::size_t> operator[](std::size_t b) const noexcept {
        const std::size_t first = b * batch_size_;
        return {order_.data() + first, std::min(batch_size_, order_.size() - first)};
    }

    class iterator {
    public:
        iterator(const minibatches& owner, std::size_t b) : owner_(&owner), b_(b) {}
        std::span<const std::size_t> operator*() const noexcept { return (*owner_)[b_]; }
        iterator& operator++() noexcept { return ++b_, *this; }
        bool operator==(const iterator& other) const noexcept { return b_ == other.b_; }

    private:
        const minibatches* owner_;
        std::size_t b_;
    };
    iterator begin() const noexcept { return {*this, 0}; }
    iterator end() const noexcept { return {*this, size()}; }

private:
    std::vector<std::size_t> order_;
    std::size_t batch_size_;
};

} // namespace qhybrid::data
