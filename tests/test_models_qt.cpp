// SPDX-License-Identifier: Apache-2.0
// QT-CNN: the generated weights equal the Quantum-Train formula evaluated with an independent
// dense simulator and a hand-written mapping MLP; every trainable gradient (angles, mapping,
// scales) and the input gradient match central finite differences, with and without the
// probability transform; generated() is the same network; the DEEP-VOICE target has the
// advertised size. The classical-generator ablation (rbm_probabilities) follows its formula,
// has the circuit's parameter count and finite-difference gradients; the size-matched CNNs
// have the counts the QT-CNN table quotes.
#include "dense.hpp"
#include "layer_check.hpp"

#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/qt_cnn.hpp>
#include <qhybrid/nn/serialize.hpp>

#include <filesystem>
#include <map>

namespace m = qhybrid::models;

namespace {

// A smooth target (tanh, no kinks) so finite differences are clean: 26 weights, 5 qubits.
struct tiny_target {
    static constexpr std::size_t parameter_count = 3 * 4 + 4 + 4 * 2 + 2;
    template <class T>
    static nn::sequential<T> build(qhybrid::rng& gen) {
        nn::sequential<T> net;
        net.template add<nn::dense<T>>(3, 4, gen).template add<nn::tanh<T>>().template add<nn::dense<T>>(4, 2, gen);
        return net;
    }
};
constexpr std::size_t qubits = 5, blocks = 3;
using tiny_qt = m::qt_cnn<qubits, blocks, tiny_target>;

// |<k|psi>|^2 of ry_cnot_blocks from its definition: per block RY(theta[b N + q]) on every
// qubit q, then CNOT(q, q + 1 mod N) for q = 0 .. N-1.
std::vector<double> reference_probabilities(std::span<const double> theta) {
    const std::size_t dim = std::size_t{1} << qubits;
    dense::vec psi(dim, 0.0);
    psi[0] = 1;
    for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t q = 0; q < qubits; ++q) psi = dense::embed(qubits, {{q, dense::RY(theta[b * qubits + q])}}) * psi;
        for (std::size_t q = 0; q < qubits; ++q) psi = dense::controlled(qubits, q, (q + 1) % qubits, dense::X()) * psi;
    }
    std::vector<double> p(dim);
    for (std::size_t k = 0; k < dim; ++k) p[k] = std::norm(psi[k]);
    return p;
}

std::map<std::string, tensor> by_name(nn::layer<double>& l) {
    std::map<std::string, tensor> out;
    for (auto& p : l.parameters()) out.emplace(p.name, *p.value);
    return out;
}

} // namespace

TEST_CASE("qt_cnn: generated weights follow the Quantum-Train formula") {
    for (const auto& [transformed, centred] : {std::pair{false, false}, {true, false}, {false, true}, {true, true}}) {
        const m::probability_transform t{.enabled = transformed, .beta = 1.5, .gamma = 0.8, .alpha = 1.3};
        qhybrid::rng gen(11);
        tiny_qt qt(gen, {.mapping_hidden = 6, .transform = t, .centre_tensors = centred});
        auto params = by_name(qt);
        const auto p = reference_probabilities(params.at("theta").values());
        std::vector<double> x = p;
        if (transformed) {
            double mean = 0;
            for (auto& v : x) mean += v = std::pow(1.5 * std::tanh(0.8 * 16 * v), 1.3);
            for (auto& v : x) v -= mean / 32;
        }
        const tensor& w1 = params.at("mapping.0.weight");
        const tensor& b1 = params.at("mapping.0.bias");
        const tensor& w2 = params.at("mapping.2.weight");
        const tensor& b2 = params.at("mapping.2.bias");
        auto mapping = [&](std::size_t k) { // G(bits of k as +-1, x_k), written out
            double out = b2[0];
            for (std::size_t h = 0; h < 6; ++h) {
                double a = b1[h] + w1[qubits * 6 + h] * x[k];
                for (std::size_t q = 0; q < qubits; ++q) a += w1[q * 6 + h] * (((k >> q) & 1) ? -1.0 : 1.0);
                out += w2[h] * std::max(a, 0.0);
            }
            return out;
        };
        auto net = qt.generated();
        std::size_t k = 0, tensor_index = 0;
        double err = 0;
        for (auto& w : net.parameters()) {
            const std::size_t first = k, n = w.value->size();
            double mean = 0;
            for (std::size_t i = 0; i < n; ++i) mean += mapping(first + i) / double(n);
            if (!centred || n == 1) mean = 0;
            for (double v : w.value->values())
                err = std::max(err, std::abs(v - params.at("scale")[tensor_index] * (mapping(k++) - mean)));
            ++tensor_index;
        }
        CAPTURE(transformed, centred);
        CHECK(k == tiny_target::parameter_count);
        CHECK(err < 1e-12);
    }
}

