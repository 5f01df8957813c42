// Attack throughput, a minibatch of 32 samples, L-inf, one thread. Items = attacked samples.
// - On the FSDD CNN (models::fsdd_cnn, evaluation mode, double and float; spectrograms in [-1, 1]):
//   P1 one forward + backward pass to the inputs (the unit an attack's cost is counted in), P2 PGD
//   with 10 steps, P3 APGD with 10 steps. An attack of k steps does k passes and one forward, so P2
//   and P3 should take close to 10.5 times P1: more is the attack's own overhead (projection,
//   bookkeeping). benchmarks/pgd_torch.py times P1 and P2 in PyTorch.
// - On QShield's noisy quantum module (double): 10 class logits -> a 10 x 12 projection -> tanh ->
//   RX, RY, RZ of pi times three of them on each of 4 qubits -> a fully entangling RealAmplitudes
//   layer -> QShield's mixed noise (models::qshield_noise(0.005)) -> the 16 basis-state
//   probabilities, exactly on batched density matrices -> a dense 16 -> 10 head (in place of
//   QShield's log of the first 10 probabilities; the model itself is issue 20's). Gradients reach
//   the logits by the adjoint method through the noise. P4 one pass, P5 PGD with 10 steps.
// - QNAD's cost (robust/qnad.hpp): LeNet-5's forward pass on 32 digits, P6 plain, P7 read through
//   ibm_nairobi with 10% of its weights loss-critical (one injected pair) and the rest exact, P8 with
//   every weight read (the others without injection); each call draws every read weight afresh.
// - EOT through a waveform front end: one EOT-20 evaluation (loss and input gradient) of QShield
//   on the DEEP-VOICE CNN (projection redrawn per call, gradients through the module) seen from
//   8 one-second windows at 44.1 kHz (robust::deep_voice_waveform_model). P9 as the attacks run
//   it (features once, the 20 draws' cotangents summed, one backward pass through the features),
//   P10 with the front end forward and backward in every draw. Items = windows.
#include <benchmark/benchmark.h>
#include <qhybrid/models/deep_voice_cnn.hpp>
#include <qhybrid/models/fsdd_cnn.hpp>
#include <qhybrid/models/lenet.hpp>
#include <qhybrid/models/qshield.hpp>
#include <qhybrid/nn/quantum_layer.hpp>
#include <qhybrid/quantum.hpp>
#include <qhybrid/robust.hpp>
#include <qhybrid/robust/qnad.hpp>

#include <numbers>
#include <optional>
#include <vector>

namespace {

namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;
namespace rb = qhybrid::robust;
using qhybrid::models::fsdd_cnn;
constexpr std::size_t batch = 32;

template <class T>
struct cnn_fixture {
    nn::sequential<T> net;
    nn::tensor<T> x{{batch, 1, fsdd_cnn::frames, fsdd_cnn::mels}};
    std::vector<std::size_t> y = std::vector<std::size_t>(batch);
    static constexpr rb::threat box{.epsilon = 0.1, .lo = -1, .hi = 1};

    cnn_fixture() : net([] {
        qhybrid::rng gen(1);
        return fsdd_cnn::build<T>(10, gen, 2);
    }()) {
        qhybrid::rng gen(3);
        for (auto& v : x.values()) v = T(gen.uniform(-1, 1));
        for (std::size_t i = 0; i < batch; ++i) y[i] = i % 10;
    }
};

template <q::qubit Q>
using encode = q::circuit<q::rx<Q, q::input<3 * Q, std::numbers::pi>>, q::ry<Q, q::input<3 * Q + 1, std::numbers::pi>>,
                          q::rz<Q, q::input<3 * Q + 2, std::numbers::pi>>>;
using shield_module = q::compose<encode<0>, encode<1>, encode<2>, encode<3>, q::real_amplitudes<4, 1, q::entanglement::full>,
                                 q::circuit<q::barrier<0b1111>>>;

struct module_fixture {
    nn::sequential<double> net;
    nn::tensor<double> x{{batch, 10}};
    std::vector<std::size_t> y = std::vector<std::size_t>(batch);
    static constexpr rb::threat box{.epsilon = 0.5, .lo = -10, .hi = 10}; // logits

