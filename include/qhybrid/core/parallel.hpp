// SPDX-License-Identifier: Apache-2.0
#pragma once
// Work split over OpenMP threads when the program is built with OpenMP (qhybrid's CMake option
// QHYBRID_OPENMP adds it to qhybrid::qhybrid), serial otherwise. Callers give each worker its own
// scratch and partial sums, so results do not depend on the thread count except through the
// order in which partial sums are added.
#include <algorithm>
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace qhybrid {

// Upper bound on the `worker` index parallel_chunks passes.
inline std::size_t max_workers() noexcept {
#ifdef _OPENMP
    return std::size_t(omp_in_parallel() ? 1 : std::max(1, omp_get_max_threads()));
#else
    return 1;
#endif
}

// Calls body(begin, end, worker) on contiguous chunks covering [0, n), one chunk per worker.
// body must not throw.
template <class Body>
void parallel_chunks(std::size_t n, Body&& body) {
    const std::size_t workers = std::min(n, max_workers());
#ifdef _OPENMP
    if (workers > 1) {
#pragma omp parallel num_threads(int(workers))
        {
            const auto t = std::size_t(omp_get_thread_num());
            body(n * t / workers, n * (t + 1) / workers, t);
        }
        return;
    }
#endif
    (void)workers;
    body(std::size_t(0), n, std::size_t(0));
}

} // namespace qhybrid
