// QT-CNN, the circuit as the source of p, for every supported block count.
#include "qt_cnn_deepvoice.hpp"

namespace qt_example {

candidate circuit_candidate(std::size_t blocks, const m::qt_options& o) {
    return qt_candidate<m::circuit_probabilities>(blocks, "QT-CNN", o, std::make_index_sequence<std::size(supported_blocks)>{});
}

} // namespace qt_example
