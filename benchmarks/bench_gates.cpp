// W1, gate throughput: 20 layers of (RY on every qubit, CNOT ladder 0->1->...->N-1) plus
// RealAmplitudes' final RY layer, on one double-precision statevector. Reports ns per gate and
// the bytes a gate must move on a complex state (32 B per amplitude for RY, 16 for a CNOT, which
// touches half), next to the bandwidth of an in-place sweep applying a real 2x2 rotation to a
// state of the same size: their ratio is the fraction of the memory-bandwidth roofline.
//
// Two starting states: |0> (real: these gates keep it real, and the kernels move only the real
// parts, half the bytes) and a complex state (every kernel moves real and imaginary parts).
#include <benchmark/benchmark.h>
#include <qhybrid/quantum.hpp>

#include <vector>

namespace q = qhybrid::quantum;

template <std::size_t N, bool Complex>
void w1_gates(benchmark::State& st) {
    using C = q::real_amplitudes<N, 20, q::entanglement::linear>;
    q::executor<C> ex;
    q::statevector<N> psi;
    if constexpr (Complex) q::executor<q::circuit<q::h<0>, q::s<0>>>().apply(psi, std::vector<double>{});
    std::vector<double> theta(C::num_params, 0.1);
    for (std::size_t k = 0; k < theta.size(); ++k) theta[k] = 0.1 + 0.01 * double(k);
    for (auto _ : st) {
        ex.apply(psi, theta);
        benchmark::ClobberMemory();
    }
    constexpr double ry = 21.0 * N, cnot = 20.0 * (N - 1), dim = double(std::size_t{1} << N);
    // A rate, inverted: seconds per (gates / 1e9) = ns per gate.
    st.counters["ns_per_gate"] = benchmark::Counter(double(st.iterations()) * C::num_gates / 1e9,
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    st.SetBytesProcessed(int64_t(double(st.iterations()) * (ry * 32 + cnot * 16) * dim));
}

// The roofline: one streamed in-place real rotation over the same bytes (re and im arrays; only
// re for the real-state row, W1_sweep_real).
template <std::size_t N, std::size_t Arrays = 2>
void w1_sweep(benchmark::State& st) {
    const std::size_t dim = std::size_t{1} << N;
    qhybrid::aligned_vector<double> re(dim, 0.5), im(dim, 0.25);
    using B = qhybrid::simd::batch<double>;
    const B c(0.8), s(0.6);
    double* arrays[2] = {re.data(), im.data()};
    for (auto _ : st) {
        for (std::size_t a = 0; a < Arrays; ++a) {
            double* v = arrays[a];
            for (std::size_t i = 0; i < dim; i += 2 * B::size) {
                const B x = B::load_aligned(v + i), y = B::load_aligned(v + i + B::size);
                xsimd::fms(c, x, s * y).store_aligned(v + i);
                xsimd::fma(s, x, c * y).store_aligned(v + i + B::size);
            }
        }
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(dim) * 16 * int64_t(Arrays));
}

BENCHMARK_TEMPLATE(w1_gates, 4, false)->Name("W1_gates/4");
BENCHMARK_TEMPLATE(w1_gates, 8, false)->Name("W1_gates/8");
BENCHMARK_TEMPLATE(w1_gates, 12, false)->Name("W1_gates/12");
BENCHMARK_TEMPLATE(w1_gates, 16, false)->Name("W1_gates/16");
BENCHMARK_TEMPLATE(w1_gates, 20, false)->Name("W1_gates/20")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(w1_gates, 24, false)->Name("W1_gates/24")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(w1_gates, 4, true)->Name("W1_gates_complex/4");
BENCHMARK_TEMPLATE(w1_gates, 8, true)->Name("W1_gates_complex/8");
BENCHMARK_TEMPLATE(w1_gates, 12, true)->Name("W1_gates_complex/12");
BENCHMARK_TEMPLATE(w1_gates, 16, true)->Name("W1_gates_complex/16");
BENCHMARK_TEMPLATE(w1_gates, 20, true)->Name("W1_gates_complex/20")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(w1_gates, 24, true)->Name("W1_gates_complex/24")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(w1_sweep, 12, 1)->Name("W1_sweep_real/12"); // one pass over a 12-qubit real state
BENCHMARK_TEMPLATE(w1_sweep, 20)->Name("W1_sweep/20");
BENCHMARK_TEMPLATE(w1_sweep, 24)->Name("W1_sweep/24")->Unit(benchmark::kMillisecond);
