// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one exception type of qhybrid: invalid input, with enough context to find it.
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace qhybrid {

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(std::string what) { throw error(std::move(what)); }

// Throws qhybrid::error unless cond holds; the message is only built on failure.
template <class MakeMessage>
constexpr void require(bool cond, MakeMessage&& make_message) {
    if (!cond) [[unlikely]]
        fail(std::string(make_message()));
}

// A number in an error message, in its shortest exact form ("1.5", not "1.500000").
inline std::string number(double v) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    return std::string(buf, end);
}

// A number rounded for people, "3912" or "0.0213" (4 significant digits by default).
inline std::string significant(double v, int digits = 4) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

} // namespace qhybrid
