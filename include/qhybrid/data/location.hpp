// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where the data sets are: a folder given on the command line, else $QHYBRID_DATA, else
// ../shared/data (the layout of qhybrid's own checkout). The data are never written.
#include "qhybrid/core/error.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace qhybrid::data {

// `flag` is the --data value ("" when absent).
inline std::filesystem::path data_root(const std::string& flag = "") {
    if (!flag.empty()) return flag;
    if (const char* env = std::getenv("QHYBRID_DATA"); env && *env) return env;
    return "../shared/data";
}

// root / relative, or a qhybrid::error saying what is missing and how to provide it.
inline std::filesystem::path require_data(const std::filesystem::path& root, const std::filesystem::path& relative) {
    const auto path = root / relative;
    require(std::filesystem::exists(path), [&] {
        return path.string() + " not found. Pass --data DIR or set QHYBRID_DATA to the folder that holds " +
               relative.begin()->string() + "/ (qhybrid's checkout keeps it at ../shared/data; see the README)";
    });
    return path;
}

} // namespace qhybrid::data
