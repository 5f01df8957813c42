// The quantum layer (forward against single-state runs, backward against finite differences), the
// training loop (learning, early stopping, best-model restore) and weight files (round trip,
// wrong architecture, wrong precision, truncated and corrupted files).
#include "layer_check.hpp"

#include <qhybrid/nn.hpp>
#include <qhybrid/quantum.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace q = qhybrid::quantum;

using qnn = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, q::real_amplitudes<4, 2>>;

TEST_CASE("quantum_layer: forward equals single-state runs, backward matches finite differences") {
    qhybrid::rng r(1);
    nn::quantum_layer<qnn, double> layer(r);
    tensor x({11, 4}); // 11 samples: one full sweep of 8 lanes and a padded one
    for (auto& v : x.values()) v = r.uniform(0, M_PI);
    const tensor y = layer.forward(x, nn::mode::train);
    REQUIRE(y.shape() == nn::shape_t{11, 4});
    const auto theta = layer.parameters()[0].value->values();
    double err = 0;
    for (std::size_t b = 0; b < 11; ++b) {
        q::statevector<4> psi;
        q::executor<qnn>().run(psi, theta, x.row(b));
        const auto z = q::expval_z(psi);
        for (std::size_t k = 0; k < 4; ++k) err = std::max(err, std::abs(z[k] - y[b * 4 + k]));
    }
    CHECK(err <= 1e-13);

    CHECK(gradient_error(layer, x, nn::mode::train, r) <= fd_tol);
    double largest = 0; // the check above is not vacuous
    for (double g : layer.parameters()[0].grad->values()) largest = std::max(largest, std::abs(g));
    CHECK(largest > 1e-2);

    CHECK_THROWS_WITH(layer.forward(tensor({2, 3}), nn::mode::train), Catch::Contains("quantum_layer") && Catch::Contains("[2, 3]"));
    tensor nan_input({1, 4});
    nan_input[2] = std::nan("");
    CHECK_THROWS_WITH(layer.forward(nan_input, nn::mode::train), Catch::Contains("inputs: value 2 of sample 0 is not finite"));
    CHECK_THROWS_WITH(layer.backward(tensor({11, 3})), Catch::Contains("quantum_layer"));
    // Backward consumes the final states forward kept.
    layer.forward(x, nn::mode::train);
    layer.backward(tensor({11, 4}));
    CHECK_THROWS_WITH(layer.backward(tensor({11, 4})), Catch::Contains("backward() needs a forward() that completed after the last backward()"));
}

// QShield's module: RX, RY, RZ of three inputs on each of 4 qubits, a fully entangling layer, noise.
template <q::qubit Q>
using encode3 = q::circuit<q::rx<Q, q::input<3 * Q>>, q::ry<Q, q::input<3 * Q + 1>>, q::rz<Q, q::input<3 * Q + 2>>>;
using noisy_module = q::compose<encode3<0>, encode3<1>, encode3<2>, encode3<3>, q::real_amplitudes<4, 1, q::entanglement::full>,
                                q::circuit<q::barrier<0b1111>>>;