TEST_CASE("qt_cnn: gradients of angles, mapping, scales and inputs match finite differences") {
    for (const auto& [transformed, centred] : {std::pair{false, false}, {true, false}, {false, true}, {true, true}}) {
        qhybrid::rng gen(5);
        tiny_qt qt(gen, {.mapping_hidden = 6,
                         .transform = {.enabled = transformed, .beta = 1.5, .gamma = 0.8, .alpha = 1.3},
                         .centre_tensors = centred});
        CAPTURE(transformed, centred);
        CHECK(gradient_error(qt, random_tensor({4, 3}, gen), nn::mode::train, gen) < fd_tol);
    }
}

TEST_CASE("qt_cnn: the generated network is an ordinary network with the same outputs") {
    qhybrid::rng gen(3);
    tiny_qt qt(gen, {.mapping_hidden = 6});
    const tensor x = random_tensor({7, 3}, gen);
    const tensor y = qt.forward(x, nn::mode::eval);
    auto net = qt.generated();
    CHECK(max_abs_diff(net.forward(x, nn::mode::eval), y) == 0);
    CHECK(qt.trainable_count() == qubits * blocks + (qubits + 1) * 6 + 6 + 6 + 1 + 4);
}

TEST_CASE("qt_cnn: weights round trip, and another block count or transform is a clear error") {
    qhybrid::rng gen(2);
    tiny_qt a(gen, {.mapping_hidden = 6});
    const auto file = std::filesystem::temp_directory_path() / "qhybrid_test_qt.qhw";
    nn::save_weights(a, file.string());
    qhybrid::rng other(9);
    tiny_qt b(other, {.mapping_hidden = 6});
    nn::load_weights(b, file.string());
    const tensor x = random_tensor({3, 3}, gen);
    CHECK(max_abs_diff(a.forward(x, nn::mode::eval), b.forward(x, nn::mode::eval)) == 0);
    m::qt_cnn<qubits, blocks + 1, tiny_target> deeper(other, {.mapping_hidden = 6});
    CHECK_THROWS_WITH(nn::load_weights(deeper, file.string()), Catch::Contains("another architecture"));
    tiny_qt transformed(other, {.mapping_hidden = 6, .transform = {.enabled = true}});
    CHECK_THROWS_WITH(nn::load_weights(transformed, file.string()), Catch::Contains("another architecture"));
    std::filesystem::remove(file);
}

TEST_CASE("qt_cnn: bad options are errors") {
    qhybrid::rng gen(1);
    CHECK_THROWS_WITH(tiny_qt(gen, {.mapping_hidden = 0}), Catch::Contains("hidden units"));
    CHECK_THROWS_WITH(tiny_qt(gen, {.transform = {.enabled = true, .beta = -1}}), Catch::Contains("positive beta"));
}

TEST_CASE("deep_voice_cnn: 2,810 weights, 12 qubits address them") {
    qhybrid::rng gen(1);
    const std::vector<double> scale(26, 1.0), offset(26, 0.0);
    auto net = m::deep_voice_cnn::build<double>(gen, scale, offset);
    CHECK(net.parameter_count() == m::deep_voice_cnn::parameter_count);
    CHECK(m::deep_voice_cnn::parameter_count == 2810);
    m::qt_cnn<12, 2, m::deep_voice_cnn> qt(gen, {}, std::span<const double>(scale), std::span<const double>(offset));
    const tensor y = qt.forward(random_tensor({5, 26}, gen), nn::mode::eval);
    CHECK(y.shape() == nn::shape_t{5, 2});
    CHECK(qt.trainable_count() == 12 * 2 + 301 + 8);
}