    module_fixture() {
        qhybrid::rng gen(1);
        net.add<nn::dense<double>>(10, 12, gen)
            .add<nn::tanh<double>>()
            .add<nn::quantum_layer<shield_module, double, q::mixed, nn::probability_readout>>(
                qhybrid::models::qshield_noise(0.005), gen)
            .add<nn::dense<double>>(16, 10, gen);
        for (auto& v : x.values()) v = gen.uniform(-5, 5);
        for (std::size_t i = 0; i < batch; ++i) y[i] = i % 10;
    }
};

template <class Fixture>
void pass(benchmark::State& st) {
    Fixture f;
    rb::network model(f.net);
    qhybrid::rng gen(1);
    for (auto _ : st) {
        const auto loss = rb::cross_entropy(model.logits(f.x, gen), f.y);
        benchmark::DoNotOptimize(model.input_gradient(loss.gradient).data());
    }
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

template <class Fixture>
void pgd10(benchmark::State& st) {
    Fixture f;
    rb::network model(f.net);
    for (auto _ : st) benchmark::DoNotOptimize(rb::pgd(model, f.x, f.y, {.t = Fixture::box, .steps = 10}).adversarial.data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

template <class Fixture>
void apgd10(benchmark::State& st) {
    Fixture f;
    rb::network model(f.net);
    for (auto _ : st) benchmark::DoNotOptimize(rb::apgd(model, f.x, f.y, {.t = Fixture::box, .steps = 10}).adversarial.data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

struct lenet_fixture {
    nn::sequential<double> net;
    nn::tensor<double> x{{batch, 1, 28, 28}};

    lenet_fixture() : net([] {
        qhybrid::rng gen(1);
        return qhybrid::models::lenet5<double>(10, gen);
    }()) {
        qhybrid::rng gen(3);
        for (auto& v : x.values()) v = gen.uniform(0, 1);
    }

    // Every k-th parameter stands for the loss-critical ones (the choice does not change the cost).
    std::vector<std::size_t> every(std::size_t k) {
        std::size_t n = 0;
        for (const auto& p : net.parameters()) n += p.value->size();
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < n; i += k) out.push_back(i);
        return out;
    }
};

void lenet_forward(benchmark::State& st) {
    lenet_fixture f;
    rb::network model(f.net);
    qhybrid::rng gen(1);
    for (auto _ : st) benchmark::DoNotOptimize(model.logits(f.x, gen).data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

void qnad_forward(benchmark::State& st) {
    lenet_fixture f;
    std::optional<qhybrid::quantum::device_model> nairobi;
    try {
        nairobi = qhybrid::quantum::device_model::load(QHYBRID_BENCH_DATA "/ibm-backends/nairobi");
    } catch (const qhybrid::error& e) { // a checkout without the data folder
        st.SkipWithError(e.what());
        return;
    }
    rb::qnad_network<double> model(f.net, *nairobi, f.every(10), {.shots = 1024, .read_others = st.range(0) == 1});
    qhybrid::rng gen(1);
    for (auto _ : st) benchmark::DoNotOptimize(model.logits(f.x, gen).data());
    st.SetItemsProcessed(std::int64_t(st.iterations() * batch));
}

// A model seen only as an attack_model: EOT then runs the front end in every draw.
template <class M>
struct per_draw {
    using value_type = double;
    M* model;
    nn::tensor<double> logits(const nn::tensor<double>& x, qhybrid::rng& gen) { return model->logits(x, gen); }
    nn::tensor<double> input_gradient(const nn::tensor<double>& dz) { return model->input_gradient(dz); }
};

void eot_waveform(benchmark::State& st) {
    namespace m = qhybrid::models;
    constexpr std::size_t windows = 8, rate = 44100;
    qhybrid::rng gen(1);
    const std::vector<double> scale(26, 1.0), offset(26, 0.0);
    m::qshield<m::qshield_qubits(2)> shield(std::make_unique<nn::sequential<double>>(m::deep_voice_cnn::build<double>(gen, scale, offset)), 2,
                                           {.variant = m::qshield_variant::differentiable, .projection = m::projection_draw::per_call}, gen);
    nn::tensor<double> x({windows, rate});
    for (std::size_t b = 0; b < windows; ++b)
        for (std::size_t i = 0; i < rate; ++i)
            x.row(b)[i] = 0.1 * std::sin(2 * std::numbers::pi * (180 + 40 * double(b)) * double(i) / rate) + 0.01 * gen.uniform(-1, 1);
    const std::vector<std::size_t> y(windows, 1);
    const std::vector<std::uint64_t> ids(windows);
    const rb::attack_batch<double> b{x, y, {}, ids};
    rb::deep_voice_waveform_model<double> model(shield, {.rate = rate});
    per_draw<rb::deep_voice_waveform_model<double>> each{&model};
    for (auto _ : st) {
        x[0] += 1e-9; // a new input every call, as in an attack's steps
        const auto e = st.range(0) == 0 ? rb::detail::evaluate(model, x, b, rb::attack_loss::cross_entropy, gen, true, 20)
                                        : rb::detail::evaluate(each, x, b, rb::attack_loss::cross_entropy, gen, true, 20);
        benchmark::DoNotOptimize(e.gradient.data());
    }
    st.SetItemsProcessed(std::int64_t(st.iterations() * windows));
}

} // namespace

BENCHMARK(lenet_forward)->Name("P6/lenet5_forward")->Unit(benchmark::kMillisecond);
BENCHMARK(qnad_forward)->Arg(0)->Name("P7/qnad_lenet5_forward_10pct_read")->Unit(benchmark::kMillisecond);
BENCHMARK(qnad_forward)->Arg(1)->Name("P8/qnad_lenet5_forward_all_read")->Unit(benchmark::kMillisecond);
BENCHMARK(eot_waveform)->Arg(0)->Name("P9/eot20_qshield_waveform_front_end_once")->Unit(benchmark::kMillisecond);
BENCHMARK(eot_waveform)->Arg(1)->Name("P10/eot20_qshield_waveform_front_end_per_draw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pass, cnn_fixture<double>)->Name("P1/fsdd_cnn_forward_backward/double")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pass, cnn_fixture<float>)->Name("P1/fsdd_cnn_forward_backward/float")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pgd10, cnn_fixture<double>)->Name("P2/pgd_linf_10_steps/double")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pgd10, cnn_fixture<float>)->Name("P2/pgd_linf_10_steps/float")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(apgd10, cnn_fixture<double>)->Name("P3/apgd_linf_10_steps/double")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(apgd10, cnn_fixture<float>)->Name("P3/apgd_linf_10_steps/float")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pass, module_fixture)->Name("P4/qshield_module_forward_backward")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(pgd10, module_fixture)->Name("P5/qshield_module_pgd_linf_10_steps")->Unit(benchmark::kMillisecond);