TEST_CASE("quantum_layer with noise: probabilities of exact density matrices, and the adjoint method through the noise matches finite differences") {
    qhybrid::rng r(2);
    const q::mixed noise(0.05, q::noise_sites::barriers, {0.4, 0.3, 0.3});
    nn::quantum_layer<noisy_module, double, q::mixed, nn::probability_readout> layer(noise, r);
    tensor x({11, 12}); // one full sweep of the lanes and a padded one
    for (auto& v : x.values()) v = r.uniform(-M_PI, M_PI);
    const tensor y = layer.forward(x, nn::mode::train);
    REQUIRE(y.shape() == nn::shape_t{11, 16});
    const auto theta = layer.parameters()[0].value->values();
    double err = 0, noise_effect = 0;
    for (std::size_t b = 0; b < 11; ++b) {
        q::density_matrix<4> rho;
        q::executor<noisy_module, q::mixed>(noise, {}).run(rho, theta, x.row(b));
        q::statevector<4> psi;
        q::executor<noisy_module>().run(psi, theta, x.row(b));
        const auto p = q::probabilities(rho), ideal = q::probabilities(psi);
        double total = 0;
        for (std::size_t k = 0; k < 16; ++k) {
            err = std::max(err, std::abs(p[k] - y[b * 16 + k]));
            noise_effect = std::max(noise_effect, std::abs(p[k] - ideal[k]));
            total += y[b * 16 + k];
        }
        CHECK(total == Approx(1).margin(1e-13));
    }
    CHECK(err <= 1e-13);
    CHECK(noise_effect > 1e-3); // the noise is there to be differentiated through
    CHECK(gradient_error(layer, x, nn::mode::train, r) <= fd_tol);
    CHECK_THAT(layer.describe(), Catch::Contains("noisy, on density matrices; basis-state probabilities"));
    CHECK_THROWS_WITH(layer.backward(tensor({11, 4})), Catch::Contains("quantum_layer"));
}

// Two Gaussian blobs per class in 2-D: separable, but not by a line through the origin.
nn::labelled<double> blobs(std::size_t n, std::uint64_t seed) {
    qhybrid::rng r(seed);
    nn::labelled<double> d{tensor({n, 2}), std::vector<std::size_t>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = i % 2, mode = r.below(2);
        const double cx = c ? (mode ? 2 : -2) : 0, cy = c ? 0 : (mode ? 2 : -2);
        d.x[2 * i] = cx + 0.5 * r.normal();
        d.x[2 * i + 1] = cy + 0.5 * r.normal();
        d.y[i] = c;
    }
    return d;
}

nn::sequential<double> small_net(std::uint64_t seed) {
    qhybrid::rng r(seed);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(2, 16, r).add<nn::relu<double>>().add<nn::dense<double>>(16, 2, r);
    return net;
}

TEST_CASE("fit: learns, is reproducible from the seed, stops early and restores the best epoch") {
    const auto train = blobs(400, 1), val = blobs(200, 2);
    auto run = [&](nn::fit_options o) {
        auto net = small_net(3);
        nn::adam<double> opt(net.parameters(), {.lr = 0.02});
        auto history = nn::fit(net, opt, train, &val, o);
        return std::pair{std::move(net), history};
    };
    auto [net, history] = run({.epochs = 25, .batch_size = 16, .seed = 4, .progress = false});
    REQUIRE(history.size() == 25);
    CHECK(history.back().accuracy >= 0.95);
    const auto v = nn::evaluate(net, val, 64);
    double best = 1e300;
    for (const auto& e : history) best = std::min(best, e.val_loss);
    CHECK(v.loss == Approx(best).epsilon(1e-12)); // the restored model is the best epoch's
    CHECK(v.accuracy >= 0.95);

    auto [again, history2] = run({.epochs = 25, .batch_size = 16, .seed = 4, .progress = false});
    CHECK(history2.back().loss == history.back().loss);

    // A learning rate that overshoots makes the validation loss stop improving: patience ends it.
    auto net3 = small_net(3);
    nn::sgd<double> wild(net3.parameters(), {.lr = 5.0});
    const auto h3 = nn::fit(net3, wild, train, &val, {.epochs = 40, .batch_size = 16, .seed = 4, .patience = 3, .progress = false});
    CHECK(h3.size() < 40);

    nn::labelled<double> empty{tensor({0, 2}), {}};
    CHECK_THROWS_WITH(nn::fit(net3, wild, empty, nullptr, {}), Catch::Contains("empty training data"));
    nn::labelled<double> mismatched{tensor({3, 2}), {0, 1}};
    CHECK_THROWS_WITH(nn::evaluate(net3, mismatched, 8), Catch::Contains("labels and rows differ"));
    CHECK_THROWS_WITH(nn::fit(net3, wild, train, nullptr, {.batch_size = 0}), Catch::Contains("batch size must be positive"));
}

