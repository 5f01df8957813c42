// SPDX-License-Identifier: Apache-2.0
#pragma once
// Forward FFTs of any size, owned by qhybrid (docs/audio.md says why: Eigen's FFT is MPL-2.0 and
// allocates, FFTW is GPL). The arithmetic is audio/fft_passes.hpp's; these plans own its tables
// and scratch buffers (allocated once, in the constructor) and check sizes. The transforms
// themselves never allocate; audio/fixed_fft.hpp holds the same plan in fixed-size arrays, for
// builds without a heap. A plan is not thread-safe: give each thread its own.
#include "qhybrid/audio/fft_passes.hpp"
#include "qhybrid/core/error.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::audio {

namespace detail {

inline std::size_t checked_fft_size(std::size_t n, const char* who) {
    require(n >= 1 && n <= fft_passes::max_size, [&] {
        return std::string(who) + ": size " + std::to_string(n) + " is not in [1, " +
               std::to_string(fft_passes::max_size) + "]";
    });
    return n;
}

} // namespace detail

template <class Real>
class complex_fft {
public:
    explicit complex_fft(std::size_t n)
        : shape_(fft_passes::complex_plan(detail::checked_fft_size(n, "complex_fft"))), tables_re_(shape_.tables()),
          tables_im_(shape_.tables()), scratch_re_(shape_.scratch()), scratch_im_(shape_.scratch()) {
        fft_passes::fill_complex_tables<fft_passes::all_kinds>(shape_, tables(), scratch());
    }

    std::size_t size() const noexcept { return shape_.n; }

    // In place: (re, im) <- DFT(re, im), X_k = sum_j x_j exp(-2 pi i j k / n).
    void forward(std::span<Real> re, std::span<Real> im) {
        require(re.size() == size() && im.size() == size(), [&] {
            return "complex_fft::forward: expected two arrays of " + std::to_string(size()) + " values, got " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        fft_passes::complex_forward(shape_, {tables_re_.data(), tables_im_.data()}, {re.data(), im.data()},
                                    scratch());
    }

private:
    fft_passes::split<Real> tables() noexcept { return {tables_re_.data(), tables_im_.data()}; }
    fft_passes::split<Real> scratch() noexcept { return {scratch_re_.data(), scratch_im_.data()}; }

    fft_passes::complex_shape shape_;
    std::vector<Real> tables_re_, tables_im_, scratch_re_, scratch_im_;
};

template <class Real>
class real_fft {
public:
    explicit real_fft(std::size_t n)
        : shape_(fft_passes::real_plan(detail::checked_fft_size(n, "real_fft"))), tables_re_(shape_.tables()),
          tables_im_(shape_.tables()), scratch_(shape_.scratch()) {
        fft_passes::fill_real_tables<fft_passes::all_kinds>(shape_, {tables_re_.data(), tables_im_.data()},
                                                            scratch_.data());
    }

    std::size_t size() const noexcept { return shape_.n; }
    std::size_t bins() const noexcept { return shape_.bins(); }

    // X_k = sum_j x_j exp(-2 pi i j k / n) for k = 0 .. n/2 into (re, im).
    void forward(std::span<const Real> x, std::span<Real> re, std::span<Real> im) {
        require(x.size() == size() && re.size() == bins() && im.size() == bins(), [&] {
            return "real_fft::forward: expected " + std::to_string(size()) + " samples and two arrays of " +
                   std::to_string(bins()) + " bins, got " + std::to_string(x.size()) + ", " +
                   std::to_string(re.size()) + " and " + std::to_string(im.size());
        });
        fft_passes::real_forward<fft_passes::all_kinds>(shape_, {tables_re_.data(), tables_im_.data()}, x.data(),
                                                        scratch_.data(), {re.data(), im.data()});
    }

private:
    fft_passes::real_shape shape_;
    std::vector<Real> tables_re_, tables_im_, scratch_;
};

} // namespace qhybrid::audio
