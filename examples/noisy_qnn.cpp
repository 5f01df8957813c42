// The core example's classifier (vqc_classifier.hpp) on real devices: trained without noise on
// DEEP-VOICE, then run on the test rows under each device's calibrated noise scaled from 0x to 3x,
// without and with ZZ crosstalk.
//
// - 6 qubits (the first 6 features) placed on ibm_nairobi (7 qubits): exact density matrices.
// - 8 qubits placed on ibm_brisbane (127 qubits): Monte-Carlo trajectories on the logical qubits
//   (the state never holds the device's other qubits), `--trajectories` per test row.
//
// Placement: the layout needing the fewest SWAPs (device_noise::choose_layout): RealAmplitudes'
// CNOT chain fits a path of brisbane's heavy-hex lattice; nairobi's H shape has no path of 6
// qubits, so routing adds SWAPs there. The read-out <Z_0> passes through qubit 0's readout
// confusion (scaled too). Crosstalk: always-on ZZ between coupled qubits, `--zz` Hz at 1x,
// scaled with the noise (the calibrations do not report it; tens of kHz is typical of these
// devices). Reported per point: test accuracy and the drift of the measured <Z_0> from the
// noiseless one (mean absolute difference over the test rows).
//
//   noisy_qnn [--data DIR] [--out DIR] [--epochs N] [--seed S] [--trajectories T] [--zz HZ] [--rows R]
#include "report.hpp"
#include "vqc_classifier.hpp"

#include <CLI/CLI.hpp>
#include <qhybrid/quantum/crosstalk.hpp>
#include <qhybrid/quantum/device_noise.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

namespace q = qhybrid::quantum;

