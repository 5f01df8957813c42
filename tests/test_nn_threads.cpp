// Threads: parallel_chunks' partition, nesting, exceptions and thread count; and a seed fixes
// every bit of a trained model whatever the thread count (DESIGN.md, "Trust: Determinism"):
// networks whose conv1d and conv2d layers split their minibatch over threads, and a QT-CNN whose
// generated CNN does, are trained on 1, 2, 3, 4 and 8 threads and must end with identical
// parameters. More threads than cores is fine: the partition is what is tested.
#include "layer_check.hpp"

#include <qhybrid/core/parallel.hpp>
#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/deep_voice_data.hpp>
#include <qhybrid/models/qt_cnn.hpp>
#include <qhybrid/nn.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>

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
    const std::size_t before = qhybrid::threads();
    qhybrid::set_threads(threads);
    qhybrid::rng gen(7);
    auto model = make(gen);
    nn::adam<T> opt(model.parameters(), {.lr = 3e-3});
    nn::fit(model, opt, data, nullptr, {.epochs = epochs, .batch_size = batch, .seed = 5, .progress = false});
    qhybrid::set_threads(before);
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

// Sets an environment variable (nullptr: unsets it) until the end of the scope.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

} // namespace

#ifdef QHYBRID_SERIAL
TEST_CASE("threads: a build without threads runs on one") {
    qhybrid::set_threads(4);
    CHECK(qhybrid::threads() == 1);
}
#else
TEST_CASE("parallel_chunks: the same partition on any thread count, every item in one chunk") {
    const std::size_t before = qhybrid::threads();
    for (const std::size_t n : {0, 1, 5, 16, 17, 100}) {
        std::vector<std::pair<std::size_t, std::size_t>> serial;
        for (const std::size_t threads : thread_counts) {
            qhybrid::set_threads(threads);
            REQUIRE(qhybrid::threads() == threads);
            std::vector<std::pair<std::size_t, std::size_t>> ranges(qhybrid::chunk_count(n));
            qhybrid::parallel_chunks(n, [&](std::size_t k, std::size_t begin, std::size_t end) {
                ranges[k] = {begin, end}; // each chunk writes only its own slot
            });
            std::size_t covered = 0;
            for (const auto& [begin, end] : ranges) {
                CHECK(begin == covered);
                CHECK(end > begin);
                covered = end;
            }
            CHECK(covered == n);
            if (threads == 1) serial = ranges;
            CHECK(ranges == serial);
        }
    }
    CHECK(qhybrid::chunk_count(100) == qhybrid::max_chunks);
    qhybrid::set_threads(before);
}

TEST_CASE("parallel_chunks: calls from a chunk run serially on its thread, and an exception reaches the caller") {
    const std::size_t before = qhybrid::threads();
    qhybrid::set_threads(4);
    std::vector<char> inner_on_outer_thread(qhybrid::max_chunks); // not vector<bool>: chunks write bits of one word
    qhybrid::parallel_chunks(64, [&](std::size_t k, std::size_t, std::size_t) {
        const auto outer = std::this_thread::get_id();
        bool same = true;
        qhybrid::parallel_chunks(10, [&](std::size_t, std::size_t, std::size_t) { same = same && std::this_thread::get_id() == outer; });
        inner_on_outer_thread[k] = same;
    });
    for (std::size_t k = 0; k < qhybrid::max_chunks; ++k) CHECK(inner_on_outer_thread[k]);
    // Every chunk runs; the caller gets the exception of the first chunk that threw, in chunk order.
    std::atomic<std::size_t> ran = 0;
    auto throwing = [&](std::size_t k, std::size_t, std::size_t) {
        ++ran;
        if (k == 11 || k == 3) qhybrid::fail("chunk " + std::to_string(k));
    };
    CHECK_THROWS_WITH(qhybrid::parallel_chunks(32, throwing), "chunk 3");
    CHECK(ran == qhybrid::max_chunks);
    std::atomic<std::size_t> after = 0; // the pool still works
    qhybrid::parallel_chunks(32, [&](std::size_t, std::size_t begin, std::size_t end) { after += end - begin; });
    CHECK(after == 32);
    for (const std::size_t threads : {1, 4}) { // on the pool and on the serial path alike
        qhybrid::set_threads(threads);
        CHECK_THROWS_WITH(qhybrid::parallel_chunks(32, [](std::size_t, std::size_t, std::size_t) { qhybrid::set_threads(2); }),
                          "set_threads: called from inside parallel_chunks");
    }
    qhybrid::set_threads(before);
}

TEST_CASE("thread count: set_threads, else QHYBRID_THREADS, else OMP_NUM_THREADS's first value, else the cores") {
    const std::size_t before = qhybrid::threads();
    {
        const scoped_env q("QHYBRID_THREADS", "3"), o("OMP_NUM_THREADS", "5");
        qhybrid::set_threads(0); // the default, read again
        CHECK(qhybrid::threads() == 3);
    }
    {
        const scoped_env q("QHYBRID_THREADS", nullptr), o("OMP_NUM_THREADS", "2,1");
        qhybrid::set_threads(0);
        CHECK(qhybrid::threads() == 2);
    }
    {
        const scoped_env q("QHYBRID_THREADS", ""), o("OMP_NUM_THREADS", nullptr);
        qhybrid::set_threads(0);
        const std::size_t cores = qhybrid::threads(); // those this process may run on (taskset shrinks them)
        CHECK((cores >= 1 && cores <= std::max(1u, std::thread::hardware_concurrency())));
    }
    for (const char* bad : {"0", "two", "3,4", "-1", "1025", " 2"}) {
        const scoped_env q("QHYBRID_THREADS", bad);
        CHECK_THROWS_WITH(qhybrid::set_threads(0), "QHYBRID_THREADS=\"" + std::string(bad) +
                                                       "\": expected a thread count from 1 to 1024");
    }
    CHECK_THROWS_WITH(qhybrid::set_threads(1025), "set_threads(1025): at most 1024 threads");
    qhybrid::set_threads(7);
    CHECK(qhybrid::threads() == 7);
    qhybrid::set_threads(before);
}
#endif

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
