// The classical layers' hot paths, on the shapes of the FSDD CNN (models::fsdd_cnn), minibatch 32:
// C1 each conv2d layer's forward plus backward, C2 max-pooling's, C3 one whole training step
// (forward, cross-entropy, backward, Adam) — the unit of `fsdd_cnn`'s epoch (85 steps) and of
// benchmarks/fsdd_cnn_torch.py's. Float and double.
#include <benchmark/benchmark.h>
#include <qhybrid/models/fsdd_cnn.hpp>
#include <qhybrid/nn/losses.hpp>
#include <qhybrid/nn/optimizers.hpp>

#include <vector>

namespace {

namespace nn = qhybrid::nn;
constexpr std::size_t batch = 32;

template <class T>
nn::tensor<T> random_tensor(nn::shape_t shape, std::uint64_t seed) {
    qhybrid::rng gen(seed);
    nn::tensor<T> t(std::move(shape));
    for (auto& v : t.values()) v = T(gen.uniform(-1, 1));
    return t;
}

// Forward and backward of one layer on a fixed input; items = samples.
template <class T>
void train_pass(benchmark::State& st, nn::layer<T>& layer, const nn::tensor<T>& x) {
    const nn::tensor<T> dy = random_tensor<T>(layer.forward(x, nn::mode::train).shape(), 2);
    for (auto _ : st) {
        layer.zero_grad();
        benchmark::DoNotOptimize(layer.forward(x, nn::mode::train).data());
        benchmark::DoNotOptimize(layer.backward(dy).data());
    }
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

// C1: conv2d(in -> out, 3x3, padding 1) on [batch, in, h, w].
template <class T>
void conv_layer(benchmark::State& st) {
    const auto in = std::size_t(st.range(0)), out = std::size_t(st.range(1)), h = std::size_t(st.range(2)),
               w = std::size_t(st.range(3));
    qhybrid::rng gen(1);
    nn::conv2d<T> c({in, out, 3, 3, 1, 1, 1, 1}, gen);
    train_pass(st, c, random_tensor<T>({batch, in, h, w}, 3));
    // Multiply-adds of forward, weight gradient and input gradient.
    st.counters["GFLOP/s"] = benchmark::Counter(double(st.iterations()) * 3 * 2 * double(batch * out * h * w * in * 9) / 1e9,
                                                benchmark::Counter::kIsRate);
}

// C2: max_pool2d(2) on the first conv layer's output.
template <class T>
void max_pool(benchmark::State& st) {
    nn::max_pool2d<T> p(2);
    train_pass(st, p, random_tensor<T>({batch, 16, 63, 40}, 3));
}

// C3: one training step of the whole network on a random minibatch.
template <class T>
void train_step(benchmark::State& st) {
    using qhybrid::models::fsdd_cnn;
    qhybrid::rng gen(1);
    auto net = fsdd_cnn::build<T>(10, gen, 2);
    nn::adam<T> opt(net.parameters(), {.lr = 1e-3});
    const auto x = random_tensor<T>({batch, 1, fsdd_cnn::frames, fsdd_cnn::mels}, 3);
    std::vector<std::size_t> y(batch);
    for (std::size_t i = 0; i < batch; ++i) y[i] = i % 10;
    for (auto _ : st) {
        net.zero_grad();
        const auto loss = nn::cross_entropy(net.forward(x, nn::mode::train), y);
        benchmark::DoNotOptimize(net.backward(loss.grad).data());
        opt.step();
    }
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

void fsdd_conv_shapes(benchmark::internal::Benchmark* b) {
    b->Args({1, 16, 63, 40})->Args({16, 16, 31, 20})->Args({16, 32, 15, 10});
}

BENCHMARK_TEMPLATE(conv_layer, float)->Name("C1/conv2d/float")->Apply(fsdd_conv_shapes);
BENCHMARK_TEMPLATE(conv_layer, double)->Name("C1/conv2d/double")->Apply(fsdd_conv_shapes);
BENCHMARK_TEMPLATE(max_pool, float)->Name("C2/max_pool2d/float");
BENCHMARK_TEMPLATE(max_pool, double)->Name("C2/max_pool2d/double");
BENCHMARK_TEMPLATE(train_step, float)->Name("C3/fsdd_cnn_step/float");
BENCHMARK_TEMPLATE(train_step, double)->Name("C3/fsdd_cnn_step/double");

} // namespace
