#pragma once
// The core example's classifier, shared by vqc_deepfake (training) and noisy_qnn (the trained
// model under device noise): the first `Qubits` DEEP-VOICE features (chroma_stft, rms,
// spectral_centroid, spectral_bandwidth, rolloff, zero_crossing_rate, mfcc1, mfcc2, ...), min-max
// scaled to [0, pi] on the training rows, angle-encoded with RY; RealAmplitudes (reps 3,
// reverse_linear) follows, and P(FAKE) = sigmoid(a <Z_0> + b) with two classical parameters a, b.
// Binary cross-entropy, Adam, gradients by the adjoint method, one SIMD lane per sample.
#include <qhybrid/qhybrid.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <span>
#include <vector>

namespace vqc {

namespace q = qhybrid::quantum;

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
    std::size_t width = 0;
    std::vector<double> x; // row-major, `width` columns
    std::vector<int> y;    // 1 = FAKE
};

// The first `width` columns of DEEP-VOICE.
inline dataset load(const std::filesystem::path& data, std::size_t width) {
    const auto rows = qhybrid::data::read_deep_voice(qhybrid::data::require_data(data, "deep-voice/DATASET-balanced.csv"));
    dataset d{width, {}, {}};
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto first = rows.features.begin() + std::ptrdiff_t(r * qhybrid::data::deep_voice_width);
        d.x.insert(d.x.end(), first, first + std::ptrdiff_t(width));
        d.y.push_back(int(rows.labels[r]));
    }
    return d;
}

// Min-max scales every column to [0, pi] on the training rows.
inline void scale_to_angles(dataset& d, const std::vector<std::size_t>& train) {
    std::vector<double> train_x;
    for (auto r : train) train_x.insert(train_x.end(), d.x.begin() + r * d.width, d.x.begin() + (r + 1) * d.width);
    qhybrid::data::min_max_scaler scaler(0, M_PI);
    scaler.fit(train_x, d.width);
    scaler.transform(d.x);
}

inline double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

template <std::size_t Qubits>
struct classifier {
    using circuit = q::compose<q::angle_encoding<Qubits, q::axis::y>, q::real_amplitudes<Qubits, 3>>;
    static constexpr std::size_t lanes = q::batched_statevector<Qubits>::samples;

    q::executor<circuit> ex;
    std::vector<double> theta; // circuit parameters, then a and b
    q::batched_statevector<Qubits> psi, lambda;

    explicit classifier(qhybrid::rng& gen) : theta(circuit::num_params + 2) {
        for (std::size_t k = 0; k < circuit::num_params; ++k) theta[k] = gen.uniform(-0.1, 0.1);
        theta[circuit::num_params] = 1.0;
    }
    std::span<const double> circuit_params() const { return {theta.data(), circuit::num_params}; }
    double a() const { return theta[circuit::num_params]; }
    double b() const { return theta[circuit::num_params + 1]; }
    bool predicts_fake(double z0) const { return sigmoid(a() * z0 + b()) > 0.5; }

    // Inputs of up to `lanes` rows, laid out [feature * lanes + lane]; unused lanes repeat row 0.
    static std::vector<double> pack(const dataset& d, const std::vector<std::size_t>& rows, std::size_t first) {
        std::vector<double> x(Qubits * lanes);
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::size_t r = rows[first + l < rows.size() ? first + l : first];
            for (std::size_t i = 0; i < Qubits; ++i) x[i * lanes + l] = d.x[r * d.width + i];
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

    double accuracy(const dataset& d, const std::vector<std::size_t>& rows) {
        std::size_t correct = 0;
        for (std::size_t first = 0; first < rows.size(); first += lanes) {
            const auto z = z0(pack(d, rows, first));
            for (std::size_t l = 0; l < lanes && first + l < rows.size(); ++l)
                correct += predicts_fake(z[l]) == bool(d.y[rows[first + l]]);
        }
        return double(correct) / double(rows.size());
    }

    // One epoch of minibatch Adam on mean binary cross-entropy; returns the mean loss.
    double train_epoch(const dataset& d, std::vector<std::size_t>& order, std::size_t batch, adam& opt,
                       qhybrid::rng& gen) {
        std::vector<double> grad(theta.size()), dz(Qubits * lanes), dinputs(Qubits * lanes);
        std::span<double> dcircuit(grad.data(), circuit::num_params);
        gen.shuffle(std::span<std::size_t>(order));
        double loss = 0;
        for (std::size_t first = 0; first < order.size(); first += batch) {
            const std::size_t end = std::min(order.size(), first + batch);
            std::fill(grad.begin(), grad.end(), 0.0);
            for (std::size_t chunk = first; chunk < end; chunk += lanes) {
                const auto x = pack(d, order, chunk);
                const auto z = z0(x);
                std::fill(dz.begin(), dz.end(), 0.0);
                for (std::size_t l = 0; l < lanes && chunk + l < end; ++l) {
                    const double p = sigmoid(a() * z[l] + b());
                    const int y = d.y[order[chunk + l]];
                    loss -= y ? std::log(std::max(p, 1e-12)) : std::log(std::max(1 - p, 1e-12));
                    const double dlogit = (p - y) / double(end - first); // mean BCE over the minibatch
                    grad[circuit::num_params] += dlogit * z[l];
                    grad[circuit::num_params + 1] += dlogit;
                    dz[l] = dlogit * a(); // dL/d<Z_0> of lane l; other qubits do not enter the loss
                }
                ex.vjp(psi, lambda, q::z_weights<double>{dz}, circuit_params(), x, dcircuit, dinputs);
            }
            opt.step(theta, grad);
        }
        return loss / double(order.size());
    }
};

} // namespace vqc
