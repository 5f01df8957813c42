// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pure states of N qubits. `statevector<N, Real>` holds one state: its 2^N amplitudes are split
// real/imaginary, and the low lane_qubits qubits index lanes inside a SIMD register (storage is
// padded to one register for tiny N; the padding stays zero under every gate).
// `batched_statevector<N, Real>` holds W states at once, one per SIMD lane: the same gate is
// applied to W samples with purely vertical arithmetic, whatever its qubits.
//
// A state knows when every imaginary part is zero (`is_real()`): a basis state is real, and gates
// with real matrices (RY, CRY, H, X, Z, CNOT, CZ, SWAP) keep it real while touching only the real
// parts. Writing through the mutable `view()` makes it complex unless the writer says otherwise.
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/simd.hpp"
#include "qhybrid/quantum/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

namespace qhybrid::quantum {

// ---- the state contract: what the executor runs on ---------------------------------------------

enum class state_kind {
    pure,      // statevector, batched_statevector: the amplitudes, in SIMD registers
    density,   // basic_density_matrix (density_matrix.hpp): rho as a 2N-qubit vector
    trajectory // basic_trajectory (trajectory.hpp): a statevector that noise acts on stochastically
};

template <class S>
concept quantum_state = requires {
    { S::kind } -> std::convertible_to<state_kind>;
    { S::num_qubits } -> std::convertible_to<std::size_t>;
    { S::samples } -> std::convertible_to<std::size_t>;
    typename S::real_type;
    typename S::value_type; // an angle or a per-sample value: a scalar, or a batch of samples
    typename S::batch_type;
};

// Amplitudes the kernels sweep: `registers` SIMD registers whose lanes hold `lane_qubits` qubits
// (a single state) or the samples (a batch); real until a complex gate writes them.
template <class S>
concept pure_state = quantum_state<S> && S::kind == state_kind::pure &&
                     requires(S& s, const S& cs, const typename S::batch_type& partial, bool real) {
                         { S::lane_qubits } -> std::convertible_to<unsigned>;
                         { S::registers } -> std::convertible_to<std::size_t>;
                         s.view();
                         s.raw_view();
                         { cs.is_real() } -> std::convertible_to<bool>;
                         s.set_real(real);
                         { S::sample_total(partial) } -> std::convertible_to<typename S::value_type>;
                     };

template <class S>
concept density_state = quantum_state<S> && S::kind == state_kind::density &&
                        pure_state<typename S::vector_type> && requires(S& s) {
                            { s.vectorized() } -> std::same_as<typename S::vector_type&>;
                        };

template <class S>
concept trajectory_state = quantum_state<S> && S::kind == state_kind::trajectory &&
                           pure_state<typename S::vector_type> && requires(S& s) {
                               { s.state() } -> std::same_as<typename S::vector_type&>;
                               s.generator();
                           };

namespace detail {

// Storage and checks shared by both kinds of state. `Samples` states, each of dimension 2^N;
// lane_qubits of the qubits index SIMD lanes.
template <std::size_t N, class Real, std::size_t Samples, unsigned LaneQubits>
class state_base {
    static_assert(N >= 1 && N <= 34, "qhybrid: a state has between 1 and 34 qubits");
    static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                  "qhybrid: states hold float or double amplitudes");

public:
    static constexpr state_kind kind = state_kind::pure;
    using real_type = Real;
    using batch_type = simd::batch<Real>;
    static constexpr std::size_t num_qubits = N;
    static constexpr std::size_t dimension = std::size_t{1} << N;
    static constexpr std::size_t samples = Samples;
    static constexpr unsigned lane_qubits = LaneQubits;
    static constexpr std::size_t width = simd::lanes<Real>;
    static constexpr std::size_t registers = std::max(dimension * Samples, width) / width;

    state_base() : re_(registers * width), im_(registers * width) { set_basis_state(0); }

