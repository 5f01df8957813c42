// SPDX-License-Identifier: Apache-2.0
#pragma once
// The reference files written by the scripts in tests/reference/ whose rows start with their kind:
// "kind,field,field,...", comment lines starting with '#'.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ref {

// The rows of `kind` in tests/reference/`file`, each split at its commas (the kind first).
inline std::vector<std::vector<std::string>> reference_rows(const std::string& file, const std::string& kind) {
    std::ifstream in(std::string(QHYBRID_TEST_REFERENCE) + "/" + file);
    REQUIRE(in);
    std::vector<std::vector<std::string>> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::stringstream s(line);
        for (std::string f; std::getline(s, f, ',');) fields.push_back(f);
        if (fields[0] == kind) out.push_back(fields);
    }
    REQUIRE(!out.empty());
    return out;
}

} // namespace ref
