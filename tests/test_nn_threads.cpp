// A seed fixes every bit of a trained model whatever the thread count (DESIGN.md, "Trust:
// Determinism"): networks whose conv1d and conv2d layers split their minibatch over threads, and
// a QT-CNN whose generated CNN does, are trained on 1, 2, 3, 4 and 8 threads and must end with
// identical parameters. More threads than cores is fine: the partition is what is tested.
#include "layer_check.hpp"

#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/deep_voice_data.hpp>
#include <qhybrid/models/qt_cnn.hpp>
#include <qhybrid/nn.hpp>

#include <omp.h>

#include <cstring>
#include <filesystem>

namespace m = qhybrid::models;

namespace {

constexpr std::size_t thread_counts[] = {1, 2, 3, 4, 8};

template <class T>
bool same_bits(const nn::tensor<T>& a, const nn::tensor<T>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Trains a fresh model (make(gen) from the same seed every time) with Adam on `threads` threads
// and returns its parameters.
template <class T, class Make>
std::vector<nn::tensor<T>> trained(std::size_t threads, Make make, const nn::labelled<T>& data, std::size_t epochs,
                                   std::size_t batch) {
    const int before = omp_get_max_threads();
    omp_set_num_threads(int(threads));
    qhybrid::rng gen(7);
    auto model = make(gen);
    nn::adam<T> opt(model.parameters(), {.lr = 3e-3});
    nn::fit(model, opt, data, nullptr, {.epochs = epochs, .batch_size = batch, .seed = 5, .progress = false});
    omp_set_num_threads(before);
    std::vector<nn::tensor<T>> out;
    for (auto& p : model.parameters()) out.push_back(*p.value);
    return out;
}

template <class T, class Make>
void check_thread_counts(Make make, const nn::labelled<T>& data, std::size_t epochs, std::size_t batch) {
    const auto serial = trained<T>(1, make, data, epochs, batch);
    for (const std::size_t threads : thread_counts) {
        if (threads == 1) continue;
        const auto parallel = trained<T>(threads, make, data, epochs, batch);
        REQUIRE(parallel.size() == serial.size());
        for (std::size_t k = 0; k < serial.size(); ++k) {
            INFO(threads << " threads, parameter tensor " << k);
            CHECK(same_bits(serial[k], parallel[k]));
        }
    }
}

} // namespace

TEMPLATE_TEST_CASE("a seed trains a conv2d + conv1d network bit for bit on 1, 2, 3, 4 and 8 threads", "", double, float) {
    using T = TestType;
    // [2, 8, 6] inputs, labelled by which of three regions holds the largest value.
    static constexpr std::size_t samples = 150, in = 2, h = 8, w = 6, classes = 3;
    qhybrid::rng gen(3);
    nn::labelled<T> data{nn::tensor<T>({samples, in, h, w}), std::vector<std::size_t>(samples)};
    for (std::size_t s = 0; s < samples; ++s) {
        const auto x = data.x.values().subspan(s * in * h * w, in * h * w);
        for (auto& v : x) v = T(gen.uniform(-1, 1));
        data.y[s] = std::size_t(std::max_element(x.begin(), x.end()) - x.begin()) * classes / x.size();
    }
    auto make = [](qhybrid::rng& g) {
        nn::sequential<T> net;
        net.template add<nn::conv2d<T>>(nn::conv_shape{in, 4, 3, 3, 1, 1, 1, 1}, g)
            .template add<nn::relu<T>>()
            .template add<nn::reshape<T>>(nn::shape_t{4, h * w})
            .template add<nn::conv1d<T>>(4, 6, 3, 2, 1, g)
            .template add<nn::relu<T>>()
            .template add<nn::flatten<T>>()
            .template add<nn::dense<T>>(6 * h * w / 2, classes, g);
        return net;
    };
    // A minibatch of 23 leaves ragged chunks for every thread count, and a last minibatch of 12.
    check_thread_counts<T>(make, data, 3, 23);
}

TEST_CASE("a seed trains a QT-CNN on DEEP-VOICE rows bit for bit on 1, 2, 3, 4 and 8 threads", "[data]") {
    const auto all = m::read_deep_voice_set(std::filesystem::path(QHYBRID_TEST_DATA) / "deep-voice/DATASET-balanced.csv");
    qhybrid::rng gen(1);
    const auto s = m::split_deep_voice(all, 0.9, gen); // 10% of the rows: about 1,200
    auto make = [&](qhybrid::rng& g) {
        return m::qt_cnn<12, 2, m::deep_voice_cnn>(g, {}, std::span<const double>(s.scaler.scale()),
                                                   std::span<const double>(s.scaler.offset()));
    };
    check_thread_counts<double>(make, s.train, 2, 64);
}
