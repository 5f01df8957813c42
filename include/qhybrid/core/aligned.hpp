#pragma once
// Heap storage aligned for the widest SIMD register (64 bytes: one AVX-512 register, one cache line).
#include <cstddef>
#include <new>
#include <vector>

namespace qhybrid {

inline constexpr std::size_t simd_alignment = 64;

template <class T>
struct aligned_allocator {
    using value_type = T;
    aligned_allocator() = default;
    template <class U>
    constexpr aligned_allocator(const aligned_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{simd_alignment}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{simd_alignment}); }

    template <class U>
    friend constexpr bool operator==(aligned_allocator, aligned_allocator<U>) noexcept { return true; }
};

template <class T>
using aligned_vector = std::vector<T, aligned_allocator<T>>;

} // namespace qhybrid
