// Embedded inference: the exported headers (written at build time by embedded/make_fixture from
// trained library models) give outputs equal, bit for bit, to the library models' for every
// fixture input, in float and double, without a single heap allocation; non-finite input is a
// status, not a crash. export_header rejects what it cannot export.
#include <catch2/catch.hpp>

#include "allocation_counter.hpp"
#include "deepvoice_cnn_f32.hpp"
#include "deepvoice_cnn_f64.hpp"
#include "fixture.hpp"
#include "image_cnn_f32.hpp"
#include "image_cnn_f64.hpp"
#include "mlp_f32.hpp"
#include "mlp_f64.hpp"
#include "qt_generated_cnn_f32.hpp"
#include "qt_generated_cnn_f64.hpp"

#include <qhybrid/embedded/export.hpp>
#include <qhybrid/nn/batch_norm.hpp>

#include <filesystem>

namespace {

namespace e = qhybrid::embedded;

// Runs `net` on every fixture input (inputs rounded to its type) and compares with `expected`.
template <class Net, std::size_t N, std::size_t M>
void check_equal(const Net& net, const std::array<double, N>& inputs, const std::array<typename Net::value_type, M>& expected) {
    using T = typename Net::value_type;
    static_assert(N == fixture::count * Net::input_size && M == fixture::count * Net::output_size);
    std::array<T, Net::input_size> x{};
    std::array<T, Net::output_size> y{};
    std::size_t differing = 0, statuses = 0;
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t before = allocation_count();
#endif
    for (std::size_t s = 0; s < fixture::count; ++s) {
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = T(inputs[s * x.size() + i]);
        statuses += net.run(x, y) != e::status::ok;
        for (std::size_t o = 0; o < y.size(); ++o) differing += y[o] != expected[s * y.size() + o];
    }
#ifdef QHYBRID_COUNT_ALLOCATIONS
    const std::size_t allocated = allocation_count() - before;
    CHECK(allocated == 0);
#endif
    CHECK(statuses == 0);
    CHECK(differing == 0);
}

} // namespace

TEST_CASE("embedded: DEEP-VOICE CNN equals the library model bit for bit, no allocation") {
    check_equal(deepvoice_cnn_f32::model, fixture::deep_voice_inputs, fixture::deepvoice_cnn_f32);
    check_equal(deepvoice_cnn_f64::model, fixture::deep_voice_inputs, fixture::deepvoice_cnn_f64);
}

TEST_CASE("embedded: QT-CNN's generated CNN equals the library model bit for bit, no allocation") {
    check_equal(qt_generated_cnn_f32::model, fixture::deep_voice_inputs, fixture::qt_generated_cnn_f32);
    check_equal(qt_generated_cnn_f64::model, fixture::deep_voice_inputs, fixture::qt_generated_cnn_f64);
}

TEST_CASE("embedded: MLP with tanh and sigmoid, and a 2-D CNN with stride and padding") {
    check_equal(mlp_f64::model, fixture::deep_voice_inputs, fixture::mlp_f64);
    check_equal(mlp_f32::model, fixture::deep_voice_inputs, fixture::mlp_f32);
    check_equal(image_cnn_f32::model, fixture::image_inputs, fixture::image_cnn_f32);
    check_equal(image_cnn_f64::model, fixture::image_inputs, fixture::image_cnn_f64);
}

TEST_CASE("embedded: non-finite input is reported") {
    std::array<float, 26> x{};
    std::array<float, 2> y{};
    CHECK(deepvoice_cnn_f32::model.run(x, y) == e::status::ok);
    x[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK(deepvoice_cnn_f32::model.run(x, y) == e::status::non_finite_input);
    x[3] = std::numeric_limits<float>::infinity();
    CHECK(deepvoice_cnn_f32::model.run(x, y) == e::status::non_finite_input);
}

TEST_CASE("export_header: layers without an embedded counterpart, bad names and paths are errors") {
    namespace nn = qhybrid::nn;
    qhybrid::rng gen(1);
    const auto dir = std::filesystem::temp_directory_path();
    nn::sequential<double> net;
    net.add<nn::dense<double>>(4, 3, gen).add<nn::batch_norm<double>>(3);
    CHECK_THROWS_WITH(e::export_header(net, {4}, dir / "qhybrid_bn.hpp"), Catch::Contains("batch_norm") && Catch::Contains("no embedded counterpart"));
    nn::sequential<double> ok;
    ok.add<nn::dense<double>>(4, 3, gen);
    CHECK_THROWS_WITH(e::export_header(ok, {4}, dir / "qhybrid_x.hpp", {.name = "3d"}), Catch::Contains("not a C++ identifier"));
    CHECK_THROWS_WITH(e::export_header(ok, {4}, dir / "no-such-dir" / "x.hpp"), Catch::Contains("cannot open"));
    CHECK_THROWS_WITH(e::export_header(ok, {5}, dir / "qhybrid_x.hpp"), Catch::Contains("dense"));
}
