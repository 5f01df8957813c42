// The ablation: QT-CNN with the circuit replaced by a classical RBM generator of as many
// parameters, for every supported block count.
#include "qt_cnn_deepvoice.hpp"

namespace qt_example {

candidate rbm_candidate(std::size_t blocks, const m::qt_options& o) {
    return qt_candidate<m::rbm_probabilities>(blocks, "RBM-gen", o, std::make_index_sequence<std::size(supported_blocks)>{});
}

} // namespace qt_example
