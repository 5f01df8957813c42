// SPDX-License-Identifier: Apache-2.0
#pragma once
// Work split over OpenMP threads when the program is built with OpenMP (qhybrid's CMake option
// QHYBRID_OPENMP adds it to qhybrid::qhybrid), serial otherwise.
//
// Determinism (DESIGN.md, "Trust"): the items are cut into a fixed partition of chunks whose
// number depends on the item count only, never on the threads. A caller that needs a sum over
// items gives each chunk its own partial result and adds the partials in chunk order; the result
// is then the same bits on any number of threads (and, later, on any number of processes).
#include <algorithm>
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace qhybrid {

// At most 16 chunks: enough for 16 threads, and for two threads to balance a slow one (a core
// shared with another process) by taking chunks as they go; few enough that per-chunk partial
// results (a layer's weight gradient each) stay cheap to keep and to add.
inline constexpr std::size_t max_chunks = 16;

// The number of chunks [0, n) is cut into.
constexpr std::size_t chunk_count(std::size_t n) noexcept { return std::min(n, max_chunks); }

// Upper bound on the `worker` index parallel_chunks passes (for per-worker scratch).
inline std::size_t max_workers() noexcept {
#ifdef _OPENMP
    return std::size_t(omp_in_parallel() ? 1 : std::max(1, omp_get_max_threads()));
#else
    return 1;
#endif
}

// Calls body(chunk, begin, end, worker) for each of the chunk_count(n) chunks; chunk k covers
// [n k / c, n (k + 1) / c). Chunks run concurrently, in any order, each on one worker; `worker`
// < max_workers() names the thread, so that chunks on one thread can share scratch. body must
// not throw.
template <class Body>
void parallel_chunks(std::size_t n, Body&& body) {
    const std::size_t chunks = chunk_count(n);
    auto run = [&](std::size_t k, std::size_t worker) { body(k, n * k / chunks, n * (k + 1) / chunks, worker); };
    const std::size_t workers = std::min(chunks, max_workers());
#ifdef _OPENMP
    if (workers > 1) {
        // Dynamic: a thread that is slowed down (its core shared) takes fewer chunks.
#pragma omp parallel for num_threads(int(workers)) schedule(dynamic)
        for (std::size_t k = 0; k < chunks; ++k) run(k, std::size_t(omp_get_thread_num()));
        return;
    }
#endif
    (void)workers;
    for (std::size_t k = 0; k < chunks; ++k) run(k, 0);
}

} // namespace qhybrid
