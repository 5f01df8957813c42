// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where qt_cnn's 2^N values come from: a trainable, normalised distribution p over the basis
// states (bitstrings) k of N bits, and its vector-Jacobian product. A source is a class template
// Source<N, Blocks, T> with
//
//   num_params, parameter_name          N * Blocks values, saved under that name
//   initialise(gen, params)             draws the starting values
//   describe()                          names the source in qt_cnn's description (and saved files)
//   probabilities(params) -> p          2^N values, p_k >= 0, sum 1
//   vjp(params, dp, dparams)            dparams += (dL/dp)^T dp/dparams
//
// circuit_probabilities is the Quantum-Train QNN; rbm_probabilities its classical ablation with
// the same parameter count.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/core/simd.hpp"
#include "qhybrid/nn/gemm.hpp"
#include "qhybrid/quantum/ansatz.hpp"
#include "qhybrid/quantum/executor.hpp"
#include "qhybrid/quantum/observables.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::models {

// Bit q of basis state k as +-1 (0 -> 1, 1 -> -1): how G and the RBM see a bitstring.
template <class T>
constexpr T bit_sign(std::size_t k, std::size_t q) noexcept {
    return T(1) - T(2 * ((k >> q) & 1));
}

// p_k = |<k| ry_cnot_blocks<N, Blocks>(theta) |0>|^2; theta uniform in [-pi, pi); the VJP is one
// adjoint sweep with the diagonal observable diag(dL/dp).
template <std::size_t N, std::size_t Blocks, class T>
class circuit_probabilities {
    using circuit = quantum::ry_cnot_blocks<N, Blocks>;

public:
    static constexpr std::size_t num_params = circuit::num_params;
    static constexpr std::string_view parameter_name = "theta";

    static void initialise(rng& gen, std::span<T> params) {
        for (auto& v : params) v = T(gen.uniform(-std::numbers::pi, std::numbers::pi));
    }
    static std::string describe() { return std::to_string(N) + " qubits, " + std::to_string(Blocks) + " blocks"; }

    std::vector<T> probabilities(std::span<const T> params) {
        ex_.run(psi_, params);
        return quantum::probabilities(psi_);
    }
    void vjp(std::span<const T> params, std::span<const T> dp, std::span<T> dparams) {
        ex_.vjp(psi_, lambda_, quantum::probability_weights<T>{dp}, params, {}, dparams, {});
    }

private:
    quantum::executor<circuit> ex_;
    quantum::statevector<N, T> psi_, lambda_;
};

// The classical generator of the ablation: what QT-CNN reaches when the circuit is replaced by a
// classical model of a distribution over bitstrings with exactly the circuit's N * Blocks
// parameters. It is a restricted Boltzmann machine with N visible and H = Blocks - 1 hidden units
// (no hidden biases), its hidden units summed out:
//
//   logit_k = a . s_k + sum_{j < H} softplus(w_j . s_k),   p = softmax over k of logit_k
//
// with s_k the bits of k as +-1 (bit_sign), a in R^N, w_j in R^N (stored after a as an N x H
// matrix, column j = w_j): a softmax over the basis states of a small network of the bitstring
// (N -> H softplus units -> their sum, plus a linear term). Why this one:
// - like |psi|^2 it is a normalised distribution over the 2^N states, so it goes through the same
//   transform, mapping G and scales;
// - N values per block, as the circuit's N angles per block, so the count is exact at every
//   block count (an output weight or bias per unit would not divide; a constant added to every
//   logit changes nothing after the softmax, so none is there to waste a parameter). One block
//   is a product of independent bits, as one RY layer is (a CNOT ring only permutes basis
//   states), and each further block adds N parameters of correlation;
// - the RBM is the standard classical model of a distribution over bitstrings (and, as a neural
//   network quantum state, of a wave function).
// a starts uniform in [-1/sqrt(N), 1/sqrt(N)], as a dense layer of fan-in N, and the hidden
// weights in [-1/sqrt(max(N, H)), ...]: the sum over H units would otherwise start ever more peaked
// as blocks are added. So it starts about as peaked as the circuit at every block count (largest
// 2^N p_k 11 to 16 for 12 to 96 blocks, the circuit's 14; mean over seeds 1-5).
template <std::size_t N, std::size_t Blocks, class T>
class rbm_probabilities {
    static_assert(Blocks >= 1, "qhybrid: rbm_probabilities needs a block");
    static constexpr std::size_t dimension = std::size_t{1} << N, hidden = Blocks - 1;

public:
    static constexpr std::size_t num_params = N * Blocks;
    static constexpr std::string_view parameter_name = "generator";

