#pragma once
// Random circuits as types: gate I of a circuit is drawn from a hash of (Seed, I) over every
// primitive gate kind of all_gates.hpp (or over the real ones: gates with real matrices keep a
// real state real; or over the ones a Pauli frame moves through: RY, CNOT, CZ, swap, X, Y, Z),
// with angles from parameters, inputs, feature products and constants.
#include "all_gates.hpp"

#include <qhybrid/quantum/circuit.hpp>
#include <qhybrid/quantum/frame_gates.hpp>

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

// Gates with real matrices keep a real state real; a Pauli frame moves through the frame gates.
template <class G>
struct is_real : std::bool_constant<G::real_matrix> {};
template <class G>
struct is_frame : std::bool_constant<q::frame_gate<G>> {};

// The gates of a sequence that Keep selects, in order.
template <template <class> class Keep, class Sequence>
struct kept;
template <template <class> class Keep, class... Gs>
struct kept<Keep, q::gate_sequence<Gs...>> {
    using type = q::detail::join_t<std::conditional_t<Keep<Gs>::value, q::gate_sequence<Gs>, q::gate_sequence<>>...>;
};
template <template <class> class Keep, class Sequence>
using keep = typename kept<Keep, Sequence>::type;

template <std::size_t I, class Sequence>
struct at;
template <std::size_t I, class... Gs>
struct at<I, q::gate_sequence<Gs...>> {
    using type = q::detail::nth_type<I, Gs...>;
};

template <std::size_t N, std::uint64_t Seed, std::size_t I, bool Constants, kinds Kinds>
struct gate {
    static constexpr std::uint64_t h = mix(Seed * 1000003 + I);
    static constexpr q::qubit a = h % N;
    static constexpr q::qubit b = (a + 1 + (h >> 8) % (N - 1)) % N; // != a
    static constexpr std::size_t k = (h >> 16) % (Constants ? 4 : 3);
    using angle = std::tuple_element_t<k, std::tuple<q::param<I>, q::input<(h >> 24) % 3>,
                                                     q::feature_product<(h >> 24) % 3, (h >> 28) % 3>,
                                                     q::constant<0.375>>>;
    using every_kind = q::detail::join_t<all_gates::one_qubit<a, angle>, all_gates::two_qubit<a, b, angle>>;
    using drawn = std::conditional_t<Kinds == kinds::every, every_kind,
                                     std::conditional_t<Kinds == kinds::real, keep<is_real, every_kind>, keep<is_frame, every_kind>>>;
    using type = typename at<(h >> 32) % drawn::size, drawn>::type;
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