namespace {

struct settings {
    int epochs = 15;
    std::uint64_t seed = 1;
    std::size_t trajectories = 16;
    double zz_hz = 50e3;
    std::size_t rows = 0; // 0: every test row
    std::vector<double> scales{0, 0.5, 1, 1.5, 2, 2.5, 3};
};

struct point {
    double accuracy = 0, drift = 0, seconds = 0;
};

// Runs the trained classifier on `rows` under `ex` and compares with the noiseless <Z_0>.
template <std::size_t Qubits, class State, class Executor>
point evaluate(vqc::classifier<Qubits>& model, const Executor& ex, const q::readout_error& readout,
               const vqc::dataset& d, const std::vector<std::size_t>& rows, std::size_t repeats, State& state) {
    using model_t = vqc::classifier<Qubits>;
    constexpr std::size_t w = model_t::lanes;
    const auto start = std::chrono::steady_clock::now();
    point out;
    for (std::size_t first = 0; first < rows.size(); first += w) {
        const auto x = model_t::pack(d, rows, first);
        const auto ideal = model.z0(x);
        std::array<double, w> z{};
        for (std::size_t r = 0; r < repeats; ++r) {
            ex.run(state, model.circuit_params(), x);
            const auto all = [&] {
                if constexpr (requires { state.state(); }) return q::expval_z(state.state());
                else return q::expval_z(state);
            }();
            for (std::size_t l = 0; l < w; ++l) z[l] += all[l] / double(repeats);
        }
        for (std::size_t l = 0; l < w && first + l < rows.size(); ++l) {
            const double measured = readout.measured_z(z[l]);
            out.accuracy += model.predicts_fake(measured) == bool(d.y[rows[first + l]]);
            out.drift += std::abs(measured - ideal[l]);
        }
    }
    out.accuracy /= double(rows.size());
    out.drift /= double(rows.size());
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

// Trains the Qubits-qubit classifier, places it on `device` and sweeps the noise scale.
template <std::size_t Qubits, class State>
void sweep(const char* device_name, const q::device_model& device, const settings& o, const std::filesystem::path& data, std::size_t repeats, const char* backend,
           report::csv_file& csv) {
    using model_t = vqc::classifier<Qubits>;
    using circuit = typename model_t::circuit;
    vqc::dataset d = vqc::load(data, Qubits);
    qhybrid::rng gen(o.seed);
    const auto split = qhybrid::data::stratified_split(std::span<const int>(d.y), 0.2, gen);
    vqc::scale_to_angles(d, split.train);
    std::vector<std::size_t> test = split.test;
    if (o.rows > 0 && o.rows < test.size()) test.resize(o.rows);

    model_t model(gen);
    vqc::adam opt(0.05);
    std::vector<std::size_t> order = split.train;
    for (int e = 0; e < o.epochs; ++e) model.train_epoch(d, order, 64, opt, gen);
    const double clean = model.accuracy(d, test);

    const auto layout = q::device_noise::choose_layout<circuit>(device);
    std::string where;
    for (auto p : layout) where += (where.empty() ? "" : " ") + std::to_string(p);
    const auto placed = q::device_noise::place<circuit>(device, layout);
    std::printf("\n%s: %zu qubits on physical {%s}; routing adds %zu SWAPs (%zu native two-qubit gates in all); "
                "noiseless test accuracy %.4f on %zu rows (%s)\n",
                device_name, Qubits, where.c_str(), placed.swaps(), placed.native_two_qubit_gates(), clean, test.size(),
                backend);
    std::printf("| scale | crosstalk | test accuracy | <Z_0> drift | seconds |\n|---|---|---|---|---|\n");
    for (double scale : o.scales) {
        const auto noise = q::device_noise::place<circuit>(device, layout, scale);
        const auto readout = noise.readout()[0];
        for (bool crosstalk : {false, true}) {
            State state = [&] {
                if constexpr (std::is_constructible_v<State, std::uint64_t>) return State(o.seed); // trajectories
                else return State();
            }();
            point p;
            if (crosstalk) {
                const q::executor<circuit, q::device_noise, q::zz_crosstalk> ex(
                    noise, q::zz_crosstalk::on_device(device, layout, o.zz_hz * scale));
                p = evaluate(model, ex, readout, d, test, repeats, state);
            } else {
                const q::executor<circuit, q::device_noise> ex(noise, {});
                p = evaluate(model, ex, readout, d, test, repeats, state);
            }
            std::printf("| %.1f | %s | %.4f | %.4f | %.1f |\n", scale, crosstalk ? "ZZ" : "none", p.accuracy, p.drift,
                        p.seconds);
            csv.row(device_name, Qubits, backend, scale, crosstalk ? "zz" : "none", p.accuracy, p.drift, clean,
                    placed.swaps(), test.size());
        }
    }
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("The VQC classifier on IBM devices: accuracy and <Z> drift against noise scale, with and without crosstalk");
    std::string data_flag, out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--out", out, "folder for noisy_qnn.csv");
    app.add_option("--epochs", o.epochs, "noiseless training epochs")->check(CLI::PositiveNumber);
    app.add_option("--seed", o.seed, "split, initialisation and trajectory seed");
    app.add_option("--trajectories", o.trajectories, "trajectories per test row on brisbane")->check(CLI::PositiveNumber);
    app.add_option("--zz", o.zz_hz, "ZZ crosstalk strength in Hz at scale 1")->check(CLI::NonNegativeNumber);
    app.add_option("--rows", o.rows, "test rows to run (0: all)");
    app.add_option("--scales", o.scales, "noise scales, e.g. --scales 0 1 3")->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);

    const auto data = qhybrid::data::data_root(data_flag);
    const auto backends = qhybrid::data::require_data(data, "ibm-backends/nairobi").parent_path();
    const auto nairobi = q::device_model::load(backends / "nairobi");
    const auto brisbane = q::device_model::load(backends / "brisbane");
    std::printf("DEEP-VOICE, stratified 80/20 (seed %llu), %d noiseless epochs; noise scales 0x-3x of the calibration, "
                "ZZ crosstalk %g Hz at 1x\n",
                static_cast<unsigned long long>(o.seed), o.epochs, o.zz_hz);

    report::csv_file csv(out, "noisy_qnn.csv",
                         "device,qubits,backend,scale,crosstalk,test_accuracy,z0_drift,noiseless_accuracy,swaps,rows");
    sweep<6, q::batched_density_matrix<6>>("ibm_nairobi", nairobi, o, data, 1, "density matrix", csv);
    char backend[64];
    std::snprintf(backend, sizeof backend, "%zu trajectories per row", o.trajectories);
    sweep<8, q::batched_trajectory<8>>("ibm_brisbane", brisbane, o, data, o.trajectories, backend, csv);
    std::printf("\nwrote %s\n", csv.path().c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "noisy_qnn: %s\n", e.what());
    return 1;
}
