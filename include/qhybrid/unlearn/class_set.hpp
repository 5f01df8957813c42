// SPDX-License-Identifier: Apache-2.0
#pragma once
// The classes one request forgets: a speaker, an accent or a digit, or several at once (two
// speakers in one request, not one after the other). One index converts implicitly, so that a
// single class reads as it always did:
//
//   unlearn::eraser_options o{.forget = 3};
//   unlearn::class_set both{1, 4};   // both.contains(4), both.describe() == "{1, 4}"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

class class_set {
public:
    class_set(std::size_t c) : classes_{c} {} // NOLINT(google-explicit-constructor): one class is the common case
    class_set(std::initializer_list<std::size_t> c) : class_set(std::vector<std::size_t>(c)) {}
    explicit class_set(std::vector<std::size_t> c) : classes_(std::move(c)) {
        std::sort(classes_.begin(), classes_.end());
        require(!classes_.empty(), [] { return std::string("class_set: no class to forget"); });
        const auto twice = std::adjacent_find(classes_.begin(), classes_.end());
        require(twice == classes_.end(), [&] { return "class_set: class " + std::to_string(*twice) + " twice"; });
    }

    bool contains(std::size_t c) const noexcept { return std::binary_search(classes_.begin(), classes_.end(), c); }
    std::size_t size() const noexcept { return classes_.size(); }
    std::size_t largest() const noexcept { return classes_.back(); }
    std::span<const std::size_t> values() const noexcept { return classes_; } // ascending
    auto begin() const noexcept { return classes_.begin(); }
    auto end() const noexcept { return classes_.end(); }
    bool operator==(const class_set&) const = default;

    // "3" for one class, "{1, 4}" for several.
    std::string describe() const {
        if (size() == 1) return std::to_string(classes_[0]);
        std::string s;
        for (std::size_t c : classes_) s += (s.empty() ? "{" : ", ") + std::to_string(c);
        return s + "}";
    }

private:
    std::vector<std::size_t> classes_;
};

} // namespace qhybrid::unlearn
