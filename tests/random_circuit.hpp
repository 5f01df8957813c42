#pragma once
// Random circuits as types: gate I of a circuit is drawn from a hash of (Seed, I) over every gate
// kind (or over the real ones: gates with real matrices keep a real state real; or over the ones
// a Pauli frame moves through: RY, CNOT, CZ, swap, X, Y, Z), with angles from parameters, inputs,
// feature products and constants.
#include <qhybrid/quantum/circuit.hpp>

#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

namespace randomized {

namespace q = qhybrid::quantum;

constexpr std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

enum class kinds { every, real, frame };

template <std::size_t N, std::uint64_t Seed, std::size_t I, bool Constants, kinds Kinds>
struct gate {
    static constexpr std::uint64_t h = mix(Seed * 1000003 + I);
    static constexpr q::qubit a = h % N;
    static constexpr q::qubit b = (a + 1 + (h >> 8) % (N - 1)) % N; // != a
    static constexpr std::size_t k = (h >> 16) % (Constants ? 4 : 3);
    using angle = std::tuple_element_t<k, std::tuple<q::param<I>, q::input<(h >> 24) % 3>,
                                                     q::feature_product<(h >> 24) % 3, (h >> 28) % 3>,
                                                     q::constant<0.375>>>;
    using every_kind =
        std::tuple<q::h<a>, q::x<a>, q::y<a>, q::z<a>, q::s<a>, q::t<a>, q::rx<a, angle>, q::ry<a, angle>,
                   q::rz<a, angle>, q::phase<a, angle>, q::cnot<a, b>, q::cz<a, b>, q::swap<a, b>,
                   q::rzz<a, b, angle>, q::crx<a, b, angle>, q::cry<a, b, angle>, q::crz<a, b, angle>>;
    using real_kinds = std::tuple<q::h<a>, q::x<a>, q::z<a>, q::ry<a, angle>, q::cnot<a, b>, q::cz<a, b>,
                                  q::swap<a, b>, q::cry<a, b, angle>>;
    using frame_kinds = std::tuple<q::ry<a, angle>, q::ry<b, angle>, q::cnot<a, b>, q::cz<a, b>, q::swap<a, b>,
                                   q::x<a>, q::y<a>, q::z<a>>;
    using drawn = std::conditional_t<Kinds == kinds::every, every_kind,
                                     std::conditional_t<Kinds == kinds::real, real_kinds, frame_kinds>>;
    using type = std::tuple_element_t<(h >> 32) % std::tuple_size_v<drawn>, drawn>;
};

template <std::size_t N, std::uint64_t Seed, bool Constants, kinds Kinds, class Seq>
struct make;
template <std::size_t N, std::uint64_t Seed, bool Constants, kinds Kinds, std::size_t... I>
struct make<N, Seed, Constants, Kinds, std::index_sequence<I...>> {
    using type = q::circuit<typename gate<N, Seed, I, Constants, Kinds>::type...>;
};

// A circuit of `Gates` random gates on N qubits; its inputs are x[0..2]. Without Constants,
// every angle comes from a parameter or an input.
template <std::size_t N, std::size_t Gates, std::uint64_t Seed, bool Constants = true>
using circuit = typename make<N, Seed, Constants, kinds::every, std::make_index_sequence<Gates>>::type;

// The same with real gates only.
template <std::size_t N, std::size_t Gates, std::uint64_t Seed>
using real_circuit = typename make<N, Seed, true, kinds::real, std::make_index_sequence<Gates>>::type;

// The same with the gates a Pauli frame moves through.
template <std::size_t N, std::size_t Gates, std::uint64_t Seed>
using frame_circuit = typename make<N, Seed, true, kinds::frame, std::make_index_sequence<Gates>>::type;

} // namespace randomized
