// dist::fit, data-parallel training, on groups of simulated processes (threads meeting in
// all_gather): the same model and history, bit for bit, on 1 to 4 processes for a network with
// batch norm and dropout, a hybrid with a quantum layer, a faithful QShield (a projection drawn at
// every call) and a QT-CNN; the shards' gradients add up to the minibatch's (against nn::fit),
// also for a QT-CNN whose weights are generated once a step;
// one shard is nn::fit itself; a failing shard stops every process with one error. Under mpirun:
// `qhybrid train --shards` (examples/CMakeLists.txt).
#include "thread_group.hpp"

#include <qhybrid/dist/data_parallel.hpp>
#include <qhybrid/models/qshield.hpp>
#include <qhybrid/models/qt_cnn.hpp>
#include <qhybrid/nn.hpp>
#include <qhybrid/quantum.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>

namespace dist = qhybrid::dist;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;
using qhybrid::rng;

namespace {

constexpr std::size_t features = 6, classes = 3;

// Rows of `features` values labelled by which third of the row holds the largest value.
nn::labelled<double> blobs(std::size_t rows, std::uint64_t seed) {
    rng gen(seed);
    nn::labelled<double> d{nn::tensor<double>({rows, features}), std::vector<std::size_t>(rows)};
    for (std::size_t r = 0; r < rows; ++r) {
        const auto x = d.x.row(r);
        for (auto& v : x) v = gen.uniform(-1, 1);
        d.y[r] = std::size_t(std::max_element(x.begin(), x.end()) - x.begin()) * classes / features;
    }
    return d;
}

template <class T>
void append(std::string& out, const T* values, std::size_t n) {
    out.append(reinterpret_cast<const char*>(values), n * sizeof(T));
}

// Everything a training run leaves: every parameter and buffer, and the history, as bytes.
std::string outcome(nn::layer<double>& net, const std::vector<nn::epoch_record>& history) {
    std::string out;
    for (const auto* t : nn::weight_tensors(net)) append(out, t->data(), t->size());
    for (const auto& e : history) append(out, &e.loss, 4); // loss, accuracy and validation; not the seconds
    return out;
}

struct run {
    std::size_t shards = 4, epochs = 3, batch = 20;
};

// Trains make(gen) with Adam by dist::fit on `processes` simulated processes; every process's outcome.
template <class Make>
std::vector<std::string> trained(std::size_t processes, Make make, const nn::labelled<double>& train, const nn::labelled<double>& validation,
                                 run r) {
    auto [results, errors] = simulated::on_processes(processes, [&](const simulated::thread_group& group) {
        rng gen(7);
        auto net = make(gen);
        nn::adam<double> opt(net->parameters(), {.lr = 1e-2});
        const auto history = dist::fit(group, *net, opt, train, &validation,
                                       {.epochs = r.epochs, .batch_size = r.batch, .seed = 5, .patience = 2, .progress = false},
                                       {.shards = r.shards});
        // What the model draws afterwards is the same on every process too (a QShield's projection).
        const auto after = nn::predict(*net, validation.x);
        std::string out = outcome(*net, history);
        append(out, after.data(), after.size());
        return out;
    });
    std::vector<std::string> out;
    for (std::size_t p = 0; p < processes; ++p) {
        INFO("process " << p << " of " << processes << ": " << errors[p]);
        REQUIRE(results[p].has_value());
        out.push_back(*results[p]);
    }
    return out;
}

template <class Make>
void check_process_counts(Make make, run r = {}) {
    const auto train = blobs(90, 1), validation = blobs(30, 2);
    const std::string one = trained(1, make, train, validation, r).front();
    for (const std::size_t processes : {2, 3, 4}) {
        const auto all = trained(processes, make, train, validation, r);
        for (std::size_t p = 0; p < processes; ++p) {
            INFO(processes << " processes, process " << p << ", " << r.shards << " shards");
            const bool same = all[p] == one; // not CHECK(a == b): Catch would print the bytes
            CHECK(same);
        }
    }
}

// Dense, batch norm, ReLU, dropout, dense: a buffer and randomness that every process must keep in step.
std::unique_ptr<nn::sequential<double>> batch_norm_and_dropout(rng& gen) {
    auto net = std::make_unique<nn::sequential<double>>();
    net->add<nn::dense<double>>(features, 16, gen)
        .add<nn::batch_norm<double>>(16)
        .add<nn::relu<double>>()
        .add<nn::dropout<double>>(0.3, 11)
        .add<nn::dense<double>>(16, classes, gen);
    return net;
}

// A QT-CNN's target: 6 -> 4 -> 3, 43 weights generated from 6 qubits.
struct small_target {
    static constexpr std::size_t parameter_count = features * 4 + 4 + 4 * classes + classes;
    template <class T>
    static nn::sequential<T> build(rng& gen) {
        nn::sequential<T> net;
        net.template add<nn::dense<T>>(features, 4, gen).template add<nn::relu<T>>().template add<nn::dense<T>>(4, classes, gen);
        return net;
    }
};

} // namespace