namespace {

// The RBM distribution written out: logit_k = a . s_k + sum_j log(1 + exp(w_j . s_k)), softmax;
// params = a, then w as [n, hidden].
std::vector<double> reference_rbm(std::span<const double> params, std::size_t n, std::size_t hidden) {
    const std::size_t dim = std::size_t{1} << n;
    std::vector<double> p(dim);
    double total = 0;
    for (std::size_t k = 0; k < dim; ++k) {
        auto s = [&](std::size_t q) { return ((k >> q) & 1) ? -1.0 : 1.0; };
        double logit = 0;
        for (std::size_t q = 0; q < n; ++q) logit += params[q] * s(q);
        for (std::size_t j = 0; j < hidden; ++j) {
            double z = 0;
            for (std::size_t q = 0; q < n; ++q) z += params[n + q * hidden + j] * s(q);
            logit += std::log(1 + std::exp(z));
        }
        total += p[k] = std::exp(logit);
    }
    for (auto& v : p) v /= total;
    return p;
}

template <std::size_t Blocks>
void check_rbm_source() {
    using source = m::rbm_probabilities<qubits, Blocks, double>;
    static_assert(source::num_params == qubits * Blocks);
    qhybrid::rng gen(Blocks);
    std::vector<double> params(source::num_params);
    for (auto& v : params) v = gen.uniform(-1.5, 1.5);
    source rbm;
    const auto p = rbm.probabilities(params);
    const auto want = reference_rbm(params, qubits, Blocks - 1);
    double err = 0, total = 0;
    for (std::size_t k = 0; k < p.size(); ++k) err = std::max(err, std::abs(p[k] - want[k])), total += p[k];
    CHECK(err < 1e-15);
    CHECK(std::abs(total - 1) < 1e-14);

    // The VJP against central differences of L = v . p.
    std::vector<double> v(p.size()), grad(params.size(), 0.25);
    for (auto& x : v) x = gen.uniform(-1, 1);
    std::vector<double> elsewhere(params.size(), 0.1);
    (void)rbm.probabilities(elsewhere); // vjp must not use this call's state
    rbm.vjp(params, v, grad);           // adds to what is there
    double gerr = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const double keep = params[i], h = 1e-6;
        auto loss = [&](double at) {
            params[i] = at;
            const auto q = reference_rbm(params, qubits, Blocks - 1);
            double l = 0;
            for (std::size_t k = 0; k < q.size(); ++k) l += v[k] * q[k];
            return l;
        };
        const double numeric = (loss(keep + h) - loss(keep - h)) / (2 * h);
        params[i] = keep;
        gerr = std::max(gerr, std::abs(grad[i] - 0.25 - numeric));
    }
    CHECK(gerr < fd_tol);
}

using tiny_rbm_qt = m::rbm_qt_cnn<qubits, blocks, tiny_target>;

} // namespace

TEST_CASE("rbm_probabilities: the RBM distribution and its VJP, with and without hidden units") {
    check_rbm_source<1>(); // no hidden units: independent bits
    check_rbm_source<3>();
    // One block is a product of independent bits: p(k) = prod_q sigmoid(2 a_q s_q(k)).
    m::rbm_probabilities<qubits, 1, double> one;
    const std::vector<double> a = {0.3, -0.7, 1.1, 0.0, -0.2};
    const auto p = one.probabilities(a);
    double err = 0;
    for (std::size_t k = 0; k < p.size(); ++k) {
        double want = 1;
        for (std::size_t q = 0; q < qubits; ++q) want *= 1 / (1 + std::exp(-2 * a[q] * (((k >> q) & 1) ? -1.0 : 1.0)));
        err = std::max(err, std::abs(p[k] - want));
    }
    CHECK(err < 1e-15);
}

