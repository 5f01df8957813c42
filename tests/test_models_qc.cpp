// QC-CNN: both heads build with the documented shapes and parameter counts, and the whole
// hybrid network (convolutions, pooling, the 8-qubit ZZFeatureMap + RealAmplitudes layer, head)
// matches central finite differences for its inputs and every parameter.
#include "layer_check.hpp"

#include <qhybrid/models/qc_cnn.hpp>

namespace m = qhybrid::models;

TEST_CASE("qc_cnn: shapes and parameter counts of both heads") {
    qhybrid::rng gen(1);
    const m::qc_cnn_shape s{.frames = 63, .mels = 40, .classes = 10};
    auto quantum = m::qc_cnn<double>(s, m::qc_head::quantum, gen, 1);
    auto classical = m::qc_cnn<double>(s, m::qc_head::classical, gen, 1);
    const std::size_t convs = (1 * 9 * 8 + 8) + (8 * 9 * 16 + 16) + (16 * 9 * 16 + 16);
    const std::size_t reduce = 16 * 7 * 5 * 8 + 8, head = 8 * 10 + 10;
    CHECK(quantum.parameter_count() == convs + reduce + 8 * 4 + head); // RealAmplitudes(8, reps 3): 32 angles
    CHECK(classical.parameter_count() == convs + reduce + 8 * 8 + 8 + head);
    const tensor x = random_tensor({3, 1, 63, 40}, gen);
    CHECK(quantum.forward(x, nn::mode::eval).shape() == nn::shape_t{3, 10});
    CHECK(classical.forward(x, nn::mode::eval).shape() == nn::shape_t{3, 10});
    CHECK_THROWS_WITH(m::qc_cnn<double>({.frames = 4, .mels = 40, .classes = 2}, m::qc_head::quantum, gen, 1),
                      Catch::Contains("8 x 8 at least"));
}

TEST_CASE("qc_cnn: gradients of the hybrid network match finite differences") {
    qhybrid::rng gen(4);
    for (const auto head : {m::qc_head::quantum, m::qc_head::classical}) {
        auto net = m::qc_cnn<double>({.frames = 8, .mels = 10, .classes = 3, .dropout = 0}, head, gen, 1);
        CHECK(gradient_error(net, random_tensor({3, 1, 8, 10}, gen), nn::mode::train, gen) < fd_tol);
    }
}
