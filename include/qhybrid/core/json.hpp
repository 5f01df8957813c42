// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading JSON (nlohmann-json) as qhybrid reads every format: any failure is a qhybrid::error that
// names the file and the field, never one of the parser's own exceptions (a number like 1e400
// makes nlohmann throw out_of_range, not parse_error, so its base class is caught).
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>

namespace qhybrid::json {

using value = nlohmann::json;

// `source` names the text in messages.
inline value parse(std::string_view text, const std::string& source) {
    try {
        return value::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        fail(source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception& e) {
        fail(source + ": unreadable JSON (" + std::string(e.what()) + ")");
    }
}

inline value parse_file(const std::filesystem::path& path) {
    const auto bytes = read_file(path);
    return parse({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, path.string());
}

// `where` says where j is ("props.json: gates[3]"); the accessors below add the field's name.
inline const value& field(const value& j, const char* name, const std::string& where) {
    require(j.is_object() && j.contains(name), [&] { return where + ": missing field \"" + name + "\""; });
    return j[name];
}

inline const value& array_of(const value& j, const std::string& file, const std::string& where) {
    require(j.is_array(), [&] { return file + ": " + where + " is not a list"; });
    return j;
}

inline std::string string_of(const value& j, const std::string& file, const std::string& where) {
    require(j.is_string(), [&] { return file + ": " + where + " is not a string"; });
    return j.get<std::string>();
}

inline double number_of(const value& j, const std::string& file, const std::string& where) {
    require(j.is_number() && std::isfinite(j.get<double>()), [&] { return file + ": " + where + " is not a finite number"; });
    return j.get<double>();
}

} // namespace qhybrid::json
