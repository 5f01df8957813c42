// The core example's classifier (vqc_classifier.hpp) on real devices, over several trained models:
// for every seed a stratified 70/10/20 split of DEEP-VOICE, the classifier trained without noise
// (nn::fit, early stopping on validation loss, the learning rate chosen on validation from a grid
// by the mean over seeds), then run on the test rows under each device's calibrated noise scaled
// from 0x to 3x, without and with ZZ crosstalk.
//
// - 6 qubits (the first 6 features) placed on ibm_nairobi (7 qubits): exact density matrices.
// - 8 qubits placed on ibm_brisbane (127 qubits): Monte-Carlo trajectories on the logical qubits
//   (the state never holds the device's other qubits), `--trajectories` per row; their sampling
//   error is measured on the first seed (per-row standard error, and the sweep rerun on other
//   trajectories).
//
// Placement: the layout needing the fewest SWAPs (device_noise::choose_layout). The read-out
// <Z_0> passes through qubit 0's readout confusion (scaled too). Crosstalk: always-on ZZ between
// coupled qubits, `--zz` Hz at 1x, scaled with the noise (the calibrations do not report it).
//
// Noise moves <Z_0>, and with it which side of the threshold b a row falls on; a change in
// accuracy can come from that alone. So every point reports, on the test rows:
//   accuracy        the trained a, b;
//   acc, b on val   b re-fitted (accuracy-optimal, a kept) on the noiseless validation rows: the
//                   control for "noise raised the accuracy" (a better b without noise);
//   acc, b on noisy val  b re-fitted on the validation rows run under the same noise: the model
//                   calibrated to the device at that scale;
//   ROC AUC         threshold-free, the same for all three b;
//   <Z_0> drift     mean |measured <Z_0> - noiseless <Z_0>|.
//
// Both phases are dist::sweeps: `mpirun -np N noisy_qnn ...` (a build with QHYBRID_MPI) runs the
// trainings (learning rate x seed) and then the noise sweeps (seed x noise scale) on N processes and
// writes the same CSV files; --checkpoint keeps every finished item.
//
//   noisy_qnn [--data DIR] [--out DIR] [--seeds N] [--lrs ...] [--patience P] [--max-epochs E]
//             [--trajectories T] [--zz HZ] [--rows R] [--scales ...] [--checkpoint DIR]
#include "seed_sweep.hpp"
#include "vqc_classifier.hpp"

#include <CLI/CLI.hpp>
#include <boost/hana/define_struct.hpp>
#include <qhybrid/quantum/crosstalk.hpp>
#include <qhybrid/quantum/device_noise.hpp>
#include <qhybrid/stats.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace q = qhybrid::quantum;
namespace nn = qhybrid::nn;
namespace stats = qhybrid::stats;