TEST_CASE("dist::fit: a network with batch norm and dropout trains the same bits on 1, 2, 3 and 4 processes", "[dist]") {
    const auto make = batch_norm_and_dropout;
    // Minibatches of 20 (the last of 10) in 4 and 3 shards, of 13 (the last of 12) in 5; in 8,
    // the last minibatch of 10 is cut in 5 shards of 2 rows (batch norm needs two).
    check_process_counts(make);
    check_process_counts(make, {.shards = 3});
    check_process_counts(make, {.shards = 5, .epochs = 2, .batch = 13});
    check_process_counts(make, {.shards = 8, .epochs = 2});
}

TEST_CASE("dist::fit: a hybrid with a quantum layer, a faithful QShield and a QT-CNN train the same bits on 1 to 4 processes", "[dist]") {
    SECTION("ZZ feature map + RealAmplitudes on 4 qubits, then a dense layer; minibatches of 6 rows in 3 shards (8 asked)") {
        using qnn = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, q::real_amplitudes<4, 1>>;
        check_process_counts([](rng& gen) {
            auto net = std::make_unique<nn::sequential<double>>();
            net->add<nn::dense<double>>(features, 4, gen).add<nn::quantum_layer<qnn, double>>(gen).add<nn::dense<double>>(4, classes, gen);
            return net;
        }, {.shards = 8, .epochs = 2, .batch = 6});
    }
    SECTION("QShield, faithful: its projection redrawn at every call, its fusion's batch norm") {
        check_process_counts([](rng& gen) {
            auto backbone = std::make_unique<nn::sequential<double>>();
            backbone->add<nn::dense<double>>(features, classes, gen);
            return std::make_unique<m::qshield<4>>(std::move(backbone), classes, m::qshield_options{.seed = 3}, gen);
        }, {.epochs = 2});
    }
    SECTION("QT-CNN: a 6-qubit circuit generates the 43 weights of a small network") {
        check_process_counts([](rng& gen) { return std::make_unique<m::qt_cnn<6, 1, small_target>>(gen, m::qt_options{}); }, {.epochs = 2});
    }
}

TEST_CASE("dist::fit: the shards' scaled gradients add up to the minibatch's gradient", "[dist]") {
    // One minibatch of all 90 rows, one SGD step: the model differs from nn::fit's only by the
    // order of the gradient's sums (5 shards of 18 rows against one of 90).
    const auto train = blobs(90, 1);
    const auto make = [] {
        rng gen(7);
        nn::sequential<double> net;
        net.add<nn::dense<double>>(features, 8, gen).add<nn::tanh<double>>().add<nn::dense<double>>(8, classes, gen);
        return net;
    };
    const nn::fit_options o{.epochs = 1, .batch_size = 90, .seed = 5, .progress = false};
    auto reference = make(), sharded = make();
    nn::sgd<double> ref_opt(reference.parameters(), {.lr = 1.0}), opt(sharded.parameters(), {.lr = 1.0});
    const auto ref_history = nn::fit(reference, ref_opt, train, nullptr, o);
    const auto history = dist::fit(dist::world(), sharded, opt, train, nullptr, o, {.shards = 5});
    CHECK(history.front().loss == Approx(ref_history.front().loss).epsilon(1e-14));
    CHECK(history.front().accuracy == ref_history.front().accuracy);
    // The rows' gradients are O(1): summed in another order, their mean moves by a few 1e-16.
    const auto a = nn::weight_tensors(reference), b = nn::weight_tensors(sharded);
    double worst = 0;
    for (std::size_t k = 0; k < a.size(); ++k)
        for (std::size_t i = 0; i < a[k]->size(); ++i) worst = std::max(worst, std::abs((*b[k])[i] - (*a[k])[i]));
    CHECK(worst <= 1e-14);
}

