// core/aligned.hpp: alignment, and the per-thread cache of large freed blocks (off under
// AddressSanitizer, where only the alignment is checked).
#include <catch2/catch.hpp>
#include <qhybrid/core/aligned.hpp>

#include <cstdint>
#include <thread>

using qhybrid::aligned_vector;

TEST_CASE("aligned_vector: storage is 64-byte aligned, small and large") {
    for (std::size_t n : {std::size_t(1), std::size_t(1000), std::size_t(1) << 20}) {
        aligned_vector<float> v(n, 1.0f);
        CHECK(reinterpret_cast<std::uintptr_t>(v.data()) % qhybrid::simd_alignment == 0);
    }
}

TEST_CASE("aligned_vector: a freed large block serves the thread's next allocation of that size, within the capacity") {
    using cache = qhybrid::detail::block_cache;
    if (!qhybrid::detail::thread_block_cache()) return; // AddressSanitizer build: nothing is kept
    constexpr std::size_t n = cache::smallest / sizeof(double);
    const double* first;
    {
        aligned_vector<double> v(n);
        first = v.data();
    }
    aligned_vector<double> again(n);
    CHECK(again.data() == first);

    // Another thread has its own cache: the block it frees is not handed to this one.
    std::thread([] { aligned_vector<double> w(n, 2.0); }).join();
    CHECK(qhybrid::detail::thread_block_cache()->take(n * sizeof(double)) == nullptr);

    // Small blocks are not kept; past the capacity, the oldest blocks are released.
    { aligned_vector<double> small(16); }
    CHECK(qhybrid::detail::thread_block_cache()->take(16 * sizeof(double)) == nullptr);
    // Four blocks of a little over a quarter of the capacity each: keeping the fourth drops the
    // first one freed.
    const std::size_t big = cache::capacity / 4 + 64;
    {
        aligned_vector<char> a(big), b(big + 64), c(big + 128), d(big + 192);
    } // freed d, c, b, a
    auto* mine = qhybrid::detail::thread_block_cache();
    CHECK(mine->take(big + 192) == nullptr);
    for (std::size_t extra : {0, 64, 128}) {
        void* p = mine->take(big + extra);
        CHECK(p != nullptr);
        cache::release(p);
    }
}