TEST_CASE("predict: a network's outputs in blocks of rows equal one forward pass over every row, bit for bit") {
    qhybrid::rng r(5);
    nn::sequential<double> net; // a small fsdd_cnn: convolution, pooling, batch norm, dense
    net.add<nn::conv2d<double>>(nn::conv_shape{1, 4, 3, 3, 1, 1, 1, 1}, r)
        .add<nn::relu<double>>()
        .add<nn::max_pool2d<double>>(2)
        .add<nn::flatten<double>>()
        .add<nn::batch_norm<double>>(4 * 3 * 2)
        .add<nn::dense<double>>(4 * 3 * 2, 3, r);
    tensor x({37, 1, 7, 5});
    for (double& v : x.values()) v = r.normal();
    net.forward(x, nn::mode::train); // running statistics that are not the identity
    const tensor whole = net.forward(x, nn::mode::eval);
    for (std::size_t block : {1, 8, 32, 37, 100}) {
        const tensor blocks = nn::predict(net, x, block);
        REQUIRE(blocks.shape() == whole.shape());
        CHECK(std::equal(blocks.values().begin(), blocks.values().end(), whole.values().begin()));
    }
    CHECK_THROWS_WITH(nn::predict(net, x, 0), Catch::Contains("in_row_blocks: block 0"));
    const auto drops_a_row = [](const tensor& rows) { return tensor({rows.dim(0) - 1, 2}); };
    CHECK_THROWS_WITH(nn::in_row_blocks(x, 10, drops_a_row), Catch::Contains("a block of 10 rows gave 18 values"));
}

std::string temp_path(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }

std::vector<char> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_all(const std::string& path, const std::vector<char>& b) {
    std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
}

TEST_CASE("weights: round trip, and clear errors for other models, other precisions and damaged files") {
    qhybrid::rng r(5);
    nn::sequential<double> net;
    net.add<nn::conv1d<double>>(1, 3, 3, 1, 1, r).add<nn::batch_norm<double>>(3).add<nn::flatten<double>>().add<nn::dense<double>>(12, 2, r);
    tensor x({5, 1, 4});
    for (auto& v : x.values()) v = r.uniform(-1, 1);
    net.forward(x, nn::mode::train); // moves the batch-norm running statistics off their start
    const std::string path = temp_path("qhybrid_test_weights.bin");
    nn::save_weights(net, path);

    auto copy = net;
    for (auto& p : copy.parameters()) p.value->fill(0);
    for (auto* b : copy.buffers()) b->fill(0);
    nn::load_weights(copy, path);
    const tensor a = net.forward(x, nn::mode::eval), b = copy.forward(x, nn::mode::eval);
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(a[i] == b[i]);

    nn::sequential<double> other;
    other.add<nn::dense<double>>(4, 2, r);
    CHECK_THROWS_WITH(nn::load_weights(other, path), Catch::Contains("another architecture"));
    nn::sequential<float> single;
    CHECK_THROWS_WITH(nn::load_weights(single, path), Catch::Contains("64-bit values"));
    CHECK_THROWS_WITH(nn::load_weights(copy, temp_path("qhybrid_no_such_file.bin")), Catch::Contains("cannot open"));
    CHECK(nn::saved_architecture(path) == net.describe());
    CHECK_THROWS_WITH(nn::saved_architecture(temp_path("qhybrid_no_such_file.bin")), Catch::Contains("cannot open"));

    const auto bytes = read_all(path);
    const std::string damaged = temp_path("qhybrid_test_damaged.bin");
    // Every truncation is an error, and the model keeps its weights.
    const tensor before = *copy.parameters()[0].value;
    std::size_t errors = 0;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        write_all(damaged, std::vector<char>(bytes.begin(), bytes.begin() + std::ptrdiff_t(n)));
        try {
            nn::load_weights(copy, damaged);
        } catch (const qhybrid::error&) {
            ++errors;
        }
    }
    CHECK(errors == bytes.size());
    // saved_architecture checks the same way.
    write_all(damaged, std::vector<char>(bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() / 2)));
    CHECK_THROWS_WITH(nn::saved_architecture(damaged), Catch::Contains("checksum mismatch"));
    write_all(damaged, std::vector<char>(bytes.begin(), bytes.begin() + 10));
    CHECK_THROWS_WITH(nn::saved_architecture(damaged), Catch::Contains("not a qhybrid weights file"));
    // Every single flipped byte is an error (the checksum, or the magic).
    errors = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] = char(flipped[i] ^ 0x5a);
        write_all(damaged, flipped);
        try {
            nn::load_weights(copy, damaged);
        } catch (const qhybrid::error&) {
            ++errors;
        }
    }
    CHECK(errors == bytes.size());
    const tensor after = *copy.parameters()[0].value;
    for (std::size_t i = 0; i < before.size(); ++i) REQUIRE(before[i] == after[i]);
    std::remove(path.c_str());
    std::remove(damaged.c_str());
}

