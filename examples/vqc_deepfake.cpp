// A variational quantum classifier for deepfake voices on DEEP-VOICE's features.
//
// Eight of the 26 features (chroma_stft, rms, spectral_centroid, spectral_bandwidth, rolloff,
// zero_crossing_rate, mfcc1, mfcc2), min-max scaled to [0, pi] on the training rows, are
// angle-encoded with RY on 8 qubits; RealAmplitudes (reps 3, reverse_linear) follows, and
// P(FAKE) = sigmoid(a <Z_0> + b) with two classical parameters a, b. Binary cross-entropy,
// Adam, gradients by the adjoint method, one SIMD lane per sample. Stratified 80/20 split.
// Note: DEEP-VOICE's rows are consecutive 1-second windows of the same recordings, so a
// random split puts windows of one recording on both sides; the test accuracy is optimistic.
//
//   vqc_deepfake [--data DIR] [--epochs N] [--seed S] [--batch B] [--lr LR]
// DIR defaults to $QHYBRID_DATA, then ../shared/data.
#include <qhybrid/qhybrid.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace q = qhybrid::quantum;
namespace fs = std::filesystem;

constexpr std::size_t qubits = 8;
using model_circuit = q::compose<q::angle_encoding<qubits, q::axis::y>, q::real_amplitudes<qubits, 3>>;
using batch_state = q::batched_statevector<qubits>;
constexpr std::size_t lanes = batch_state::samples;
// The first `qubits` DEEP-VOICE columns: chroma, rms, centroid, bandwidth, rolloff, ZCR, mfcc1, mfcc2.

struct options {
    fs::path data;
    int epochs = 15;
    std::uint64_t seed = 1;
    std::size_t batch = 64;
    double lr = 0.05;
};

options parse(int argc, char** argv) {
    options o;
    o.data = qhybrid::data::data_root();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) qhybrid::fail("option " + a + " needs a value");
            return argv[++i];
        };
        auto number = [&]() {
            const std::string v = value();
            double x = 0;
            const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x))
                qhybrid::fail(a + ": \"" + v + "\" is not a number");
            return x;
        };
        auto whole = [&](double lo, double hi) { // a whole number in [lo, hi], before any cast
            const double x = number();
            if (x != std::floor(x) || x < lo || x > hi)
                qhybrid::fail(a + " takes a whole number from " + std::to_string(std::llround(lo)) + " to " +
                              std::to_string(std::llround(hi)));
            return x;
        };
        if (a == "--data") o.data = value();
        else if (a == "--epochs") o.epochs = int(whole(1, 100000));
        else if (a == "--seed") o.seed = std::uint64_t(whole(0, 1e15));
        else if (a == "--batch") o.batch = std::size_t(whole(1, 1e9));
        else if (a == "--lr") o.lr = number();
        else qhybrid::fail("unknown option " + a + " (options: --data DIR --epochs N --seed S --batch B --lr LR)");
    }
    qhybrid::require(o.lr > 0, [] { return std::string("--lr must be positive"); });
    return o;
}

// Adam over one flat parameter vector.
struct adam {
    explicit adam(double learning_rate) : lr(learning_rate) {}
    double lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    std::vector<double> m, v;
    long t = 0;
    void step(std::vector<double>& w, const std::vector<double>& g) {
        if (m.empty()) m.assign(w.size(), 0), v.assign(w.size(), 0);
        ++t;
        const double c1 = 1 - std::pow(beta1, double(t)), c2 = 1 - std::pow(beta2, double(t));
        for (std::size_t k = 0; k < w.size(); ++k) {
            m[k] = beta1 * m[k] + (1 - beta1) * g[k];
            v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
            w[k] -= lr * (m[k] / c1) / (std::sqrt(v[k] / c2) + eps);
        }
    }
};

struct dataset {
    std::vector<double> x; // row-major, `qubits` columns
    std::vector<int> y;    // 1 = FAKE
};

dataset load(const fs::path& data) {
    const auto rows = qhybrid::data::read_deep_voice(qhybrid::data::require_data(data, "deep-voice/DATASET-balanced.csv"));
    dataset d;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto first = rows.features.begin() + std::ptrdiff_t(r * qhybrid::data::deep_voice_width);
        d.x.insert(d.x.end(), first, first + qubits);
        d.y.push_back(int(rows.labels[r]));
    }
    return d;
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

struct model {
    q::executor<model_circuit> ex;
    std::vector<double> theta;     // circuit parameters, then a and b
    batch_state psi, lambda;

