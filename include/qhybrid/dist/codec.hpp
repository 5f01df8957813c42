// SPDX-License-Identifier: Apache-2.0
#pragma once
// Results as bytes, so that processes can exchange them and a sweep can keep them on disk:
// encode appends a value to a byte string, decode reads it back, bit for bit.
//
// Codec types: arithmetic types and enums (their object bytes: the processes of one job, and the
// job that resumes it, run on one architecture), std::string, and std::vector, std::array,
// std::pair, std::tuple of codec types, and structs adapted with BOOST_HANA_DEFINE_STRUCT or
// BOOST_HANA_ADAPT_STRUCT (their members in order; a new kind of result needs no code here).
//
// decode trusts nothing: a short buffer or a length that the bytes left cannot hold is a
// qhybrid::error naming the buffer and the field, never a read past the end or an unbounded
// allocation.
#include "qhybrid/core/error.hpp"

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace qhybrid::dist {

// The bytes of one encoded value, read from the front. `where` names them in errors ("results of
// rank 1", a checkpoint file's path).
class byte_reader {
public:
    byte_reader(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

    // The next n bytes; `field` says what they hold.
    std::string_view take(std::size_t n, std::string_view field) {
        require(n <= bytes_.size(), [&] {
            return where_ + ": " + std::string(field) + " needs " + std::to_string(n) + " bytes, " + std::to_string(bytes_.size()) +
                   " are left";
        });
        const std::string_view out = bytes_.substr(0, n);
        bytes_.remove_prefix(n);
        return out;
    }

    // A count of elements that each take at least `each` bytes (each > 0): refused when the bytes
    // left cannot hold them, before anything is allocated.
    std::size_t count(std::size_t each, std::string_view field);

    std::size_t left() const noexcept { return bytes_.size(); }
    const std::string& where() const noexcept { return where_; }

private:
    std::string_view bytes_;
    std::string where_;
};

template <class T>
struct codec; // specialised below; a type without one is not a codec type

template <class T>
concept encodable = requires(std::string& out, const T& value, byte_reader& in) {
    codec<T>::encode(out, value);
    { codec<T>::decode(in) } -> std::same_as<T>;
    { codec<T>::min_bytes } -> std::convertible_to<std::size_t>;
};

template <encodable T>
void encode(std::string& out, const T& value) {
    codec<T>::encode(out, value);
}

template <encodable T>
T decode(byte_reader& in) {
    return codec<T>::decode(in);
}

// A whole buffer holding one value: trailing bytes are an error too.
template <encodable T>
T decode_all(std::string_view bytes, std::string where) {
    byte_reader in(bytes, std::move(where));
    T value = codec<T>::decode(in);
    require(in.left() == 0, [&] { return in.where() + ": " + std::to_string(in.left()) + " bytes after the value"; });
    return value;
}

template <class T>
    requires(std::is_arithmetic_v<T> || std::is_enum_v<T>)
struct codec<T> {
    static constexpr std::size_t min_bytes = sizeof(T);
    static void encode(std::string& out, const T& v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
    static T decode(byte_reader& in) {
        T v;
        std::memcpy(&v, in.take(sizeof v, "a number").data(), sizeof v);
        return v;
    }
};

inline std::size_t byte_reader::count(std::size_t each, std::string_view field) {
    const auto n = codec<std::uint64_t>::decode(*this);
    require(n <= bytes_.size() / each, [&] {
        return where_ + ": " + std::string(field) + " holds " + std::to_string(n) + " elements, the " + std::to_string(bytes_.size()) +
               " bytes left hold at most " + std::to_string(bytes_.size() / each);
    });
    return std::size_t(n);
}

template <>
struct codec<std::string> {
    static constexpr std::size_t min_bytes = sizeof(std::uint64_t);
    static void encode(std::string& out, const std::string& s) {
        codec<std::uint64_t>::encode(out, s.size());
        out += s;
    }
    static std::string decode(byte_reader& in) {
        const std::size_t n = in.count(1, "a string");
        return std::string(in.take(n, "a string"));
    }
};

template <encodable T>
struct codec<std::vector<T>> {
    static_assert(codec<T>::min_bytes > 0, "qhybrid::dist::codec: vector elements must encode to at least one byte");
    static constexpr std::size_t min_bytes = sizeof(std::uint64_t);
    static void encode(std::string& out, const std::vector<T>& v) {
        codec<std::uint64_t>::encode(out, v.size());
        for (const T& x : v) codec<T>::encode(out, x);
    }
    static std::vector<T> decode(byte_reader& in) {
        const std::size_t n = in.count(codec<T>::min_bytes, "a vector");
        std::vector<T> v;
        v.reserve(n);
        for (std::size_t i = 0; i < n; ++i) v.push_back(codec<T>::decode(in));
        return v;
    }
};

template <encodable T, std::size_t N>
struct codec<std::array<T, N>> {
    static constexpr std::size_t min_bytes = N * codec<T>::min_bytes;
    static void encode(std::string& out, const std::array<T, N>& a) {
        for (const T& x : a) codec<T>::encode(out, x);
    }
    static std::array<T, N> decode(byte_reader& in) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) { return std::array<T, N>{((void)I, codec<T>::decode(in))...}; }(
                   std::make_index_sequence<N>{});
    }
};

// std::pair and std::tuple: the elements in order (braced initialisation evaluates left to right).
template <encodable... Ts>
struct codec<std::tuple<Ts...>> {
    static constexpr std::size_t min_bytes = (std::size_t{0} + ... + codec<Ts>::min_bytes);
    static void encode(std::string& out, const std::tuple<Ts...>& t) {
        std::apply([&](const Ts&... x) { (codec<Ts>::encode(out, x), ...); }, t);
    }
    static std::tuple<Ts...> decode(byte_reader& in) { return std::tuple<Ts...>{codec<Ts>::decode(in)...}; }
};

template <encodable A, encodable B>
struct codec<std::pair<A, B>> {
    static constexpr std::size_t min_bytes = codec<A>::min_bytes + codec<B>::min_bytes;
    static void encode(std::string& out, const std::pair<A, B>& p) {
        codec<A>::encode(out, p.first);
        codec<B>::encode(out, p.second);
    }
    static std::pair<A, B> decode(byte_reader& in) { return std::pair<A, B>{codec<A>::decode(in), codec<B>::decode(in)}; }
};

// A Hana struct: its members in declaration order; it must be default-constructible.
template <class S>
    requires(boost::hana::Struct<S>::value && std::is_default_constructible_v<S>)
struct codec<S> {
    static constexpr std::size_t min_bytes = [] {
        std::size_t n = 0;
        boost::hana::for_each(boost::hana::accessors<S>(), [&](auto accessor) {
            n += codec<std::remove_cvref_t<decltype(boost::hana::second(accessor)(std::declval<S&>()))>>::min_bytes;
        });
        return n;
    }();
    static void encode(std::string& out, const S& s) {
        boost::hana::for_each(boost::hana::accessors<S>(), [&](auto accessor) {
            const auto& member = boost::hana::second(accessor)(s);
            codec<std::remove_cvref_t<decltype(member)>>::encode(out, member);
        });
    }
    static S decode(byte_reader& in) {
        S s;
        boost::hana::for_each(boost::hana::accessors<S>(), [&](auto accessor) {
            auto& member = boost::hana::second(accessor)(s);
            member = codec<std::remove_cvref_t<decltype(member)>>::decode(in);
        });
        return s;
    }
};

} // namespace qhybrid::dist