TEST_CASE("weights: metadata round trip, version 1 files still load, forged sizes are rejected before allocation") {
    qhybrid::rng r(6);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(3, 2, r);
    const std::string path = temp_path("qhybrid_test_weights_v2.bin");
    const std::string metadata = "{\"format\": \"anything\", \"bytes\": \"\\u0000\xc3\xa9\"}";
    nn::save_weights(net, path, metadata);
    CHECK(nn::saved_metadata(path) == metadata);
    nn::save_weights(net, path);
    CHECK(nn::saved_metadata(path).empty());

    // A version 1 file: the same bytes without the metadata field, version 1, checksum redone.
    auto bytes = read_all(path);
    std::vector<unsigned char> v1(bytes.begin(), bytes.end());
    const std::size_t arch_at = 16, arch_len = v1[arch_at] | v1[arch_at + 1] << 8; // after magic, version, element size
    v1.erase(v1.begin() + long(arch_at + 4 + arch_len), v1.begin() + long(arch_at + 8 + arch_len)); // the empty metadata
    v1[8] = 1;
    v1.resize(v1.size() - 8);
    const std::uint64_t sum = nn::detail::fnv1a(v1, v1.size());
    for (int b = 0; b < 8; ++b) v1.push_back((unsigned char)(sum >> (8 * b)));
    write_all(path, std::vector<char>(v1.begin(), v1.end()));
    auto copy = net;
    for (auto& p : copy.parameters()) p.value->fill(0);
    nn::load_weights(copy, path);
    CHECK(copy.parameters()[0].value->values()[0] == net.parameters()[0].value->values()[0]);
    CHECK(nn::saved_metadata(path).empty());

    // A rank of 2^32 - 1 with a valid checksum: rejected by its bound, nothing allocated from it.
    nn::save_weights(net, path);
    bytes = read_all(path);
    std::vector<unsigned char> forged(bytes.begin(), bytes.end());
    const std::size_t name_at = arch_at + 4 + arch_len + 4 + 4; // metadata (empty), tensor count
    const std::size_t rank_at = name_at + 4 + forged[name_at];
    for (int b = 0; b < 4; ++b) forged[rank_at + std::size_t(b)] = 0xff;
    forged.resize(forged.size() - 8);
    const std::uint64_t forged_sum = nn::detail::fnv1a(forged, forged.size());
    for (int b = 0; b < 8; ++b) forged.push_back((unsigned char)(forged_sum >> (8 * b)));
    write_all(path, std::vector<char>(forged.begin(), forged.end()));
    CHECK_THROWS_WITH(nn::load_weights(copy, path), Catch::Contains("tensor \"0.weight\" has rank 4294967295, more than 8"));

    // Saving never leaves a partial file: a failed write keeps the old file.
    nn::save_weights(net, path);
    const auto before = read_all(path);
    CHECK_THROWS_WITH(nn::save_weights(net, temp_path("qhybrid_no_such_dir/x.bin")), Catch::Contains("cannot open"));
    std::filesystem::create_directories(path + ".partial"); // the temporary name is taken by a directory
    CHECK_THROWS_WITH(nn::save_weights(net, path), Catch::Contains("save_weights: cannot open " + path));
    CHECK(read_all(path) == before);
    std::filesystem::remove_all(path + ".partial");
    std::filesystem::remove(path);
}

