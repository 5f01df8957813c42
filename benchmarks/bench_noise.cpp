// Noisy simulation on density matrices, one thread.
// N1: a gate on a density matrix of N qubits (U on the row qubits, conj(U) on the column qubits)
//     against the same gates on a statevector of 2N qubits, gate by gate (the statevector
//     kernels): ns per gate per amplitude (4^N of them, per sample). The gates of
//     RealAmplitudes(N, 4) (RY, CNOT), and of ZZFeatureMap(N, 2) (H, P, CNOT: QC-CNN's encoder).
// N2: one channel step (mixed noise, merged into one channel) on a density matrix: ns per step.
// N4: Monte-Carlo trajectories per second (batched: one per lane) of RY encoding +
//     RealAmplitudes(N, 3) with mixed noise (0.01) after every gate, against noiseless runs per
//     second of the same circuit on a batched statevector.
// N3: QShield's 4-qubit noisy module on a batch: angle encoding of 12 inputs, one fully
//     entangling RealAmplitudes layer, mixed noise of strength 0.005 after it, every <Z_i>, and
//     the input gradient (adjoint method through the noise, after the forward run's tape): us per
//     sample.
#include <benchmark/benchmark.h>
#include <qhybrid/quantum.hpp>

#include <cmath>
#include <span>
#include <vector>

namespace q = qhybrid::quantum;

namespace {

template <std::size_t N>
using layers = q::real_amplitudes<N, 4, q::entanglement::linear>;

// A complex start, so every kernel moves real and imaginary parts.
template <class State>
void make_complex(State& s) {
    q::executor<q::circuit<q::h<0>, q::s<0>>>().apply(s, std::vector<typename State::real_type>{});
}

// GateByGate: a statevector's gates one at a time, each its own kernel sweep, as the density
// matrix runs them (ex.apply fuses a noiseless statevector's gates into fewer sweeps).
template <class State, class C, bool GateByGate = false>
void time_gates(benchmark::State& st, double amplitudes) {
    State s;
    make_complex(s);
    q::executor<C> ex;
    // Angles spread over the circle in golden-ratio steps: a density matrix's rotations take
    // both pivots (density_kernels.hpp), c^2 >= s^2 and the reverse.
    std::vector<double> theta(C::num_params + C::num_inputs * State::samples);
    for (std::size_t k = 0; k < theta.size(); ++k) {
        const double turn = 0.6180339887 * double(k);
        theta[k] = 2 * M_PI * (turn - std::floor(turn)) - M_PI;
    }
    const std::span<const double> params(theta.data(), C::num_params), inputs(theta.begin() + C::num_params, theta.end());
    for (auto _ : st) {
        if constexpr (GateByGate) ex.apply_gate_by_gate(s, params, inputs);
        else ex.apply(s, params, inputs);
        benchmark::ClobberMemory();
    }
    st.counters["ns_per_gate_amplitude"] = benchmark::Counter(double(st.iterations()) * C::num_gates * amplitudes / 1e9,
                                                              benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <std::size_t N>
using feature_map = q::zz_feature_map<N, 2, q::entanglement::linear>;

template <std::size_t N, bool Batched, template <std::size_t> class C = layers>
void n1_density_gate(benchmark::State& st) {
    using D = std::conditional_t<Batched, q::batched_density_matrix<N>, q::density_matrix<N>>;
    time_gates<D, C<N>>(st, double(std::size_t{1} << (2 * N)) * D::samples);
}

template <std::size_t N, bool Batched, template <std::size_t> class C = layers>
void n1_statevector_gate(benchmark::State& st) { // the same gates on 2N qubits
    using S = std::conditional_t<Batched, q::batched_statevector<2 * N>, q::statevector<2 * N>>;
    time_gates<S, C<N>, true>(st, double(std::size_t{1} << (2 * N)) * S::samples);
}

template <std::size_t N, bool Batched>
void n2_channel(benchmark::State& st) {
    using D = std::conditional_t<Batched, q::batched_density_matrix<N>, q::density_matrix<N>>;
    D rho;
    make_complex(rho);
    const q::mixed noise(0.005);
    for (auto _ : st) {
        for (q::qubit k = 0; k < N; ++k) q::apply_channel(rho, noise.channel(), k);
        benchmark::ClobberMemory();
    }
    st.counters["ns_per_step"] = benchmark::Counter(double(st.iterations()) * N / 1e9,
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Twelve inputs on four qubits: RX, RY, RZ of three inputs each.
template <q::qubit Q>
using encode = q::circuit<q::rx<Q, q::input<3 * Q>>, q::ry<Q, q::input<3 * Q + 1>>, q::rz<Q, q::input<3 * Q + 2>>>;
using noisy_module = q::compose<encode<0>, encode<1>, encode<2>, encode<3>, q::real_amplitudes<4, 1, q::entanglement::full>,
                                q::circuit<q::barrier<0b1111>>>;

void n3_noisy_module(benchmark::State& st) {
    using D = q::batched_density_matrix<4>;
    constexpr std::size_t w = D::samples;
    const q::executor<noisy_module, q::mixed> ex(q::mixed(0.005, q::noise_sites::barriers), {});
    std::vector<double> params(noisy_module::num_params, 0.3), inputs(12 * w), dl_dz(4 * w, 0.25),
        dparams(noisy_module::num_params), dinputs(12 * w);
    for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = 0.01 * double(i);
    D rho, lambda;
    q::noise_tape<D> tape;
    for (auto _ : st) { // as a layer does: forward (keeping the tape), read-out, backward
        ex.run(rho, params, inputs, tape);
        benchmark::DoNotOptimize(q::expval_z(rho));
        ex.vjp_after_run(rho, lambda, q::z_weights<double>{dl_dz}, params, inputs, dparams, dinputs, tape);
        benchmark::ClobberMemory();
    }
    st.counters["us_per_sample"] = benchmark::Counter(double(st.iterations()) * w / 1e6,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <std::size_t N>
using traj_circuit = q::compose<q::angle_encoding<N, q::axis::y>, q::real_amplitudes<N, 3, q::entanglement::linear>>;

template <std::size_t N, bool Noisy>
void n4_trajectories(benchmark::State& st) {
    using C = traj_circuit<N>;
    using S = std::conditional_t<Noisy, q::batched_trajectory<N>, q::batched_statevector<N>>;
    constexpr std::size_t w = S::samples;
    const auto ex = [] {
        if constexpr (Noisy) return q::executor<C, q::mixed>(q::mixed(0.01), {});
        else return q::executor<C>();
    }();
    std::vector<double> params(C::num_params, 0.2), inputs(N * w, 0.4);
    S state = [] {
        if constexpr (Noisy) return S(7);
        else return S();
    }();
    for (auto _ : st) {
        ex.run(state, params, inputs);
        benchmark::ClobberMemory();
    }
    st.counters["runs_per_second"] = benchmark::Counter(double(st.iterations()) * w, benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK_TEMPLATE(n4_trajectories, 8, true)->Name("N4_trajectories/8");
BENCHMARK_TEMPLATE(n4_trajectories, 8, false)->Name("N4_noiseless/8");
BENCHMARK_TEMPLATE(n4_trajectories, 16, true)->Name("N4_trajectories/16")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(n4_trajectories, 16, false)->Name("N4_noiseless/16")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(n1_density_gate, 4, false)->Name("N1_density_gate/4");
BENCHMARK_TEMPLATE(n1_density_gate, 6, false)->Name("N1_density_gate/6");
BENCHMARK_TEMPLATE(n1_density_gate, 8, false)->Name("N1_density_gate/8");
BENCHMARK_TEMPLATE(n1_density_gate, 10, false)->Name("N1_density_gate/10");
BENCHMARK_TEMPLATE(n1_statevector_gate, 4, false)->Name("N1_statevector_2N_gate/4");
BENCHMARK_TEMPLATE(n1_statevector_gate, 6, false)->Name("N1_statevector_2N_gate/6");
BENCHMARK_TEMPLATE(n1_statevector_gate, 8, false)->Name("N1_statevector_2N_gate/8");
BENCHMARK_TEMPLATE(n1_statevector_gate, 10, false)->Name("N1_statevector_2N_gate/10");
BENCHMARK_TEMPLATE(n1_density_gate, 4, true)->Name("N1_density_gate_batched/4");
BENCHMARK_TEMPLATE(n1_density_gate, 6, true)->Name("N1_density_gate_batched/6");
BENCHMARK_TEMPLATE(n1_density_gate, 8, true)->Name("N1_density_gate_batched/8");
BENCHMARK_TEMPLATE(n1_density_gate, 10, true)->Name("N1_density_gate_batched/10")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(n1_statevector_gate, 4, true)->Name("N1_statevector_2N_gate_batched/4");
BENCHMARK_TEMPLATE(n1_statevector_gate, 6, true)->Name("N1_statevector_2N_gate_batched/6");
BENCHMARK_TEMPLATE(n1_statevector_gate, 8, true)->Name("N1_statevector_2N_gate_batched/8");
BENCHMARK_TEMPLATE(n1_statevector_gate, 10, true)->Name("N1_statevector_2N_gate_batched/10")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(n1_density_gate, 4, false, feature_map)->Name("N1_density_zz_map/4");
BENCHMARK_TEMPLATE(n1_density_gate, 8, false, feature_map)->Name("N1_density_zz_map/8");
BENCHMARK_TEMPLATE(n1_statevector_gate, 4, false, feature_map)->Name("N1_statevector_2N_zz_map/4");
BENCHMARK_TEMPLATE(n1_statevector_gate, 8, false, feature_map)->Name("N1_statevector_2N_zz_map/8");
BENCHMARK_TEMPLATE(n1_density_gate, 4, true, feature_map)->Name("N1_density_zz_map_batched/4");
BENCHMARK_TEMPLATE(n1_density_gate, 8, true, feature_map)->Name("N1_density_zz_map_batched/8");
BENCHMARK_TEMPLATE(n1_statevector_gate, 4, true, feature_map)->Name("N1_statevector_2N_zz_map_batched/4");
BENCHMARK_TEMPLATE(n1_statevector_gate, 8, true, feature_map)->Name("N1_statevector_2N_zz_map_batched/8");
BENCHMARK_TEMPLATE(n2_channel, 4, false)->Name("N2_channel/4");
BENCHMARK_TEMPLATE(n2_channel, 6, false)->Name("N2_channel/6");
BENCHMARK_TEMPLATE(n2_channel, 8, false)->Name("N2_channel/8");
BENCHMARK_TEMPLATE(n2_channel, 10, false)->Name("N2_channel/10");
BENCHMARK_TEMPLATE(n2_channel, 4, true)->Name("N2_channel_batched/4");
BENCHMARK_TEMPLATE(n2_channel, 6, true)->Name("N2_channel_batched/6");
BENCHMARK_TEMPLATE(n2_channel, 8, true)->Name("N2_channel_batched/8");
BENCHMARK_TEMPLATE(n2_channel, 10, true)->Name("N2_channel_batched/10")->Unit(benchmark::kMillisecond);
BENCHMARK(n3_noisy_module)->Name("N3_noisy_module_4q");
