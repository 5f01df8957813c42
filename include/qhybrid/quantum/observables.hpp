// SPDX-License-Identifier: Apache-2.0
#pragma once
// Read-outs of a state, and the weighted observables ("cotangents") the adjoint method starts
// from. Per-sample values are laid out index-major: value i of sample l is at [i * samples + l]
// (samples = 1 for a statevector, the SIMD width for a batched one).
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/quantum/statevector.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <complex>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::quantum {

// <Z_q> for every qubit q and sample, in one sweep: [q * samples + l].
template <class State>
std::array<typename State::real_type, State::num_qubits * State::samples> expval_z(const State& psi) {
    using B = typename State::batch_type;
    using Real = typename State::real_type;
    constexpr std::size_t n = State::num_qubits, lq = State::lane_qubits;
    const auto v = psi.view();
    B total(Real(0));
    std::array<B, n> ones; // probability mass with qubit q = 1, for qubits held in registers
    ones.fill(B(Real(0)));
    for (std::size_t j = 0; j < State::registers; ++j) {
        const auto a = kernel::load<kernel::cvec<B>>(v, j);
        const B p = xsimd::fma(a.re, a.re, a.im * a.im);
        total += p;
        for (std::size_t q = lq; q < n; ++q)
            if ((j >> (q - lq)) & 1) ones[q] += p;
    }
    std::array<Real, n * State::samples> z{};
    if constexpr (State::samples == 1) {
        alignas(64) std::array<Real, B::size> lanes;
        total.store_aligned(lanes.data());
        const Real sum = simd::reduce_add(total);
        for (std::size_t q = 0; q < n; ++q) {
            Real one = 0;
            if (q >= lq) {
                one = simd::reduce_add(ones[q]);
            } else {
                for (std::size_t l = 0; l < B::size; ++l)
                    if ((l >> q) & 1) one += lanes[l];
            }
            z[q] = sum - 2 * one;
        }
    } else {
        for (std::size_t q = 0; q < n; ++q) (total - Real(2) * ones[q]).store_unaligned(&z[q * B::size]);
    }
    return z;
}

// |amplitude k|^2 of every sample: [k * samples + l].
template <class State>
std::vector<typename State::real_type> probabilities(const State& psi) {
    const auto v = psi.view();
    std::vector<typename State::real_type> p(State::dimension * State::samples);
    if (psi.is_real())
        for (std::size_t s = 0; s < p.size(); ++s) p[s] = v.re[s] * v.re[s];
    else
        for (std::size_t s = 0; s < p.size(); ++s) p[s] = v.re[s] * v.re[s] + v.im[s] * v.im[s];
    return p;
}

// A tensor product of Paulis, from a label in Qiskit's order: the rightmost letter is qubit 0
// ("XIZ" is X on qubit 2, Z on qubit 0).
class pauli_string {
public:
    explicit pauli_string(std::string_view label) : label_(label) {
        require(!label.empty() && label.size() <= 64,
                [&] { return "pauli_string: label must have 1 to 64 letters, got \"" + label_ + "\""; });
        for (std::size_t i = 0; i < label.size(); ++i) {
            const std::uint64_t bit = std::uint64_t{1} << (label.size() - 1 - i);
            switch (label[i]) {
            case 'I': break;
            case 'X': flip_ |= bit; break;
            case 'Y': flip_ |= bit; sign_ |= bit; ++ys_; break;
            case 'Z': sign_ |= bit; break;
            default:
                throw error("pauli_string: letter '" + std::string(1, label[i]) + "' at position " +
                            std::to_string(i) + " of \"" + label_ + "\" is not one of I, X, Y, Z");
            }
        }
    }

    const std::string& label() const noexcept { return label_; }
    std::size_t num_qubits() const noexcept { return label_.size(); }

    // P|k> = phase(k) |k ^ flip>.
    std::uint64_t flip() const noexcept { return flip_; }
    template <class Real>
    std::complex<Real> phase(std::uint64_t k) const noexcept {
        static constexpr std::complex<Real> powers_of_i[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
        const std::complex<Real> p = powers_of_i[ys_ % 4];
        return std::popcount(k & sign_) % 2 ? -p : p;
    }

    template <class State>
    void check_fits() const {
        require(label_.size() <= State::num_qubits, [&] {
            return "pauli_string \"" + label_ + "\" acts on " + std::to_string(label_.size()) +
                   " qubits, the state has " + std::to_string(State::num_qubits);
        });
    }

    // lambda = P psi (the adjoint method's starting state for <P>).
    template <class State>
    void apply(const State& psi, State& lam) const {
        check_fits<State>();
        const auto in = psi.view();
        const auto out = lam.view();
        using Real = typename State::real_type;
        for (std::size_t k = 0; k < State::dimension; ++k) {
            const std::complex<Real> ph = phase<Real>(k);
            for (std::size_t l = 0; l < State::samples; ++l) {
                const std::size_t from = State::slot(k, l), to = State::slot(k ^ flip_, l);
                const std::complex<Real> a = ph * std::complex<Real>(in.re[from], in.im[from]);
                out.re[to] = a.real();
                out.im[to] = a.imag();
            }
        }
        lam.set_real(psi.is_real() && ys_ % 2 == 0);
    }

private:
    std::string label_;
    std::uint64_t flip_ = 0, sign_ = 0;
    unsigned ys_ = 0;
};

// <psi|P|psi> of one sample.
template <class State>
typename State::real_type expval(const State& psi, const pauli_string& p, std::size_t sample = 0) {
    using Real = typename State::real_type;
    p.check_fits<State>();
    require(sample < State::samples, [&] { return "expval: sample " + std::to_string(sample) + " out of range"; });
    const auto v = psi.view();
    Real sum = 0;
    for (std::size_t k = 0; k < State::dimension; ++k) {
        const std::size_t from = State::slot(k, sample), to = State::slot(k ^ p.flip(), sample);
        const std::complex<Real> a = p.phase<Real>(k) * std::complex<Real>(v.re[from], v.im[from]);
        sum += v.re[to] * a.real() + v.im[to] * a.imag(); // Re(conj(psi_to) * a)
    }
    return sum;
}

namespace detail {
// `shots` draws of an outcome k in [0, n) with probability proportional to weight(k) (negative
// weights, rounding noise of a density matrix's diagonal, count as zero).
template <class Weight>
std::vector<std::uint64_t> draw(std::size_t n, Weight&& weight, std::size_t shots, rng& gen) {
    std::vector<double> cumulative(n);
    double acc = 0;
    for (std::size_t k = 0; k < n; ++k) cumulative[k] = acc += std::max(0.0, weight(k));
    require(acc > 0, [] { return std::string("sample: the state has zero norm"); });
    std::vector<std::uint64_t> outcomes(shots);
    for (auto& o : outcomes)
        o = std::min<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), gen.uniform() * acc) - cumulative.begin(), n - 1);
    return outcomes;
}
} // namespace detail

