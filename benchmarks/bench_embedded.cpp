// Host latency of one inference with the exported (embedded) models of the test fixture:
// the DEEP-VOICE CNN and the CNN a QT-CNN generated (float and double), and the MLP baseline.
// Same code as on the microcontroller, compiled for this CPU.
#include "deepvoice_cnn_f32.hpp"
#include "deepvoice_cnn_f64.hpp"
#include "fixture.hpp"
#include "mlp_f32.hpp"
#include "qt_generated_cnn_f32.hpp"

#include <benchmark/benchmark.h>

namespace {

template <const auto& Net>
void inference(benchmark::State& state) {
    using T = typename std::remove_cvref_t<decltype(Net)>::value_type;
    std::array<T, Net.input_size> x{};
    std::array<T, Net.output_size> y{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = T(fixture::deep_voice_inputs[i]);
    for (auto _ : state) {
        benchmark::DoNotOptimize(Net.run(x, y));
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK_TEMPLATE(inference, deepvoice_cnn_f32::model)->Name("E1/deepvoice_cnn/float");
BENCHMARK_TEMPLATE(inference, deepvoice_cnn_f64::model)->Name("E1/deepvoice_cnn/double");
BENCHMARK_TEMPLATE(inference, qt_generated_cnn_f32::model)->Name("E1/qt_generated_cnn/float");
BENCHMARK_TEMPLATE(inference, mlp_f32::model)->Name("E1/mlp/float");

} // namespace
