#pragma once
// Counts every operator new of the test program that includes this header (once per program),
// except under AddressSanitizer, which owns operator new there (a replacement clashes with its
// allocation-type checks); the Release build runs the count. Tests read allocation_count() before
// and after the code that must not allocate, and skip the check where QHYBRID_COUNT_ALLOCATIONS
// is not defined. (g++ cannot tell that these replace the global pair together, hence the pragma.)
#include <qhybrid/core/aligned.hpp> // QHYBRID_HAS_ASAN: clang's ASan, which leaves __SANITIZE_ADDRESS__ undefined

#include <atomic>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__) && !QHYBRID_HAS_ASAN
#define QHYBRID_COUNT_ALLOCATIONS 1

inline std::atomic<std::size_t>& allocation_count() {
    static std::atomic<std::size_t> count{0};
    return count;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    ++allocation_count();
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif
