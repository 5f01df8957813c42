// The plan of the fused passes (quantum/fusion_plan.hpp), proved at compile time: the plans keep
// every qubit's gates in circuit order, a Quantum-Train block takes the passes it should, and the
// circuits a Pauli frame serves are the ones it moves through. The plan needs no SIMD code: this
// file is compiled without xsimd.
#include "random_circuit.hpp"

#include <catch2/catch.hpp>
#include <qhybrid/quantum/ansatz.hpp>
#include <qhybrid/quantum/fusion_plan.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>

#ifdef XSIMD_HPP
#error "quantum/fusion_plan.hpp (or a header it includes) includes xsimd"
#endif

namespace q = qhybrid::quantum;
namespace d = qhybrid::quantum::detail;

// Every gate placed once; a gate sharing a qubit with an earlier one is placed after it; each
// pass's gates fit its tile, which has at most K register qubits.
template <class List, unsigned K, unsigned LaneBits>
constexpr bool valid_plan() {
    constexpr auto& plan = d::plan_of<List, K, LaneBits>;
    constexpr auto qubits = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::uint64_t, List::size + 1>{List::template at<I>::qubits..., 0};
    }(std::make_index_sequence<List::size>{});
    std::array<std::size_t, List::size + 1> position{};
    std::array<bool, List::size + 1> seen{};
    for (std::size_t p = 0; p < plan.passes; ++p) {
        if (std::popcount(plan.tile[p]) > int(K)) return false;
        for (std::size_t k = plan.start[p]; k < plan.start[p + 1]; ++k) {
            const std::size_t g = plan.order[k];
            if (g >= List::size || seen[g] || ((qubits[g] >> LaneBits) & ~plan.tile[p]) != 0) return false;
            seen[g] = true;
            position[g] = k;
        }
    }
    for (std::size_t a = 0; a < List::size; ++a) {
        if (!seen[a]) return false;
        for (std::size_t b = a + 1; b < List::size; ++b)
            if ((qubits[a] & qubits[b]) != 0 && position[a] > position[b]) return false;
    }
    return true;
}

template <class C>
using flat = typename d::flat_gates<C>::type;
template <std::size_t N>
using qt_block = q::compose<q::detail::layer<N, q::detail::ry_gate, q::param>, q::detail::cnots<q::detail::ring<N>>>;

TEST_CASE("fusion plans keep each qubit's gates in circuit order") {
    using random9 = flat<randomized::circuit<9, 200, 21>>;
    using full8 = flat<q::compose<q::detail::layer<8, q::detail::ry_gate, q::param>,
                                  q::detail::cnots<q::detail::pairs<8, q::entanglement::full>>>>;
    STATIC_REQUIRE(valid_plan<random9, 4, 3>());
    STATIC_REQUIRE(valid_plan<random9, 3, 0>());
    STATIC_REQUIRE(valid_plan<random9, 4, 4>());
    STATIC_REQUIRE(valid_plan<full8, 3, 3>());
    STATIC_REQUIRE(valid_plan<flat<qt_block<12>>, 4, 3>());
    STATIC_REQUIRE(valid_plan<flat<qt_block<12>>, 4, 0>());
    STATIC_REQUIRE(valid_plan<flat<q::u3_cu3_blocks<4, 1>>, 4, 2>()); // composites, expanded
    // A swap is three CNOTs, a barrier nothing.
    STATIC_REQUIRE(flat<q::circuit<q::swap<0, 3>, q::barrier<3>, q::h<1>>>::size == 4);
}

TEST_CASE("a 12-qubit Quantum-Train block runs in 4 sweeps, not 24") {
    STATIC_REQUIRE(flat<qt_block<12>>::size == 24);
    STATIC_REQUIRE(d::plan_of<flat<qt_block<12>>, 4, 3>.passes == 4);   // a double state, AVX-512
    STATIC_REQUIRE(d::plan_of<flat<qt_block<12>>, 4, 0>.passes == 6);   // a batched state
}

TEST_CASE("the circuits run with a Pauli frame are those whose gates move through it") {
    STATIC_REQUIRE(d::frame_circuit<q::ry_cnot_blocks<12, 4>>);
    STATIC_REQUIRE(d::frame_circuit<q::compose<q::angle_encoding<8>, q::real_amplitudes<8, 3>>>);
    STATIC_REQUIRE(!d::frame_circuit<q::compose<q::angle_encoding<8, q::axis::x>, q::real_amplitudes<8, 3>>>);
    STATIC_REQUIRE(!d::frame_circuit<q::zz_feature_map<4, 1>>);
}
