// SPDX-License-Identifier: Apache-2.0
#pragma once
// Heap storage aligned for the widest SIMD register (64 bytes: one AVX-512 register, one cache line).
//
// Large blocks (256 KiB and up) a thread frees are kept, up to 64 MiB per thread, for that
// thread's next allocation of the same size. Training allocates the same activations and
// gradients every minibatch; glibc would hand each back to the OS and then fault every page in
// again (a third of a double-precision training step of the FSDD CNN). Under AddressSanitizer
// nothing is kept, so that use after free is still caught.
#include <cstddef>
#include <new>
#include <vector>

#if defined(__has_feature)
#define QHYBRID_HAS_ASAN __has_feature(address_sanitizer)
#else
#define QHYBRID_HAS_ASAN 0
#endif

namespace qhybrid {

inline constexpr std::size_t simd_alignment = 64;

namespace detail {

class block_cache {
public:
    static constexpr std::size_t smallest = std::size_t(256) << 10, capacity = std::size_t(64) << 20;

    enum class state : unsigned char { unborn, alive, dead };

    block_cache() { current() = state::alive; }
    block_cache(const block_cache&) = delete;
    block_cache& operator=(const block_cache&) = delete;
    ~block_cache() {
        current() = state::dead;
        for (const auto& b : blocks_) release(b.p);
    }

    // Dead once the thread's cache is destroyed: blocks freed later (by static objects) go
    // straight back to the heap.
    static state& current() noexcept {
        thread_local state s = state::unborn;
        return s;
    }

    void* take(std::size_t bytes) noexcept {
        for (std::size_t i = blocks_.size(); i-- > 0;)
            if (blocks_[i].bytes == bytes) {
                void* p = blocks_[i].p;
                held_ -= bytes;
                blocks_.erase(blocks_.begin() + std::ptrdiff_t(i));
                return p;
            }
        return nullptr;
    }

    // Keeps p, dropping the oldest blocks to stay within the capacity.
    bool keep(void* p, std::size_t bytes) noexcept {
        if (bytes > capacity) return false;
        try {
            blocks_.push_back({bytes, p});
        } catch (...) {
            return false;
        }
        held_ += bytes;
        std::size_t dropped = 0;
        while (held_ > capacity) held_ -= blocks_[dropped].bytes, release(blocks_[dropped++].p);
        blocks_.erase(blocks_.begin(), blocks_.begin() + std::ptrdiff_t(dropped));
        return true;
    }

    static void release(void* p) noexcept { ::operator delete(p, std::align_val_t{simd_alignment}); }

private:
    struct block {
        std::size_t bytes;
        void* p;
    };
    std::vector<block> blocks_;
    std::size_t held_ = 0;
};

inline block_cache* thread_block_cache() noexcept {
#if defined(__SANITIZE_ADDRESS__) || QHYBRID_HAS_ASAN
    return nullptr;
#else
    if (block_cache::current() == block_cache::state::dead) return nullptr;
    thread_local block_cache cache;
    return &cache;
#endif
}

} // namespace detail

template <class T>
struct aligned_allocator {
    using value_type = T;
    aligned_allocator() = default;
    template <class U>
    constexpr aligned_allocator(const aligned_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= detail::block_cache::smallest)
            if (auto* cache = detail::thread_block_cache())
                if (void* p = cache->take(bytes)) return static_cast<T*>(p);
        return static_cast<T*>(::operator new(bytes, std::align_val_t{simd_alignment}));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= detail::block_cache::smallest)
            if (auto* cache = detail::thread_block_cache())
                if (cache->keep(p, bytes)) return;
        detail::block_cache::release(p);
    }

    template <class U>
    friend constexpr bool operator==(aligned_allocator, aligned_allocator<U>) noexcept { return true; }
};

template <class T>
using aligned_vector = std::vector<T, aligned_allocator<T>>;

} // namespace qhybrid
