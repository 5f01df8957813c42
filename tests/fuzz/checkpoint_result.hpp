#pragma once
// The result type of the checkpoint fuzz target and its seed: nested strings, vectors and a struct.
#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fuzz_checkpoint {

struct scores {
    BOOST_HANA_DEFINE_STRUCT(scores, (double, accuracy), (std::vector<double>, per_class));
};

struct result {
    BOOST_HANA_DEFINE_STRUCT(result, (std::string, name), (scores, clean), (std::vector<std::vector<float>>, curves),
                             (std::pair<std::int32_t, double>, best));
};

} // namespace fuzz_checkpoint