TEST_CASE("dist::fit: a QT-CNN generates its weights once a step, and its step is nn::fit's but for the order of the sums", "[dist]") {
    // The shards run the generated network; the target's gradients summed over them go back
    // through G and the circuit once (nn::staged). One minibatch of 90 rows, one SGD step.
    const auto train = blobs(90, 1);
    const auto make = [] {
        rng gen(7);
        return m::qt_cnn<6, 1, small_target>(gen, m::qt_options{});
    };
    const nn::fit_options o{.epochs = 1, .batch_size = 90, .seed = 5, .progress = false};
    auto reference = make(), sharded = make();
    nn::sgd<double> ref_opt(reference.parameters(), {.lr = 0.5}), opt(sharded.parameters(), {.lr = 0.5});
    const auto ref_history = nn::fit(reference, ref_opt, train, nullptr, o);
    const auto history = dist::fit(dist::world(), sharded, opt, train, nullptr, o, {.shards = 5});
    CHECK(history.front().loss == Approx(ref_history.front().loss).epsilon(1e-14));
    CHECK(history.front().accuracy == ref_history.front().accuracy);
    const auto a = reference.parameters(), b = sharded.parameters();
    double worst = 0, largest_step = 0;
    auto start = make();
    const auto initial = start.parameters();
    for (std::size_t k = 0; k < a.size(); ++k)
        for (std::size_t i = 0; i < a[k].value->size(); ++i) {
            worst = std::max(worst, std::abs((*b[k].value)[i] - (*a[k].value)[i]));
            largest_step = std::max(largest_step, std::abs((*a[k].value)[i] - (*initial[k].value)[i]));
        }
    CHECK(largest_step > 1e-3); // the step moved the parameters
    CHECK(worst <= 1e-13);
}

TEST_CASE("dist::fit with one shard is nn::fit on every process", "[dist]") {
    const auto train = blobs(90, 1), validation = blobs(30, 2);
    const auto make = batch_norm_and_dropout;
    rng gen(7);
    auto net = make(gen);
    nn::adam<double> opt(net->parameters(), {.lr = 1e-2});
    const auto history = nn::fit(*net, opt, train, &validation, {.epochs = 3, .batch_size = 20, .seed = 5, .patience = 2, .progress = false});
    std::string expected = outcome(*net, history);
    const auto after = nn::predict(*net, validation.x);
    append(expected, after.data(), after.size());
    for (const std::size_t processes : {1, 2})
        for (const auto& got : trained(processes, make, train, validation, {.shards = 1})) {
            const bool same = got == expected;
            CHECK(same);
        }
}

TEST_CASE("dist::fit: a shard that throws on one process stops every process with the same error", "[dist]") {
    auto train = blobs(40, 1);
    train.y[33] = classes; // out of range for the loss: whichever shard holds row 33 throws
    auto [results, errors] = simulated::on_processes(3, [&](const simulated::thread_group& group) {
        rng gen(7);
        nn::sequential<double> net;
        net.add<nn::dense<double>>(features, classes, gen);
        nn::adam<double> opt(net.parameters(), {.lr = 1e-2});
        dist::fit(group, net, opt, train, nullptr, {.epochs = 2, .batch_size = 40, .seed = 5, .progress = false}, {.shards = 4});
        return 0;
    });
    for (std::size_t p = 0; p < 3; ++p) {
        INFO("process " << p);
        CHECK_FALSE(results[p].has_value());
        CHECK_THAT(errors[p], Catch::StartsWith("dist::fit, a training step: dist::sweep: item ") && Catch::Contains(" failed: cross_entropy"));
        CHECK(errors[p] == errors[0]);
    }
    nn::sequential<double> net;
    rng gen(1);
    net.add<nn::dense<double>>(features, classes, gen);
    nn::adam<double> opt(net.parameters(), {});
    CHECK_THROWS_WITH(dist::fit(dist::world(), net, opt, blobs(10, 1), nullptr, {}, {.shards = 0}), Catch::Contains("shards must be positive"));
}
