// SPDX-License-Identifier: Apache-2.0
#pragma once
// nn::tensor<T>: a runtime shape over contiguous, row-major, SIMD-aligned storage. The first
// dimension of a layer's input and output is the minibatch.
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace qhybrid::nn {

using shape_t = std::vector<std::size_t>;

inline std::size_t element_count(const shape_t& s) {
    return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>{});
}

inline std::string to_string(const shape_t& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// tensor(shape, uninitialized): storage a layer then overwrites entirely (outputs, gradients),
// without the pass that would zero it first.
inline constexpr struct uninitialized_t {
} uninitialized{};

namespace detail {

// Default-initializes where std::vector value-initializes: tensor(shape, uninitialized).
template <class T>
struct default_init_allocator : aligned_allocator<T> {
    template <class U>
    struct rebind {
        using other = default_init_allocator<U>;
    };
    default_init_allocator() = default;
    template <class U>
    constexpr default_init_allocator(const default_init_allocator<U>&) noexcept {}

    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

} // namespace detail

template <class T>
class tensor {
public:
    using value_type = T;

    tensor() = default;
    explicit tensor(shape_t shape, T value = T(0)) : shape_(std::move(shape)), data_(element_count(shape_), value) {}
    tensor(shape_t shape, uninitialized_t) : shape_(std::move(shape)), data_(element_count(shape_)) {}
    tensor(std::initializer_list<std::size_t> shape) : tensor(shape_t(shape)) {}
    tensor(shape_t shape, std::span<const T> values) : tensor(std::move(shape)) {
        require(values.size() == data_.size(), [&] {
            return "tensor: " + std::to_string(values.size()) + " values for shape " + to_string(shape_);
        });
        std::copy(values.begin(), values.end(), data_.begin());
    }

    const shape_t& shape() const noexcept { return shape_; }
    std::size_t rank() const noexcept { return shape_.size(); }
    std::size_t dim(std::size_t i) const noexcept { return shape_[i]; }
    std::size_t size() const noexcept { return data_.size(); }
    // Elements per entry of the first (batch) dimension.
    std::size_t row_size() const noexcept { return shape_.empty() || shape_[0] == 0 ? 0 : size() / shape_[0]; }

    T* data() noexcept { return data_.data(); }
    const T* data() const noexcept { return data_.data(); }
    std::span<T> values() noexcept { return data_; }
    std::span<const T> values() const noexcept { return data_; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    // The entries of batch row b.
    std::span<T> row(std::size_t b) noexcept { return {data() + b * row_size(), row_size()}; }
    std::span<const T> row(std::size_t b) const noexcept { return {data() + b * row_size(), row_size()}; }

    void fill(T v) noexcept { std::fill(data_.begin(), data_.end(), v); }

    // The same values under another shape with the same element count.
    tensor reshaped(shape_t s) const& {
        tensor t = *this;
        return std::move(t).reshaped(std::move(s));
    }
    tensor reshaped(shape_t s) && {
        require(element_count(s) == size(), [&] {
            return "tensor: cannot reshape " + to_string(shape_) + " to " + to_string(s);
        });
        shape_ = std::move(s);
        return std::move(*this);
    }

private:
    shape_t shape_;
    std::vector<T, detail::default_init_allocator<T>> data_;
};

// Throws unless x has the given rank and, where `expected` is nonzero, those dimensions.
template <class T>
void require_shape(const tensor<T>& x, const shape_t& expected, const char* who) {
    bool ok = x.rank() == expected.size();
    for (std::size_t i = 0; ok && i < expected.size(); ++i) ok = expected[i] == 0 || expected[i] == x.dim(i);
    require(ok, [&] {
        std::string want = "[";
        for (std::size_t i = 0; i < expected.size(); ++i)
            want += (i ? ", " : "") + (expected[i] ? std::to_string(expected[i]) : std::string("*"));
        return std::string(who) + ": input of shape " + to_string(x.shape()) + ", expected " + want + "]";
    });
}

} // namespace qhybrid::nn
