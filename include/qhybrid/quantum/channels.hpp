// SPDX-License-Identifier: Apache-2.0
#pragma once
// Noise channels. A `qubit_channel` is a one-qubit channel given by its Kraus operators K_i
// (rho -> sum_i K_i rho K_i^dagger, sum_i K_i^dagger K_i = I), with the named channels of Qiskit's
// noise library as constructors. Every one of them has a real superoperator that maps
// populations (rho00, rho11) to populations and coherences (rho01, rho10) to coherences; a density
// matrix applies it as these two real 2x2 blocks, one pass over the state. A channel built from
// other Kraus operators must have that form too (it is checked).
//
// `readout_confusion` is the classical part of measurement error: it acts on measured
// distributions and <Z> values, not on states.
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/gates.hpp"

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::quantum {

class qubit_channel {
public:
    using matrix = std::array<std::complex<double>, 4>; // m00, m01, m10, m11

    // Checks that the operators are trace preserving (to 1e-10) and of block form.
    explicit qubit_channel(std::vector<matrix> kraus, std::string name = "kraus")
        : kraus_(std::move(kraus)), name_(std::move(name)) {
        require(!kraus_.empty(), [&] { return name_ + ": a channel needs at least one Kraus operator"; });
        std::array<std::complex<double>, 16> s{}; // s[(r + 2c) * 4 + (r' + 2c')]
        std::array<std::complex<double>, 4> tp{};  // sum K^dagger K
        for (const auto& k : kraus_) {
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 2; ++c)
                    for (int r2 = 0; r2 < 2; ++r2)
                        for (int c2 = 0; c2 < 2; ++c2)
                            s[(r + 2 * c) * 4 + r2 + 2 * c2] += k[2 * r + r2] * std::conj(k[2 * c + c2]);
            for (int i = 0; i < 2; ++i)
                for (int j = 0; j < 2; ++j)
                    for (int m = 0; m < 2; ++m) tp[2 * i + j] += std::conj(k[2 * m + i]) * k[2 * m + j];
        }
        for (int i = 0; i < 4; ++i)
            require(std::abs(tp[i] - (i == 0 || i == 3 ? 1.0 : 0.0)) < 1e-10,
                    [&] { return name_ + ": the Kraus operators are not trace preserving (sum K^dagger K != I)"; });
        // Basis order r + 2c: 0 = rho00, 1 = rho10, 2 = rho01, 3 = rho11.
        constexpr int pop[2] = {0, 3}, coh[2] = {2, 1}; // coherences as (rho01, rho10)
        for (int i = 0; i < 16; ++i) {
            const int row = i / 4, col = i % 4;
            const bool in_block = (row == 0 || row == 3) == (col == 0 || col == 3);
            require(std::abs(s[i].imag()) < 1e-12 && (in_block || std::abs(s[i]) < 1e-12), [&] {
                return name_ + ": its superoperator is complex or mixes populations with coherences, which "
                               "qhybrid's density matrices do not support";
            });
        }
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
                populations_[2 * a + b] = s[pop[a] * 4 + pop[b]].real();
                coherences_[2 * a + b] = s[coh[a] * 4 + coh[b]].real();
            }
    }

    // Qiskit's depolarizing_error(p, 1): rho -> (1 - p) rho + p I/2, p in [0, 4/3].
    static qubit_channel depolarizing(double p) {
        check_probability(p, 4.0 / 3.0, "depolarizing");
        const double a = std::sqrt(1 - 3 * p / 4), b = std::sqrt(p / 4);
        const std::complex<double> i(0, 1);
        return qubit_channel({{a, 0, 0, a}, {0, b, b, 0}, {0, -i * b, i * b, 0}, {b, 0, 0, -b}}, "depolarizing");
    }
    // |1> decays to |0> with probability gamma.
    static qubit_channel amplitude_damping(double gamma) {
        check_probability(gamma, 1, "amplitude_damping");
        return qubit_channel({{1, 0, 0, std::sqrt(1 - gamma)}, {0, std::sqrt(gamma), 0, 0}}, "amplitude_damping");
    }
    // Coherences shrink by sqrt(1 - lambda); populations stay.
    static qubit_channel phase_damping(double lambda) {
        check_probability(lambda, 1, "phase_damping");
        return qubit_channel({{1, 0, 0, std::sqrt(1 - lambda)}, {0, 0, 0, std::sqrt(lambda)}}, "phase_damping");
    }
    static qubit_channel bit_flip(double p) {
        check_probability(p, 1, "bit_flip");
        return qubit_channel({{std::sqrt(1 - p), 0, 0, std::sqrt(1 - p)}, {0, std::sqrt(p), std::sqrt(p), 0}},
                             "bit_flip");
    }
    static qubit_channel phase_flip(double p) {
        check_probability(p, 1, "phase_flip");
        return qubit_channel({{std::sqrt(1 - p), 0, 0, std::sqrt(1 - p)}, {std::sqrt(p), 0, 0, -std::sqrt(p)}},
                             "phase_flip");
    }
    // Qiskit's thermal_relaxation_error(t1, t2, time) with no excited-state population: over
    // `time`, |1> decays to |0> with probability 1 - exp(-time/T1) and coherences shrink by
    // exp(-time/T2). T2 <= 2 T1 (a physical qubit); any one unit of time.
    static qubit_channel thermal_relaxation(double t1, double t2, double time) {
        require(t1 > 0 && t2 > 0 && time >= 0 && std::isfinite(time), [&] {
            return "thermal_relaxation: T1 = " + number(t1) + ", T2 = " + number(t2) +
                   " and time = " + number(time) + " must be positive (time >= 0)";
        });
        require(t2 <= 2 * t1, [&] {
            return "thermal_relaxation: T2 = " + number(t2) + " exceeds 2 T1 = " + number(2 * t1) +
                   ", which no physical qubit has";
        });
        const double decay = std::exp(-time / t1), coherence = std::exp(-time / t2);
        // b^2 = exp(-t/T1) - exp(-2t/T2) >= 0 exactly when T2 <= 2 T1.
        const double b = std::sqrt(std::max(0.0, decay - coherence * coherence));
        return qubit_channel({{1, 0, 0, coherence}, {0, std::sqrt(1 - decay), 0, 0}, {0, 0, 0, b}},
                             "thermal_relaxation");
    }

    // This channel, then `next` (Kraus operators next_j K_i).
    qubit_channel then(const qubit_channel& next) const {
        std::vector<matrix> k;
        for (const auto& a : next.kraus_)
            for (const auto& b : kraus_)
                k.push_back({a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
                             a[2] * b[1] + a[3] * b[3]});
        return qubit_channel(std::move(k), name_ + " then " + next.name_);
    }

    std::span<const matrix> kraus() const noexcept { return kraus_; }
    const std::string& name() const noexcept { return name_; }

    // The superoperator's blocks, row-major 2x2: (rho00, rho11)' = populations (rho00, rho11),
    // (rho01, rho10)' = coherences (rho01, rho10).
    const std::array<double, 4>& populations() const noexcept { return populations_; }
    const std::array<double, 4>& coherences() const noexcept { return coherences_; }

