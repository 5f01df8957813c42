// Attack throughput on the FSDD CNN (models::fsdd_cnn, evaluation mode, double and float), a
// minibatch of 32 spectrograms in [-1, 1]: P1 one forward + backward pass to the inputs (the unit an attack's cost is
// counted in), P2 PGD with 10 steps, P3 APGD with 10 steps, both L-inf. An attack of k steps does
// k passes and one forward, so P2 and P3 should take close to 10.5 times P1: more is the attack's
// own overhead (projection, bookkeeping). Items = attacked samples. benchmarks/pgd_torch.py times
// P1 and P2 in PyTorch.
#include <benchmark/benchmark.h>
#include <qhybrid/models/fsdd_cnn.hpp>
#include <qhybrid/robust.hpp>

#include <vector>

namespace {

namespace nn = qhybrid::nn;
namespace rb = qhybrid::robust;
using qhybrid::models::fsdd_cnn;
constexpr std::size_t batch = 32;

template <class T>
struct fixture {
    nn::sequential<T> net;
    nn::tensor<T> x{{batch, 1, fsdd_cnn::frames, fsdd_cnn::mels}};
    std::vector<std::size_t> y = std::vector<std::size_t>(batch);

    fixture() : net([] {
        qhybrid::rng gen(1);
        return fsdd_cnn::build<T>(10, gen, 2);
    }()) {
        qhybrid::rng gen(3);
        for (auto& v : x.values()) v = T(gen.uniform(-1, 1));
        for (std::size_t i = 0; i < batch; ++i) y[i] = i % 10;
    }
};

const rb::threat box{.epsilon = 0.1, .lo = -1, .hi = 1};

template <class T>
void pass(benchmark::State& st) {
    fixture<T> f;
    rb::network model(f.net);
    qhybrid::rng gen(1);
    for (auto _ : st) {
        const auto loss = rb::cross_entropy(model.logits(f.x, gen), f.y);
        benchmark::DoNotOptimize(model.input_gradient(loss.gradient).data());
    }
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

template <class T>
void pgd10(benchmark::State& st) {
    fixture<T> f;
    rb::network model(f.net);
    for (auto _ : st) benchmark::DoNotOptimize(rb::pgd(model, f.x, f.y, {.t = box, .steps = 10}).adversarial.data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

template <class T>
void apgd10(benchmark::State& st) {
    fixture<T> f;
    rb::network model(f.net);
    for (auto _ : st) benchmark::DoNotOptimize(rb::apgd(model, f.x, f.y, {.t = box, .steps = 10}).adversarial.data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

} // namespace

BENCHMARK_TEMPLATE(pass, double)->Name("P1/fsdd_cnn_forward_backward/double")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pass, float)->Name("P1/fsdd_cnn_forward_backward/float")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pgd10, double)->Name("P2/pgd_linf_10_steps/double")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pgd10, float)->Name("P2/pgd_linf_10_steps/float")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(apgd10, double)->Name("P3/apgd_linf_10_steps/double")->Unit(benchmark::kMillisecond);
