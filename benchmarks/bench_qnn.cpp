// W2: N = 8, RY angle encoding of 8 inputs, RealAmplitudes reps 3 (linear), all <Z_i>: time per
// sample, single state and batched (one sample per SIMD lane).
// W3: the adjoint gradient of sum_i <Z_i> with respect to all parameters and inputs.
// W4: ry_cnot_blocks on N = 10, 12 with 12 and 48 blocks: the full probability vector, and its
// vector-Jacobian product.
// All double precision, one thread. Counters: us per sample (per evaluation for W4).
#include <benchmark/benchmark.h>
#include <qhybrid/quantum.hpp>

#include <vector>

namespace q = qhybrid::quantum;

using qnn = q::compose<q::angle_encoding<8, q::axis::y>, q::real_amplitudes<8, 3, q::entanglement::linear>>;

template <class State>
struct qnn_setup {
    q::executor<qnn> ex;
    State psi, lambda;
    std::vector<double> params = values(qnn::num_params, 0.3), inputs = values(qnn::num_inputs * State::samples, 1.1);
    std::vector<double> ones = std::vector<double>(8 * State::samples, 1.0);
    std::vector<double> dparams = std::vector<double>(qnn::num_params);
    std::vector<double> dinputs = std::vector<double>(qnn::num_inputs * State::samples);

    static std::vector<double> values(std::size_t n, double scale) {
        std::vector<double> v(n);
        for (std::size_t k = 0; k < n; ++k) v[k] = scale * std::sin(double(k) + 1);
        return v;
    }
};

void per_sample(benchmark::State& st, std::size_t samples) {
    // A rate, inverted: seconds per (samples / 1e6) = us per sample.
    st.counters["us_per_sample"] = benchmark::Counter(double(st.iterations()) * double(samples) / 1e6,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class State>
void w2_forward(benchmark::State& st) {
    qnn_setup<State> s;
    for (auto _ : st) {
        s.ex.run(s.psi, s.params, s.inputs);
        auto z = q::expval_z(s.psi);
        benchmark::DoNotOptimize(z);
    }
    per_sample(st, State::samples);
}

template <class State>
void w3_gradient(benchmark::State& st) {
    qnn_setup<State> s;
    for (auto _ : st) {
        s.ex.vjp(s.psi, s.lambda, q::z_weights<double>{s.ones}, s.params, s.inputs, s.dparams, s.dinputs);
        benchmark::DoNotOptimize(s.dparams.data());
    }
    per_sample(st, State::samples);
}

template <std::size_t N, std::size_t Blocks>
void w4_probabilities(benchmark::State& st) {
    using C = q::ry_cnot_blocks<N, Blocks>;
    q::executor<C> ex;
    q::statevector<N> psi;
    const auto theta = qnn_setup<q::statevector<N>>::values(C::num_params, 0.7);
    for (auto _ : st) {
        ex.run(psi, theta);
        auto p = q::probabilities(psi);
        benchmark::DoNotOptimize(p.data());
    }
    per_sample(st, 1);
}

template <std::size_t N, std::size_t Blocks>
void w4_probability_vjp(benchmark::State& st) {
    using C = q::ry_cnot_blocks<N, Blocks>;
    q::executor<C> ex;
    q::statevector<N> psi, lambda;
    const auto theta = qnn_setup<q::statevector<N>>::values(C::num_params, 0.7);
    const auto dp = qnn_setup<q::statevector<N>>::values(std::size_t{1} << N, 1.0);
    std::vector<double> grad(C::num_params), none;
    for (auto _ : st) {
        ex.vjp(psi, lambda, q::probability_weights<double>{dp}, theta, {}, grad, none);
        benchmark::DoNotOptimize(grad.data());
    }
    per_sample(st, 1);
}

BENCHMARK_TEMPLATE(w2_forward, q::statevector<8>)->Name("W2_forward/single");
BENCHMARK_TEMPLATE(w2_forward, q::batched_statevector<8>)->Name("W2_forward/batched");
BENCHMARK_TEMPLATE(w3_gradient, q::statevector<8>)->Name("W3_gradient/single");
BENCHMARK_TEMPLATE(w3_gradient, q::batched_statevector<8>)->Name("W3_gradient/batched");
BENCHMARK_TEMPLATE(w4_probabilities, 10, 12)->Name("W4_probabilities/10q/12blocks");
BENCHMARK_TEMPLATE(w4_probabilities, 10, 48)->Name("W4_probabilities/10q/48blocks");
BENCHMARK_TEMPLATE(w4_probabilities, 12, 12)->Name("W4_probabilities/12q/12blocks");
BENCHMARK_TEMPLATE(w4_probabilities, 12, 48)->Name("W4_probabilities/12q/48blocks");
BENCHMARK_TEMPLATE(w4_probability_vjp, 10, 12)->Name("W4_probability_vjp/10q/12blocks");
BENCHMARK_TEMPLATE(w4_probability_vjp, 10, 48)->Name("W4_probability_vjp/10q/48blocks");
BENCHMARK_TEMPLATE(w4_probability_vjp, 12, 12)->Name("W4_probability_vjp/12q/12blocks");
BENCHMARK_TEMPLATE(w4_probability_vjp, 12, 48)->Name("W4_probability_vjp/12q/48blocks");