namespace {

struct settings {
    std::size_t seeds = 5;
    std::vector<double> lrs{0.02, 0.05, 0.1};
    std::size_t patience = 10, max_epochs = 300, batch = 64;
    std::size_t trajectories = 64;
    double zz_hz = 50e3;
    std::size_t rows = 0; // 0: every validation and test row under noise
    std::vector<double> scales{0, 0.5, 1, 1.5, 2, 2.5, 3};
    std::string checkpoint;
};

// P(FAKE) = sigmoid(a <Z_0> + b) as the two logits (0, a <Z_0> + b): softmax cross-entropy on
// them is the classifier's binary cross-entropy, so nn::fit trains it unchanged.
class z0_logit : public nn::layer_base<z0_logit, double> {
public:
    explicit z0_logit(std::size_t qubits) : qubits_(qubits), ab_({2}), dab_({2}) { ab_[0] = 1.0; }
    nn::tensor<double> forward(const nn::tensor<double>& z, nn::mode) override {
        nn::require_shape(z, {0, qubits_}, "z0_logit");
        z_ = z;
        nn::tensor<double> y({z.dim(0), 2});
        for (std::size_t i = 0; i < z.dim(0); ++i) y[2 * i + 1] = ab_[0] * z[i * qubits_] + ab_[1];
        return y;
    }
    nn::tensor<double> backward(const nn::tensor<double>& dy) override {
        nn::require_forward(z_, "z0_logit");
        nn::tensor<double> dz(z_.shape());
        for (std::size_t i = 0; i < z_.dim(0); ++i) {
            const double ds = dy[2 * i + 1]; // the constant logit 0 has no parameters
            dab_[0] += ds * z_[i * qubits_], dab_[1] += ds;
            dz[i * qubits_] = ds * ab_[0];
        }
        return dz;
    }
    std::vector<nn::parameter<double>> parameters() override { return {{"ab", &ab_, &dab_}}; }
    std::string describe() const override { return "z0_logit(a <Z_0> + b)"; }

private:
    std::size_t qubits_;
    nn::tensor<double> ab_, dab_, z_;
};

// The first `qubits` DEEP-VOICE columns of a split, min-max scaled to [0, pi] on its training rows.
struct angles {
    nn::labelled<double> train, validation, test;
};

nn::labelled<double> first_columns(const nn::labelled<double>& d, std::size_t qubits) {
    nn::tensor<double> x({d.size(), qubits});
    for (std::size_t r = 0; r < d.size(); ++r)
        for (std::size_t i = 0; i < qubits; ++i) x[r * qubits + i] = d.x[r * qhybrid::data::deep_voice_width + i];
    return {std::move(x), d.y};
}

angles angle_split(const nn::labelled<double>& all, std::size_t qubits, qhybrid::rng& gen) {
    const auto s = qhybrid::models::split_deep_voice(all, 0.2, gen, 0.1);
    angles a{first_columns(s.train, qubits), first_columns(s.validation, qubits), first_columns(s.test, qubits)};
    qhybrid::data::min_max_scaler scaler(0, M_PI);
    scaler.fit(a.train.x.values(), qubits);
    for (auto* d : {&a.train, &a.validation, &a.test}) scaler.transform(d->x.values());
    return a;
}

// A trained classifier: circuit parameters, a and b.
struct trained {
    BOOST_HANA_DEFINE_STRUCT(trained, (std::vector<double>, theta), (double, a), (double, b), (std::uint64_t, epochs),
                             (double, val_loss), (double, val_accuracy));
};

template <std::size_t Qubits>
trained train(const angles& d, double lr, std::uint64_t seed, const settings& o) {
    using circuit = typename vqc::classifier<Qubits>::circuit;
    qhybrid::rng gen(seed);
    nn::sequential<double> net;
    net.add<nn::quantum_layer<circuit>>(gen).template add<z0_logit>(Qubits);
    auto params = net.parameters();
    for (auto& v : params[0].value->values()) v = gen.uniform(-0.1, 0.1); // vqc::classifier's start
    nn::adam<double> opt(params, {.lr = lr});
    const auto history = nn::fit(net, opt, d.train, &d.validation,
                                 {.epochs = o.max_epochs, .batch_size = o.batch, .seed = seed, .patience = o.patience,
                                  .restore_best = true, .progress = false});
    const auto best = std::min_element(history.begin(), history.end(),
                                       [](const auto& x, const auto& y) { return x.val_loss < y.val_loss; });
    const auto v = params[0].value->values();
    return {{v.begin(), v.end()}, (*params[1].value)[0], (*params[1].value)[1], history.size(), best->val_loss, best->val_accuracy};
}

// The measured <Z_0> of every row (the mean over `repeats` runs, through `readout`) and its
// standard error over the repeats (0 for one repeat).
struct measured {
    std::vector<double> z, se;
};

template <std::size_t Qubits, class Executor, class State>
measured measure(const Executor& ex, State& state, const q::readout_error& readout, const trained& m,
                 const nn::labelled<double>& d, std::size_t rows, std::size_t repeats) {
    constexpr std::size_t w = q::batched_statevector<Qubits>::samples;
    measured out{std::vector<double>(rows), std::vector<double>(rows)};
    std::vector<double> x(Qubits * w);
    for (std::size_t first = 0; first < rows; first += w) {
        for (std::size_t l = 0; l < w; ++l)
            for (std::size_t i = 0; i < Qubits; ++i) x[i * w + l] = d.x[(first + l < rows ? first + l : first) * Qubits + i];
        std::array<double, w> sum{}, squares{};
        for (std::size_t r = 0; r < repeats; ++r) {
            ex.run(state, m.theta, x);
            const auto z = [&] {
                if constexpr (q::trajectory_state<State>) return q::expval_z(state.state());
                else return q::expval_z(state);
            }();
            for (std::size_t l = 0; l < w; ++l) {
                const double v = readout.measured_z(z[l]);
                sum[l] += v, squares[l] += v * v;
            }
        }
        for (std::size_t l = 0; l < w && first + l < rows; ++l) {
            const double n = double(repeats), mean = sum[l] / n;
            out.z[first + l] = mean;
            out.se[first + l] = repeats > 1 ? std::sqrt(std::max(0.0, (squares[l] - n * mean * mean) / (n - 1) / n)) : 0.0;
        }
    }
    return out;
}

double accuracy(const std::vector<double>& z, const std::vector<std::size_t>& y, double a, double b) {
    std::size_t correct = 0;
    for (std::size_t i = 0; i < z.size(); ++i) correct += (a * z[i] + b > 0) == (y[i] == 1);
    return double(correct) / double(z.size());
}

// The b maximising accuracy of "a z + b > 0 means FAKE" on (z, y), a fixed: scores sorted, every
// cut between two distinct ones tried (the lowest of equally good cuts wins).
double refit_offset(const std::vector<double>& z, const std::vector<std::size_t>& y, double a) {
    std::vector<double> s(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) s[i] = a * z[i];
    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return s[i] < s[j]; });
    std::size_t correct = std::size_t(std::count(y.begin(), y.end(), std::size_t{1})); // cut below all: all FAKE
    std::size_t best = correct;
    double cut = s[order.front()] - 1;
    for (std::size_t k = 0; k < order.size(); ++k) {
        correct = y[order[k]] ? correct - 1 : correct + 1; // row k moves to the REAL side
        if (k + 1 < order.size() && s[order[k + 1]] == s[order[k]]) continue;
        if (correct > best) best = correct, cut = k + 1 < order.size() ? (s[order[k]] + s[order[k + 1]]) / 2 : s[order[k]] + 1;
    }
    return -cut;
}

