#pragma once
// What the usage lines of quantum/'s headers (the lines after "// Usage:" in their comments) take
// as given: the header checks compile each header's lines as the body of a function in
// usage::in_<folder> after its folder's prelude (tests/CMakeLists.txt).
#include <qhybrid/quantum.hpp>
#include <qhybrid/quantum/device_noise.hpp>
#include <qhybrid/quantum/qasm.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace usage::in_quantum {
using namespace qhybrid::quantum;
using my_circuit = compose<angle_encoding<4>, circuit<barrier<0b1111>>, real_amplitudes<4, 1>>;
inline std::vector<double> params, inputs, dparams, dinputs, dz;
inline std::filesystem::path data;
inline std::uint64_t seed = 1;
} // namespace usage::in_quantum