    rbm_probabilities() : signs_(dimension * N), z_(dimension * hidden), sigmoid_(dimension * hidden) {
        for (std::size_t k = 0; k < dimension; ++k)
            for (std::size_t q = 0; q < N; ++q) signs_[k * N + q] = bit_sign<T>(k, q);
    }

    static void initialise(rng& gen, std::span<T> params) {
        const double bound = 1 / std::sqrt(double(N)), hidden_bound = 1 / std::sqrt(double(std::max(N, hidden)));
        for (std::size_t i = 0; i < params.size(); ++i) {
            const double b = i < N ? bound : hidden_bound;
            params[i] = T(gen.uniform(-b, b));
        }
    }
    static std::string describe() {
        return "classical generator: RBM over " + std::to_string(N) + " bits, " + std::to_string(hidden) +
               " hidden units, " + std::to_string(num_params) + " parameters";
    }

    // Kept for vjp with the same parameters (the backward pass after a forward pass).
    std::vector<T> probabilities(std::span<const T> params) {
        if (params.size() == params_.size() && std::equal(params.begin(), params.end(), params_.begin())) return p_;
        params_.assign(params.begin(), params.end());
        const T* a = params.data();
        const T* w = params.data() + N; // [N, hidden]: w[q * hidden + j] joins bit q to hidden unit j
        std::fill(z_.begin(), z_.end(), T(0));
        if constexpr (hidden > 0) nn::gemm::ab(dimension, hidden, N, signs_.data(), w, z_.data());
        hidden_units();
        p_.resize(dimension);
        T top = -std::numeric_limits<T>::infinity();
        for (std::size_t k = 0; k < dimension; ++k) {
            T logit = 0;
            for (std::size_t q = 0; q < N; ++q) logit += a[q] * signs_[k * N + q];
            for (std::size_t j = 0; j < hidden; ++j) logit += z_[k * hidden + j];
            p_[k] = logit;
            top = std::max(top, logit);
        }
        T total = 0;
        for (auto& v : p_) total += v = std::exp(v - top);
        for (auto& v : p_) v /= total;
        return p_;
    }

    // dlogit_k = p_k (dp_k - p . dp); da = S^T dlogit; dW = S^T (dlogit * sigmoid(z)).
    void vjp(std::span<const T> params, std::span<const T> dp, std::span<T> dparams) {
        const std::vector<T> p = probabilities(params);
        T mean = 0;
        for (std::size_t k = 0; k < dimension; ++k) mean += p[k] * dp[k];
        std::vector<T> dlogit(dimension);
        for (std::size_t k = 0; k < dimension; ++k) dlogit[k] = p[k] * (dp[k] - mean);
        for (std::size_t k = 0; k < dimension; ++k)
            for (std::size_t q = 0; q < N; ++q) dparams[q] += dlogit[k] * signs_[k * N + q];
        if constexpr (hidden > 0) {
            std::vector<T> dz(dimension * hidden);
            for (std::size_t k = 0; k < dimension; ++k)
                for (std::size_t j = 0; j < hidden; ++j) dz[k * hidden + j] = dlogit[k] * sigmoid_[k * hidden + j];
            nn::gemm::atb(N, hidden, dimension, signs_.data(), dz.data(), dparams.data() + N);
        }
    }

private:
    // z -> softplus(z) in place, and sigmoid(z), from one exponential: with e = exp(-|z|),
    // softplus = max(z, 0) + log1p(e) and sigmoid = 1 / (1 + e) or e / (1 + e). In SIMD registers:
    // these are most of the source's time.
    void hidden_units() {
        using B = simd::batch<T>;
        constexpr std::size_t n = dimension * hidden, whole = n - n % B::size;
        for (std::size_t i = 0; i < whole; i += B::size) {
            const B z = B::load_unaligned(z_.data() + i), e = xsimd::exp(-xsimd::abs(z)), r = B(T(1)) / (B(T(1)) + e);
            (xsimd::max(z, B(T(0))) + xsimd::log1p(e)).store_unaligned(z_.data() + i);
            xsimd::select(z >= B(T(0)), r, e * r).store_unaligned(sigmoid_.data() + i);
        }
        if constexpr (whole < n)
            for (std::size_t i = whole; i < n; ++i) {
                const T z = z_[i], e = std::exp(-std::abs(z)), r = T(1) / (T(1) + e);
                z_[i] = std::max(z, T(0)) + std::log1p(e);
                sigmoid_[i] = z >= 0 ? r : e * r;
            }
    }

    std::vector<T> signs_;           // [2^N, N]: s_k
    std::vector<T> z_, sigmoid_;     // [2^N, hidden]: softplus and sigmoid of z = S W
    std::vector<T> params_, p_;      // the last parameters and their distribution
};

} // namespace qhybrid::models