double auc(const std::vector<double>& z, const std::vector<std::size_t>& y, double a) {
    std::vector<double> s(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) s[i] = a * z[i];
    return nn::roc_auc(nn::roc_curve(s, y));
}

std::string point_name(double scale, bool crosstalk) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gx%s", scale, crosstalk ? " + ZZ" : "");
    return buf;
}

const std::vector<std::string> metrics{"accuracy", "acc, b on val", "acc, b on noisy val", "ROC AUC", "<Z_0> drift"};

// Trains the Qubits-qubit classifier for every seed and learning rate, keeps the learning rate
// with the lowest mean validation loss, places the models on `device` and sweeps the noise scale.
template <std::size_t Qubits, class State>
void sweep(const qhybrid::dist::world& world, const std::string& device_name, const q::device_model& device, const settings& o,
           const nn::labelled<double>& all, std::size_t repeats, const std::filesystem::path& out) {
    using circuit = typename vqc::classifier<Qubits>::circuit;
    const auto start = std::chrono::steady_clock::now();
    const auto layout = q::device_noise::choose_layout<circuit>(device);
    std::string where;
    for (auto p : layout) where += (where.empty() ? "" : " ") + std::to_string(p);
    const auto placed = q::device_noise::place<circuit>(device, layout);
    if (world.root())
        std::printf("\n### %s: %zu qubits on physical {%s}; routing adds %zu SWAPs (%zu native two-qubit gates in all); %s\n",
                    device_name.c_str(), Qubits, where.c_str(), placed.swaps(), placed.native_two_qubit_gates(),
                    repeats > 1 ? (std::to_string(repeats) + " trajectories per row").c_str() : "exact density matrices");
    const auto key = [&](const char* phase) {
        return seed_sweep::key(std::string("noisy_qnn ") + phase)
            .with("device", device_name).with("seeds", o.seeds).with("lrs", o.lrs).with("patience", o.patience)
            .with("max epochs", o.max_epochs).with("batch", o.batch).with("trajectories", repeats).with("zz", o.zz_hz)
            .with("rows", o.rows).with("scales", o.scales).str();
    };
    const auto folder = [&](const char* phase) { return o.checkpoint.empty() ? "" : o.checkpoint + "/" + device_name + "/" + phase; };
    std::vector<std::optional<angles>> splits(o.seeds); // a process's splits, each made once
    const auto split_of = [&](std::uint64_t seed) -> const angles& {
        if (!splits[seed - 1]) {
            qhybrid::rng gen(seed);
            splits[seed - 1] = angle_split(all, Qubits, gen);
        }
        return *splits[seed - 1];
    };

    // Training: every learning rate on every seed (items (lr, seed), seeds fastest); the choice by
    // mean best validation loss.
    const std::vector<trained> models = qhybrid::dist::sweep(world, o.lrs.size() * o.seeds, [&](std::size_t item) {
        const std::uint64_t seed = 1 + item % o.seeds;
        return train<Qubits>(split_of(seed), o.lrs[item / o.seeds], seed, o);
    }, {.checkpoint = folder("train"), .key = key("train")});
    const auto model_of = [&](std::size_t k, std::uint64_t seed) -> const trained& { return models[k * o.seeds + seed - 1]; };
    const auto failed_on = [](const angles& d, const trained& m) {
        return !stats::above_chance(std::size_t(std::lround(m.val_accuracy * double(d.validation.size()))), d.validation.size(),
                                    stats::majority_rate(d.validation.y));
    };
    stats::seed_table lr_table({"validation loss", "validation accuracy", "epochs"});
    std::size_t at_max = 0;
    for (std::size_t k = 0; k < o.lrs.size(); ++k)
        for (std::uint64_t seed = 1; seed <= o.seeds; ++seed) {
            const trained& m = model_of(k, seed);
            at_max += m.epochs == o.max_epochs;
            lr_table.add("Adam lr " + qhybrid::number(o.lrs[k]), seed, {m.val_loss, m.val_accuracy, double(m.epochs)},
                         failed_on(split_of(seed), m));
        }
    std::size_t chosen = 0;
    for (std::size_t k = 0; k < o.lrs.size(); ++k)
        if (lr_table.summary("Adam lr " + qhybrid::number(o.lrs[k]), "validation loss").mean <
            lr_table.summary("Adam lr " + qhybrid::number(o.lrs[chosen]), "validation loss").mean)
            chosen = k;
    if (world.root())
        std::printf("\nNoiseless training (batch %zu, patience %zu, at most %zu epochs; %zu of %zu runs reached the maximum):\n\n%s\n"
                    "chosen on mean validation loss: Adam lr %s\n",
                    o.batch, o.patience, o.max_epochs, at_max, o.lrs.size() * o.seeds, lr_table.markdown().c_str(),
                    qhybrid::number(o.lrs[chosen]).c_str());

    // The noise sweep of the chosen models: a seed's parts are its noise scales.
    stats::seed_table chosen_models({"a", "threshold -b/a", "mean <Z_0>", "sd of <Z_0>"}), table(metrics),
        contrast({"test accuracy"}), sampling({"accuracy", "accuracy, other trajectories", "mean per-row SE of <Z_0>"});
    constexpr std::uint32_t models_table = 0, noise_table = 1, contrast_table = 2, sampling_table = 3;
    seed_sweep::run(world, 1, o.seeds, o.scales.size(), {.tables = {&chosen_models, &table, &contrast, &sampling}}, folder("noise"),
                    key("noise"), [&](seed_sweep::seed_output& report, std::size_t part) {
        const std::uint64_t seed = report.seed();
        const double scale = o.scales[part];
        const auto& d = split_of(seed);
        const trained& m = model_of(chosen, seed);
        const std::size_t val_rows = o.rows ? std::min(o.rows, d.validation.size()) : d.validation.size();
        const std::size_t test_rows = o.rows ? std::min(o.rows, d.test.size()) : d.test.size();
        const std::vector<std::size_t> val_y(d.validation.y.begin(), d.validation.y.begin() + long(val_rows));
        const std::vector<std::size_t> test_y(d.test.y.begin(), d.test.y.begin() + long(test_rows));
        const bool failed = failed_on(d, m);

        const q::executor<circuit> ideal_ex;
        q::batched_statevector<Qubits> psi;
        const q::readout_error perfect{};
        const auto ideal_test = measure<Qubits>(ideal_ex, psi, perfect, m, d.test, test_rows, 1).z;
        const auto ideal_val = measure<Qubits>(ideal_ex, psi, perfect, m, d.validation, val_rows, 1).z;
        const double b_val = refit_offset(ideal_val, val_y, m.a);
        if (part == 0) {
            const auto z_spread = stats::t_interval(ideal_val);
            report.add(models_table, "Adam lr " + qhybrid::number(o.lrs[chosen]), {m.a, -m.b / m.a, z_spread.mean, z_spread.sd}, failed);
        }
        const auto noise = q::device_noise::place<circuit>(device, layout, scale);
        const auto readout = noise.readout()[0];
        for (bool crosstalk : {false, true}) {
            // Trajectory streams keyed by (seed, split, rerun), never by the order of the sweep.
            const auto run = [&](const nn::labelled<double>& rows_of, std::size_t rows, std::uint64_t stream) {
                State state = [&] {
                    if constexpr (std::is_constructible_v<State, std::uint64_t>) return State(stream);
                    else return State();
                }();
                if (crosstalk) {
                    const q::executor<circuit, q::device_noise, q::zz_crosstalk> ex(
                        noise, q::zz_crosstalk::on_device(device, layout, o.zz_hz * scale));
                    return measure<Qubits>(ex, state, readout, m, rows_of, rows, repeats);
                }
                const q::executor<circuit, q::device_noise> ex(noise, {});
                return measure<Qubits>(ex, state, readout, m, rows_of, rows, repeats);
            };
            const auto test = run(d.test, test_rows, 3 * seed);
            const auto val = run(d.validation, val_rows, 3 * seed + 1);
            double drift = 0;
            for (std::size_t i = 0; i < test_rows; ++i) drift += std::abs(test.z[i] - ideal_test[i]) / double(test_rows);
            const std::string name = point_name(scale, crosstalk);
            const double acc = accuracy(test.z, test_y, m.a, m.b);
            report.add(noise_table, name,
                       {acc, accuracy(test.z, test_y, m.a, b_val), accuracy(test.z, test_y, m.a, refit_offset(val.z, val_y, m.a)),
                        auc(test.z, test_y, m.a), drift},
                       failed);
            report.add(contrast_table, name + ", trained b", {acc}, failed);
            if (scale == 0) report.add(contrast_table, name + ", b on val", {accuracy(test.z, test_y, m.a, b_val)}, failed);
            if (repeats > 1 && seed == 1) {
                const auto again = run(d.test, test_rows, 3 * seed + 2);
                report.add(sampling_table, name,
                           {acc, accuracy(again.z, test_y, m.a, m.b), std::accumulate(test.se.begin(), test.se.end(), 0.0) / double(test_rows)});
            }
        }
    });
    if (!world.root()) return;

    std::printf("\nThe chosen models (noiseless <Z_0> on the validation rows; FAKE when a <Z_0> + b > 0):\n\n%s\n",
                chosen_models.markdown().c_str());
    std::printf("\nTest rows under noise (%zu models; mean and 95%% t interval over seeds; failed = validation accuracy "
                "not above chance):\n\n%s\n",
                o.seeds, table.markdown().c_str());
    std::printf("Paired over seeds:\n");
    for (bool crosstalk : {false, true})
        for (double scale : o.scales) {
            if (scale == 0) continue;
            const auto name = point_name(scale, crosstalk), zero = point_name(0, crosstalk);
            std::printf("- %s\n", table.comparison(name, zero, "accuracy").c_str());
            std::printf("- %s\n", contrast.comparison(name + ", trained b", zero + ", b on val", "test accuracy").c_str());
            std::printf("- %s\n", table.comparison(name, zero, "acc, b on noisy val").c_str());
            std::printf("- %s\n", table.comparison(name, zero, "ROC AUC").c_str());
        }
    for (double scale : o.scales) // what crosstalk adds at the same scale
        if (scale > 0)
            for (const char* metric : {"acc, b on noisy val", "ROC AUC", "<Z_0> drift"})
                std::printf("- %s\n", table.comparison(point_name(scale, true), point_name(scale, false), metric).c_str());
    if (repeats > 1)
        std::printf("\nSampling error of the %zu trajectories (seed 1): the test sweep rerun on other trajectories, and the "
                    "standard error of each row's mean <Z_0>:\n\n%s\n",
                    repeats, sampling.markdown().c_str());
    const std::string stem = "noisy_qnn_" + device_name;
    lr_table.write_csv(out / (stem + "_lr_runs.csv"), out / (stem + "_lr_summary.csv"));
    chosen_models.write_csv(out / (stem + "_models_runs.csv"), out / (stem + "_models_summary.csv"));
    table.write_csv(out / (stem + "_runs.csv"), out / (stem + "_summary.csv"));
    if (repeats > 1) sampling.write_csv(out / (stem + "_sampling_runs.csv"), out / (stem + "_sampling_summary.csv"));
    std::printf("%s: %.0f s\n", device_name.c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    const qhybrid::dist::world world;
    CLI::App app("The VQC classifier on IBM devices over several trained models: accuracy, ROC AUC and <Z> drift against "
                 "noise scale, with and without crosstalk, against re-fitted thresholds");
    std::string data_flag, out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--out", out, "folder for the noisy_qnn_*.csv files");
    app.add_option("--seeds", o.seeds, "models: seeds 1..N (split, initialisation, minibatches, trajectories)")->check(CLI::Range(2, 1000));
    app.add_option("--lrs", o.lrs, "Adam learning rates to choose from on validation")->check(CLI::PositiveNumber);
    app.add_option("--patience", o.patience, "epochs without a better validation loss before stopping")->check(CLI::PositiveNumber);
    app.add_option("--max-epochs", o.max_epochs, "noiseless training epochs at most")->check(CLI::PositiveNumber);
    app.add_option("--trajectories", o.trajectories, "trajectories per row on brisbane")->check(CLI::Range(2, 100000));
    app.add_option("--zz", o.zz_hz, "ZZ crosstalk strength in Hz at scale 1")->check(CLI::NonNegativeNumber);
    app.add_option("--rows", o.rows, "validation and test rows to run under noise (0: all)");
    app.add_option("--scales", o.scales, "noise scales, e.g. --scales 0 1 3 (0 is added: the comparisons need it)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--checkpoint", o.checkpoint, "folder that keeps every finished item; a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    if (std::find(o.scales.begin(), o.scales.end(), 0.0) == o.scales.end()) o.scales.insert(o.scales.begin(), 0.0);

    const auto data = qhybrid::data::data_root(data_flag);
    const auto backends = qhybrid::data::require_data(data, "ibm-backends/nairobi").parent_path();
    const auto nairobi = q::device_model::load(backends / "nairobi");
    const auto brisbane = q::device_model::load(backends / "brisbane");
    const auto all = qhybrid::models::read_deep_voice_set(qhybrid::data::require_data(data, "deep-voice/DATASET-balanced.csv"));
    if (world.root()) {
        std::printf("DEEP-VOICE, %zu seeds, each its own stratified 70/10/20 split; Adam lr from {", o.seeds);
        for (std::size_t k = 0; k < o.lrs.size(); ++k) std::printf("%s%g", k ? ", " : "", o.lrs[k]);
        std::printf("}; noise scales 0x-%gx of the calibration, ZZ crosstalk %g Hz at 1x; %zu process(es) of %zu thread(s)\n",
                    *std::max_element(o.scales.begin(), o.scales.end()), o.zz_hz, world.size(), qhybrid::threads());
    }
    sweep<6, q::batched_density_matrix<6>>(world, "ibm_nairobi", nairobi, o, all, 1, out);
    sweep<8, q::batched_trajectory<8>>(world, "ibm_brisbane", brisbane, o, all, o.trajectories, out);
    if (world.root()) std::printf("\nwrote %s/noisy_qnn_*.csv\n", out.c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "noisy_qnn: %s\n", e.what());
    return 1;
}