private:
    static void check_probability(double p, double max, const char* what) {
        require(p >= 0 && p <= max, [&] {
            return std::string(what) + ": parameter " + number(p) + " is outside [0, " + number(max) + "]";
        });
    }

    std::vector<matrix> kraus_;
    std::string name_;
    std::array<double, 4> populations_{}, coherences_{};
};

// Measurement error of one qubit: p(0|1) (prepared 1, read 0) and p(1|0).
struct readout_error {
    double p0_given_1 = 0, p1_given_0 = 0;

    void check() const {
        require(p0_given_1 >= 0 && p0_given_1 <= 1 && p1_given_0 >= 0 && p1_given_0 <= 1, [&] {
            return "readout_error: p(0|1) = " + number(p0_given_1) + " and p(1|0) = " + number(p1_given_0) +
                   " must be probabilities";
        });
    }
    // The measured <Z> of a qubit whose true <Z> is z: (p(0|1) - p(1|0)) + (1 - p(0|1) - p(1|0)) z.
    template <class Real>
    Real measured_z(Real z) const noexcept {
        return Real(p0_given_1 - p1_given_0) + Real(1 - p0_given_1 - p1_given_0) * z;
    }
};

// Readout errors of every qubit, applied to measured distributions.
class readout_confusion {
public:
    explicit readout_confusion(std::vector<readout_error> qubits) : qubits_(std::move(qubits)) {
        for (const auto& e : qubits_) e.check();
    }

    std::size_t num_qubits() const noexcept { return qubits_.size(); }
    const readout_error& operator[](std::size_t q) const { return qubits_.at(q); }

    // Turns true outcome probabilities into measured ones, in place: p[k * samples + l] over
    // 2^num_qubits outcomes k (qubit q is bit q of k).
    template <class Real>
    void apply(std::span<Real> p, std::size_t samples = 1) const {
        const std::size_t dim = std::size_t{1} << qubits_.size();
        require(p.size() == dim * samples, [&] {
            return "readout_confusion: got " + std::to_string(p.size()) + " probabilities, expected " +
                   std::to_string(dim * samples);
        });
        for (std::size_t q = 0; q < qubits_.size(); ++q) {
            const std::size_t bit = std::size_t{1} << q;
            const Real p01 = Real(qubits_[q].p0_given_1), p10 = Real(qubits_[q].p1_given_0);
            for (std::size_t k = 0; k < dim; ++k) {
                if (k & bit) continue;
                for (std::size_t l = 0; l < samples; ++l) {
                    Real& zero = p[k * samples + l];
                    Real& one = p[(k | bit) * samples + l];
                    const Real z = zero, o = one;
                    zero = (1 - p10) * z + p01 * o;
                    one = p10 * z + (1 - p01) * o;
                }
            }
        }
    }

    // Turns true <Z_q> values ([q * samples + l]) into measured ones, in place.
    template <class Real>
    void apply_to_z(std::span<Real> z, std::size_t samples = 1) const {
        require(z.size() == qubits_.size() * samples, [&] {
            return "readout_confusion: got " + std::to_string(z.size()) + " <Z> values, expected " +
                   std::to_string(qubits_.size() * samples);
        });
        for (std::size_t i = 0; i < z.size(); ++i) z[i] = qubits_[i / samples].measured_z(z[i]);
    }

private:
    std::vector<readout_error> qubits_;
};

} // namespace qhybrid::quantum