TEST_CASE("rbm_qt_cnn: the circuit's parameter count, the same mapping, finite-difference gradients") {
    for (const auto& [transformed, centred] : {std::pair{false, false}, {true, false}, {false, true}, {true, true}}) {
        qhybrid::rng gen(5);
        tiny_rbm_qt qt(gen, {.mapping_hidden = 6,
                             .transform = {.enabled = transformed, .beta = 1.5, .gamma = 0.8, .alpha = 1.3},
                             .centre_tensors = centred});
        CAPTURE(transformed, centred);
        CHECK(gradient_error(qt, random_tensor({4, 3}, gen), nn::mode::train, gen) < fd_tol);
    }
    qhybrid::rng gen(7);
    tiny_rbm_qt rbm(gen, {.mapping_hidden = 6});
    tiny_qt circuit(gen, {.mapping_hidden = 6});
    CHECK(rbm.trainable_count() == circuit.trainable_count());
    CHECK(by_name(rbm).at("generator").size() == qubits * blocks);
    m::rbm_qt_cnn<qubits, 1, tiny_target> one(gen, {.mapping_hidden = 6});
    CHECK(one.trainable_count() == qubits + (qubits + 1) * 6 + 6 + 6 + 1 + 4);
    CHECK(gradient_error(one, random_tensor({3, 3}, gen), nn::mode::train, gen) < fd_tol);
}

TEST_CASE("rbm_qt_cnn: deterministic from the seed, generated() is the same network, the circuit model refuses its file") {
    auto make = [] {
        qhybrid::rng gen(21);
        return tiny_rbm_qt(gen, {.mapping_hidden = 6, .transform = {.enabled = true}});
    };
    tiny_rbm_qt a = make(), b = make();
    qhybrid::rng gen(4);
    const tensor x = random_tensor({6, 3}, gen);
    const tensor y = a.forward(x, nn::mode::eval);
    CHECK(max_abs_diff(y, b.forward(x, nn::mode::eval)) == 0);
    auto net = a.generated();
    CHECK(max_abs_diff(net.forward(x, nn::mode::eval), y) == 0);
    CHECK_THAT(a.describe(), Catch::Contains("RBM over 5 bits, 2 hidden units, 15 parameters"));

    const auto file = std::filesystem::temp_directory_path() / "qhybrid_test_rbm_qt.qhw";
    nn::save_weights(a, file.string());
    qhybrid::rng other(9);
    tiny_rbm_qt c(other, {.mapping_hidden = 6, .transform = {.enabled = true}});
    nn::load_weights(c, file.string());
    CHECK(max_abs_diff(c.forward(x, nn::mode::eval), y) == 0);
    tiny_qt circuit(other, {.mapping_hidden = 6, .transform = {.enabled = true}});
    CHECK_THROWS_WITH(nn::load_weights(circuit, file.string()), Catch::Contains("another architecture"));
    std::filesystem::remove(file);
}

TEST_CASE("deep_voice_cnn_of: the size-matched CNNs have the counts the QT-CNN table quotes") {
    qhybrid::rng gen(1);
    const std::vector<double> scale(26, 1.0), offset(26, 0.0);
    auto count = [&]<class Net>(Net) {
        auto net = Net::template build<double>(gen, scale, offset);
        CHECK(net.parameter_count() == Net::parameter_count);
        CHECK(net.forward(random_tensor({3, 26}, gen), nn::mode::eval).shape() == nn::shape_t{3, 2});
        return Net::parameter_count;
    };
    CHECK(count(m::deep_voice_cnn_of<2, 4, 10>{}) == 308);
    CHECK(count(m::deep_voice_cnn_of<2, 4, 15>{}) == 443);
    CHECK(count(m::deep_voice_cnn_of<4, 8, 9>{}) == 581);
    CHECK(count(m::deep_voice_cnn_of<5, 10, 11>{}) == 875);
    CHECK(count(m::deep_voice_cnn_of<6, 12, 16>{}) == 1454);
    CHECK(count(m::deep_voice_cnn{}) == 2810);
    // The QT models they are matched with: 12 * blocks angles or RBM values, G 13 -> 20 -> 1, 8 scales.
    m::qt_cnn<12, 1, m::deep_voice_cnn> one(gen, {}, std::span<const double>(scale), std::span<const double>(offset));
    m::rbm_qt_cnn<12, 24, m::deep_voice_cnn> rbm(gen, {}, std::span<const double>(scale), std::span<const double>(offset));
    CHECK(one.trainable_count() == 321);
    CHECK(rbm.trainable_count() == 597);
}