TEST_CASE("copy_weights: rounds double to float, and another architecture is a clear error") {
    qhybrid::rng gen(3);
    nn::sequential<double> a;
    a.add<nn::dense<double>>(3, 2, gen).add<nn::feature_scaling<double>>(std::vector<double>{2, 3}, std::vector<double>{0.5, -1});
    nn::sequential<float> b;
    b.add<nn::dense<float>>(3, 2, gen).add<nn::feature_scaling<float>>(std::vector<double>{1, 1}, std::vector<double>{0, 0});
    nn::copy_weights(a, b);
    const auto from = nn::weight_tensors(a);
    const auto to = nn::weight_tensors(b);
    REQUIRE(from.size() == 4);
    for (std::size_t k = 0; k < from.size(); ++k)
        for (std::size_t i = 0; i < from[k]->size(); ++i) CHECK((*to[k])[i] == float((*from[k])[i]));
    nn::sequential<double> wider;
    wider.add<nn::dense<double>>(4, 2, gen).add<nn::feature_scaling<double>>(std::vector<double>{1, 1}, std::vector<double>{0, 0});
    CHECK_THROWS_WITH(nn::copy_weights(wider, b), Catch::Contains("tensor 0 has shape [4, 2]"));
    nn::sequential<double> shorter;
    shorter.add<nn::dense<double>>(3, 2, gen);
    CHECK_THROWS_WITH(nn::copy_weights(shorter, b), Catch::Contains("different tensor counts"));
}

TEST_CASE("weight_values and set_weight_values: parameters and buffers there and back, bit for bit, and a wrong count changes nothing") {
    qhybrid::rng gen(5);
    const auto build = [&] {
        nn::sequential<double> net;
        net.add<nn::dense<double>>(3, 4, gen).add<nn::batch_norm<double>>(4).add<nn::dense<double>>(4, 2, gen);
        return net;
    };
    auto a = build();
    const std::vector<double> rows{0.3, -1, 2, 0.5, 0.25, -0.75, 1, 1, 1, -2, 0, 0.5, 0.1, 0.2, 0.3, 4, -4, 0};
    const nn::tensor<double> x({6, 3}, std::span<const double>(rows));
    a.forward(x, nn::mode::train); // running statistics away from their start
    const std::vector<double> values = nn::weight_values(a);
    std::size_t count = 0;
    for (const auto* w : nn::weight_tensors(a)) count += w->size();
    CHECK(values.size() == count);
    auto b = build();
    nn::set_weight_values(b, std::span<const double>(values));
    CHECK(nn::weight_values(b) == values);
    const auto ya = a.forward(x, nn::mode::eval), yb = b.forward(x, nn::mode::eval);
    CHECK(std::equal(ya.data(), ya.data() + ya.size(), yb.data()));
    const std::vector<double> short_by_one(values.begin(), values.end() - 1);
    auto c = build();
    const auto before = nn::weight_values(c);
    CHECK_THROWS_WITH(nn::set_weight_values(c, std::span<const double>(short_by_one)),
                      Catch::Contains("set_weight_values: " + std::to_string(count - 1) + " values for a model of " + std::to_string(count)));
    CHECK(nn::weight_values(c) == before);
}