    explicit model(qhybrid::rng& gen) : theta(model_circuit::num_params + 2) {
        for (std::size_t k = 0; k < model_circuit::num_params; ++k) theta[k] = gen.uniform(-0.1, 0.1);
        theta[model_circuit::num_params] = 1.0;
    }
    std::span<const double> circuit_params() const { return {theta.data(), model_circuit::num_params}; }
    double a() const { return theta[model_circuit::num_params]; }
    double b() const { return theta[model_circuit::num_params + 1]; }

    // Inputs of up to `lanes` rows, laid out [feature * lanes + lane]; unused lanes repeat row 0.
    static std::vector<double> pack(const dataset& d, const std::vector<std::size_t>& rows, std::size_t first) {
        std::vector<double> x(qubits * lanes);
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t r = rows[first + l < rows.size() ? first + l : first];
            for (std::size_t i = 0; i < qubits; ++i) x[i * lanes + l] = d.x[r * qubits + i];
        }
        return x;
    }

    // <Z_0> for each lane.
    std::array<double, lanes> z0(const std::vector<double>& x) {
        ex.run(psi, circuit_params(), x);
        const auto z = q::expval_z(psi);
        std::array<double, lanes> out;
        for (std::size_t l = 0; l < lanes; ++l) out[l] = z[l];
        return out;
    }
};

double accuracy(model& m, const dataset& d, const std::vector<std::size_t>& rows) {
    std::size_t correct = 0;
    for (std::size_t first = 0; first < rows.size(); first += lanes) {
        const auto z = m.z0(model::pack(d, rows, first));
        for (std::size_t l = 0; l < lanes && first + l < rows.size(); ++l)
            correct += (sigmoid(m.a() * z[l] + m.b()) > 0.5) == bool(d.y[rows[first + l]]);
    }
    return double(correct) / double(rows.size());
}

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);
    dataset d = load(opt.data);
    qhybrid::rng gen(opt.seed);
    const auto split = qhybrid::data::stratified_split(std::span<const int>(d.y), 0.2, gen);

    std::vector<double> train_x;
    for (auto r : split.train) train_x.insert(train_x.end(), d.x.begin() + r * qubits, d.x.begin() + (r + 1) * qubits);
    qhybrid::data::min_max_scaler scaler(0, M_PI);
    scaler.fit(train_x, qubits);
    scaler.transform(d.x);

    std::printf("DEEP-VOICE: %zu rows, %zu train / %zu test (stratified 80/20, seed %llu)\n", d.y.size(),
                split.train.size(), split.test.size(), static_cast<unsigned long long>(opt.seed));
    std::printf("VQC: RY encoding of 8 features, RealAmplitudes(8, reps=3), %zu trainable parameters, %zu lanes\n",
                model_circuit::num_params + 2, lanes);

    model m(gen);
    adam opt_adam(opt.lr);
    std::vector<std::size_t> order = split.train;
    std::vector<double> grad(m.theta.size()), dz(qubits * lanes), dinputs(qubits * lanes);
    std::span<double> dcircuit(grad.data(), model_circuit::num_params);
    for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        gen.shuffle(std::span<std::size_t>(order));
        double loss = 0;
        for (std::size_t first = 0; first < order.size(); first += opt.batch) {
            const std::size_t end = std::min(order.size(), first + opt.batch);
            std::fill(grad.begin(), grad.end(), 0.0);
            for (std::size_t chunk = first; chunk < end; chunk += lanes) {
                const auto x = model::pack(d, order, chunk);
                const auto z = m.z0(x);
                std::fill(dz.begin(), dz.end(), 0.0);
                for (std::size_t l = 0; l < lanes && chunk + l < end; ++l) {
                    const double p = sigmoid(m.a() * z[l] + m.b());
                    const int y = d.y[order[chunk + l]];
                    loss -= y ? std::log(std::max(p, 1e-12)) : std::log(std::max(1 - p, 1e-12));
                    const double dlogit = (p - y) / double(end - first); // mean BCE over the minibatch
                    grad[model_circuit::num_params] += dlogit * z[l];
                    grad[model_circuit::num_params + 1] += dlogit;
                    dz[l] = dlogit * m.a(); // dL/d<Z_0> of lane l; other qubits do not enter the loss
                }
                m.ex.vjp(m.psi, m.lambda, q::z_weights<double>{dz}, m.circuit_params(), x, dcircuit, dinputs);
            }
            opt_adam.step(m.theta, grad);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("epoch %2d  loss %.4f  train acc %.4f  test acc %.4f  %.3f s/epoch\n", epoch,
                    loss / double(order.size()), accuracy(m, d, split.train), accuracy(m, d, split.test), seconds);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "vqc_deepfake: %s\n", e.what());
    return 2;
}
