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
// input samples in time order.
//
// Streaming: the history buffer (two branches long) takes the input in chunks; after each chunk
// the outputs whose windows it completes are written, and the next output's window moves to the
// front. The dot product for an output is the same whatever the block sizes, so a signal fed in
// any blocks gives the one-shot result bit for bit. finish() feeds the zeros after the end until
// the last output, then starts a new signal. (Chunks, not single samples: vector loads of a
// window right after the scalar store of its newest sample wait for the store; pushing samples
// one at a time into a ring took 2.2x as long at 48,000 -> 44,100 Hz in float, 1.2x in double.)
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

// Where a stream stands: the samples in the history buffer, the phase of the next output and
// the end of its window in the buffer (its newest sample is history[end - 1]), the input samples
// to drop before that window begins (when M > branch), and the samples received so far.
struct state {
    std::size_t fill, phase, end, skip;
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

// A new signal: the branch - 1 zeros before it, output 0 next.
template <class Real>
void start(const shape& s, state& st, Real* history) noexcept {
    for (std::size_t k = 0; k + 1 < s.branch; ++k) history[k] = 0;
    st = {s.branch - 1, s.centre % s.up, s.centre / s.up + s.branch, 0, 0};
}

// The most outputs n more samples can produce: ceil(n L / M) (the outputs whose last sample is
// among them lie in an interval of length n L / M).
constexpr std::size_t max_output(const shape& s, std::size_t n) noexcept {
    return n / s.down * s.up + (n % s.down * s.up + s.down - 1) / s.down;
}

// The outputs finish() writes: those i >= next with i M < n L, i.e. with p - c < n L for
// p = (n - 1 + need) L + phase, then every M further, where the next output still needs
// need = end - fill + skip >= 1 samples.
constexpr std::size_t tail(const shape& s, const state& st) noexcept {
    const std::size_t used = (st.end - st.fill + st.skip - 1) * s.up + st.phase;
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

// Writes the outputs whose windows lie in the buffer, at most `limit`, then moves the next
// output's window to the front. Returns the outputs written.
template <class Real>
std::size_t emit(const shape& s, const Real* table, state& st, Real* history, Real* out, std::size_t limit) noexcept {
    std::size_t written = 0;
    while (st.end <= st.fill && written < limit) {
        out[written++] = dot(table + st.phase * s.branch, history + st.end - s.branch, s.branch);
        st.phase += s.down;
        st.end += st.phase / s.up;
        st.phase %= s.up;
    }
    const std::size_t first = st.end - s.branch;
    if (first >= st.fill) { // (with skip > 0 left over, fill and first are 0)
        st.skip += first - st.fill;
        st.fill = 0;
    } else {
        for (std::size_t k = first; k < st.fill; ++k) history[k - first] = history[k];
        st.fill -= first;
    }
    st.end = s.branch;
    return written;
}

// Feeds n samples (zeros if x is null) and writes the outputs they complete, at most `limit`.
template <class Real>
std::size_t feed(const shape& s, const Real* table, state& st, Real* history, const Real* x, std::size_t n,
                 Real* out, std::size_t limit) noexcept {
    std::size_t written = 0;
    while (n > 0 && written < limit) {
        const std::size_t dropped = st.skip < n ? st.skip : n;
        const std::size_t chunk = n - dropped < history_size(s) - st.fill ? n - dropped : history_size(s) - st.fill;
        if (x) {
            for (std::size_t k = 0; k < chunk; ++k) history[st.fill + k] = x[dropped + k];
            x += dropped + chunk;
        } else
            for (std::size_t k = 0; k < chunk; ++k) history[st.fill + k] = 0;
        st.skip -= dropped, st.fill += chunk, st.received += dropped + chunk, n -= dropped + chunk;
        written += emit(s, table, st, history, out + written, limit - written);
    }
    return written;
}

// Feeds n finite samples; out has room for max_output(s, n). Returns the outputs written.
template <class Real>
std::size_t process(const shape& s, const Real* table, state& st, Real* history, const Real* x, std::size_t n,
                    Real* out) noexcept {
    return feed(s, table, st, history, x, n, out, SIZE_MAX);
}

// Writes the tail(s, st) outputs left, then starts a new signal. Returns the outputs written.
template <class Real>
std::size_t finish(const shape& s, const Real* table, state& st, Real* history, Real* out) noexcept {
    const std::size_t written = feed(s, table, st, history, static_cast<const Real*>(nullptr), SIZE_MAX, out, tail(s, st));
    start(s, st, history);
    return written;
}

} // namespace resample_passes
} // namespace qhybrid::audio