// `shots` basis-state outcomes of measuring one sample in the computational basis.
template <class State>
std::vector<std::uint64_t> sample(const State& psi, std::size_t shots, rng& gen, std::size_t lane = 0) {
    require(lane < State::samples, [&] { return "sample: lane " + std::to_string(lane) + " out of range"; });
    const auto v = psi.view();
    return detail::draw(State::dimension, [&](std::size_t k) {
        const std::size_t s = State::slot(k, lane);
        return double(v.re[s]) * v.re[s] + double(v.im[s]) * v.im[s];
    }, shots, gen);
}

// The cotangent of the <Z> read-out: the observable sum_q w[q * samples + l] Z_q per sample.
template <class Real>
struct z_weights {
    std::span<const Real> w;

    template <class State>
    void check() const {
        require(w.size() == State::num_qubits * State::samples, [&] {
            return "z_weights: got " + std::to_string(w.size()) + " weights, expected " +
                   std::to_string(State::num_qubits * State::samples);
        });
    }
    // The observable's diagonal entry k for sample l.
    template <class State>
    Real diagonal(std::size_t k, std::size_t l) const noexcept {
        Real d = 0;
        for (std::size_t q = 0; q < State::num_qubits; ++q) d += (k >> q) & 1 ? -w[q * State::samples + l] : w[q * State::samples + l];
        return d;
    }

    template <class State>
    void apply(const State& psi, State& lam) const {
        using B = typename State::batch_type;
        constexpr std::size_t n = State::num_qubits, lq = State::lane_qubits;
        check<State>();
        // Each weight as a batch: per sample (batched) or broadcast (single).
        std::array<B, n> wq;
        B lane_part(Real(0)), sum(Real(0));
        for (std::size_t q = 0; q < n; ++q) {
            wq[q] = State::samples == 1 ? B(w[q]) : B::load_unaligned(&w[q * State::samples]);
            sum += wq[q];
        }
        if constexpr (State::samples == 1) { // qubits in lanes: one lane pattern for all registers
            alignas(64) std::array<Real, B::size> pattern{};
            for (std::size_t l = 0; l < B::size; ++l)
                for (std::size_t q = 0; q < std::min(n, std::size_t(lq)); ++q)
                    if ((l >> q) & 1) pattern[l] -= 2 * w[q];
            lane_part = B::load_aligned(pattern.data());
        }
        const auto in = psi.view();
        const auto out = lam.view();
        for (std::size_t j = 0; j < State::registers; ++j) {
            B d = sum + lane_part;
            for (std::size_t q = lq; q < n; ++q)
                if ((j >> (q - lq)) & 1) d = xsimd::fnma(B(Real(2)), wq[q], d);
            const auto a = kernel::load<kernel::cvec<B>>(in, j);
            kernel::store(out, j, kernel::cvec<B>{d * a.re, d * a.im});
        }
        lam.set_real(psi.is_real());
    }
};

// The cotangent of the probability read-out: the diagonal observable sum_k v[k * samples + l] |k><k|.
template <class Real>
struct probability_weights {
    std::span<const Real> v;

    template <class State>
    void check() const {
        require(v.size() == State::dimension * State::samples, [&] {
            return "probability_weights: got " + std::to_string(v.size()) + " weights, expected " +
                   std::to_string(State::dimension * State::samples);
        });
    }
    template <class State>
    Real diagonal(std::size_t k, std::size_t l) const noexcept { return v[k * State::samples + l]; }

    template <class State>
    void apply(const State& psi, State& lam) const {
        check<State>();
        const auto in = psi.view();
        const auto out = lam.view();
        for (std::size_t s = 0; s < v.size(); ++s) {
            out.re[s] = v[s] * in.re[s];
            out.im[s] = v[s] * in.im[s];
        }
        lam.set_real(psi.is_real());
    }
};

} // namespace qhybrid::quantum
