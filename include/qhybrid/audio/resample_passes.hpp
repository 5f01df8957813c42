// SPDX-License-Identifier: Apache-2.0
#pragma once
// The polyphase resampler's arithmetic on storage the caller owns: no allocation, no exception,
// so that the heap plan (audio/resample.hpp) and the fixed plan for microcontrollers
// (audio/fixed_resample.hpp) run the same code, and builds with -fno-exceptions can include it.
//
// Semantics: scipy.signal.resample_poly(x, up, down, window=h, padtype='constant') (scipy 1.10)
// with up = L and down = M coprime and c = (len(h) - 1) / 2:
//     y[i] = L sum_j h[i M + c - j L] x[j],   i < ceil(n L / M),   x zero outside 0 .. n-1.
// With p = i M + c = b L + phase, output i needs x[b - m] for the taps h[phase + m L] of one
// polyphase branch. The table stores each branch reversed and scaled by L, padded with zeros to
// a multiple of `lanes`, so an output is one dot product of a branch with the last `branch`
// input samples in time order. The input history is a ring stored twice (every sample is
// written at pos and pos + branch), so that window is always contiguous.
//
// Streaming: samples are pushed one at a time, and an output is written as soon as its last
// input has arrived; the dot product for an output is the same whatever the block sizes, so a
// signal fed in any blocks gives the one-shot result bit for bit. finish() pushes the zeros
// after the end until the last output, then starts a new signal.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace qhybrid::audio {

// How the fixed plan reports errors (the heap plan throws instead).
enum class resample_status { ok, non_finite_input, output_too_small };

namespace resample_passes {

// Independent accumulators of a dot product, `sets` of `lanes`: the sum order is fixed by the
// code, not by how the compiler vectorises or where the data sit. Branch lengths are multiples of
// `lanes` (16 fill one AVX-512 register of floats, two of doubles); two sets keep twice as many
// multiply-adds in flight (docs/performance.md, R1).
inline constexpr std::size_t lanes = 16, sets = 2;

// The alignment of the plans' tables (a cache line), so that no load of a branch straddles two.
inline constexpr std::size_t table_alignment = 64;

struct shape {
    std::size_t up, down, taps, centre, branch; // branch: the padded length of a polyphase branch
};

constexpr shape make_shape(std::size_t up, std::size_t down, std::size_t taps) noexcept {
    const std::size_t per_branch = (taps + up - 1) / up;
    return {up, down, taps, (taps - 1) / 2, (per_branch + lanes - 1) / lanes * lanes};
}
constexpr std::size_t table_size(const shape& s) noexcept { return s.up * s.branch; }
constexpr std::size_t history_size(const shape& s) noexcept { return 2 * s.branch; }

// Where a stream stands: the ring position of the oldest sample of the window, the phase of the
// next output, how many samples it still needs, and how many samples came in so far.
struct state {
    std::size_t pos, phase, need;
    std::uint64_t received;
};

// table[p * branch + k] = L h[p + (branch - 1 - k) L], zero past the filter's end; tap(k) gives h[k].
template <class Real, class Tap>
void fill_table(const shape& s, Tap&& tap, Real* table) noexcept {
    for (std::size_t p = 0; p < s.up; ++p)
        for (std::size_t k = 0; k < s.branch; ++k) {
            const std::size_t j = p + (s.branch - 1 - k) * s.up;
            table[p * s.branch + k] = j < s.taps ? Real(double(s.up) * tap(j)) : Real(0);
        }
}

// A new signal: zeros before it, output 0 next.
template <class Real>
void start(const shape& s, state& st, Real* history) noexcept {
    for (std::size_t k = 0; k < history_size(s); ++k) history[k] = 0;
    st = {0, s.centre % s.up, s.centre / s.up + 1, 0};
}

// The most outputs n more samples can produce: ceil(n L / M) (the outputs whose last sample is
// among them lie in an interval of length n L / M).
constexpr std::size_t max_output(const shape& s, std::size_t n) noexcept {
    return n / s.down * s.up + (n % s.down * s.up + s.down - 1) / s.down;
}

// The outputs finish() writes: those i >= next with i M < n L, i.e. with p - c < n L for
// p = (n - 1 + need) L + phase, then every M further.
constexpr std::size_t tail(const shape& s, const state& st) noexcept {
    const std::size_t used = (st.need - 1) * s.up + st.phase;
    return s.centre > used ? (s.centre - used + s.down - 1) / s.down : 0;
}

template <class Real>
std::size_t first_non_finite(const Real* x, std::size_t n) noexcept {
    std::size_t j = 0;
    while (j < n && std::isfinite(x[j])) ++j;
    return j;
}

template <class Real>
Real dot(const Real* __restrict a, const Real* __restrict b, std::size_t n) noexcept {
    Real acc[sets][lanes] = {};
    std::size_t k = 0;
    for (; k + sets * lanes <= n; k += sets * lanes)
        for (std::size_t s = 0; s < sets; ++s)
            for (std::size_t l = 0; l < lanes; ++l) acc[s][l] += a[k + s * lanes + l] * b[k + s * lanes + l];
    for (std::size_t s = 0; k < n; ++s, k += lanes) // the blocks left, fewer than `sets`
        for (std::size_t l = 0; l < lanes; ++l) acc[s][l] += a[k + l] * b[k + l];
#pragma GCC unroll 8
    for (std::size_t s = 1; s < sets; ++s)
        for (std::size_t l = 0; l < lanes; ++l) acc[0][l] += acc[s][l];
#pragma GCC unroll 8
    for (std::size_t width = lanes / 2; width > 0; width /= 2)
        for (std::size_t l = 0; l < width; ++l) acc[0][l] += acc[0][l + width];
    return acc[0][0];
}

// Pushes sample x and writes the outputs it completes, at most `limit`; returns their count.
template <class Real>
std::size_t push(const shape& s, const Real* table, state& st, Real* history, Real x, Real* out,
                 std::size_t limit) noexcept {
    history[st.pos] = history[st.pos + s.branch] = x;
    st.pos = st.pos + 1 == s.branch ? 0 : st.pos + 1;
    ++st.received;
    std::size_t written = 0;
    if (--st.need > 0) return 0;
    while (st.need == 0 && written < limit) {
        out[written++] = dot(table + st.phase * s.branch, history + st.pos, s.branch);
        st.phase += s.down;
        st.need = st.phase / s.up;
        st.phase %= s.up;
    }
    return written;
}

// Pushes n finite samples; out has room for max_output(s, n). Returns the outputs written.
template <class Real>
std::size_t process(const shape& s, const Real* table, state& st, Real* history, const Real* x, std::size_t n,
                    Real* out) noexcept {
    std::size_t written = 0;
    for (std::size_t j = 0; j < n; ++j) written += push(s, table, st, history, x[j], out + written, SIZE_MAX);
    return written;
}

// Writes the tail(s, st) outputs left, then starts a new signal. Returns the outputs written.
template <class Real>
std::size_t finish(const shape& s, const Real* table, state& st, Real* history, Real* out) noexcept {
    const std::size_t owed = tail(s, st);
    std::size_t written = 0;
    while (written < owed) written += push(s, table, st, history, Real(0), out + written, owed - written);
    start(s, st, history);
    return written;
}

} // namespace resample_passes
} // namespace qhybrid::audio
