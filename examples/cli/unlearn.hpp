#pragma once
// `qhybrid unlearn`: a speaker forgotten by a saved speaker CNN (its own translation unit, so that
// the rest of the CLI does not recompile with the unlearning strategies).
#include <cstddef>
#include <string>

namespace cli {

struct unlearn_settings {
    std::string model, speaker, method = "qpaudioeraser", data, out;
    std::size_t epochs = 5, shadows = 0, relearn_steps = 2000, max_epochs = 100;
    bool against_retrain = false;
};

// The method names `--method` takes.
const char* unlearn_method_names();

int unlearn(const unlearn_settings& s);

} // namespace cli
