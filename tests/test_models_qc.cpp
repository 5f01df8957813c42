// QC-CNN: both heads build with the documented shapes and parameter counts, and the whole
// hybrid network (convolutions, pooling, the 8-qubit ZZFeatureMap + RealAmplitudes layer, head)
// matches central finite differences for its inputs and every parameter. Also the classical
// FSDD CNN (models::fsdd_cnn), the network PyTorch's twin is timed against.
#include "layer_check.hpp"

#include <qhybrid/models/fsdd_cnn.hpp>
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

TEST_CASE("fsdd_cnn: the documented parameter counts, and float agrees with double") {
    using m::fsdd_cnn;
    qhybrid::rng a(3), b(3), gen(5);
    auto wide = fsdd_cnn::build<double>(10, a, 1);
    auto single = fsdd_cnn::build<float>(10, b, 1); // the same initial weights, rounded
    CHECK(wide.parameter_count() == 79514);
    qhybrid::rng c(3);
    CHECK(fsdd_cnn::build<double>(6, c, 1).parameter_count() == 79254);
    const tensor x = random_tensor({5, 1, fsdd_cnn::frames, fsdd_cnn::mels}, gen);
    nn::tensor<float> xf(x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) xf[i] = float(x[i]);
    const tensor y = wide.forward(x, nn::mode::eval);
    const auto yf = single.forward(xf, nn::mode::eval);
    REQUIRE(y.shape() == nn::shape_t{5, 10});
    double err = 0;
    for (std::size_t i = 0; i < y.size(); ++i) err = std::max(err, std::abs(y[i] - double(yf[i])));
    CHECK(err < 1e-6); // float rounding through 5 layers of sums of up to 1,120 terms (6e-8 here)
    CHECK_THROWS_WITH(fsdd_cnn::build<double>(1, gen, 1), Catch::Contains("fsdd_cnn: 1 classes (need 2 or more)"));
}