    // Every sample becomes the basis state |k>.
    void set_basis_state(std::size_t k) {
        require(k < dimension, [&] {
            return "basis state " + std::to_string(k) + " out of range for " + std::to_string(N) +
                   " qubits";
        });
        std::fill(re_.begin(), re_.end(), Real(0));
        std::fill(im_.begin(), im_.end(), Real(0));
        for (std::size_t l = 0; l < Samples; ++l) re_[slot(k, l)] = Real(1);
        real_ = true;
    }
    void reset() { set_basis_state(0); }

    std::complex<Real> amplitude(std::size_t k, std::size_t sample = 0) const {
        check(k, sample);
        return {re_[slot(k, sample)], im_[slot(k, sample)]};
    }

    // Sets one sample's amplitudes (2^N finite values; the caller normalizes).
    void set_amplitudes(std::span<const std::complex<Real>> a, std::size_t sample = 0) {
        require(a.size() == dimension, [&] {
            return "set_amplitudes: got " + std::to_string(a.size()) + " amplitudes, expected " +
                   std::to_string(dimension);
        });
        check(0, sample);
        for (std::size_t k = 0; k < dimension; ++k) {
            require(std::isfinite(a[k].real()) && std::isfinite(a[k].imag()),
                    [&] { return "set_amplitudes: amplitude " + std::to_string(k) + " is not finite"; });
            re_[slot(k, sample)] = a[k].real();
            im_[slot(k, sample)] = a[k].imag();
            real_ = real_ && a[k].imag() == Real(0);
        }
    }

    // <psi|psi> of one sample.
    Real norm_squared(std::size_t sample = 0) const {
        check(0, sample);
        Real sum = 0;
        for (std::size_t k = 0; k < dimension; ++k)
            sum += re_[slot(k, sample)] * re_[slot(k, sample)] + im_[slot(k, sample)] * im_[slot(k, sample)];
        return sum;
    }

    // True when every imaginary part is zero.
    bool is_real() const noexcept { return real_; }

    // The amplitudes, for reading.
    kernel::view<const Real, registers> view() const noexcept { return {re_.data(), im_.data()}; }
    // The amplitudes, for writing: the state counts as complex from now on.
    kernel::view<Real, registers> view() noexcept {
        real_ = false;
        return {re_.data(), im_.data()};
    }
    // The amplitudes, for a writer that leaves every imaginary part as it is (a real gate on a
    // real state) or that says afterwards, with set_real, what it left there.
    kernel::view<Real, registers> raw_view() noexcept { return {re_.data(), im_.data()}; }
    // For such a writer: declares that every imaginary part is zero (or not).
    void set_real(bool real) noexcept { real_ = real; }

    // Where amplitude k of a sample lives in storage.
    static constexpr std::size_t slot(std::size_t k, std::size_t sample) noexcept {
        return Samples == 1 ? k : k * Samples + sample;
    }

private:
    static void check(std::size_t k, std::size_t sample) {
        require(k < dimension && sample < Samples, [&] {
            return "amplitude " + std::to_string(k) + " of sample " + std::to_string(sample) +
                   " out of range (" + std::to_string(dimension) + " amplitudes, " +
                   std::to_string(Samples) + " samples)";
        });
    }

    aligned_vector<Real> re_, im_;
    bool real_ = true;
};

} // namespace detail

template <std::size_t N, class Real = double>
class statevector : public detail::state_base<N, Real, 1, simd::lane_bits<Real>> {
public:
    using value_type = Real; // an angle or a per-sample value
    // A kernel's partial sums as one value per sample: a single state's lanes summed.
    static Real sample_total(const simd::batch<Real>& b) noexcept { return simd::reduce_add(b); }
};

template <std::size_t N, class Real = double>
class batched_statevector : public detail::state_base<N, Real, simd::lanes<Real>, 0> {
public:
    using value_type = simd::batch<Real>; // one value per sample
    // (A batch's lanes are its samples.)
    static value_type sample_total(const value_type& b) noexcept { return b; }
};

static_assert(pure_state<statevector<2>> && pure_state<batched_statevector<2, float>>,
              "qhybrid: the statevectors keep the pure_state contract");

} // namespace qhybrid::quantum
