// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a gate type is, as concepts: the one place that says what the executor, the kernels, the
// fusion planner, the device router and the OpenQASM exporter may ask of a gate. Qubit q is bit q
// of a basis index (Qiskit's order). A gate has compile-time qubits, an angle source (angle.hpp)
// and one of four shapes:
// - matrix:   a 2x2 matrix on `target`, applied where every qubit of `controls` is 1;
// - diagonal: phases indexed by bit(a) + 2 bit(b) (`arity` 1 or 2);
// - swap:     exchanges qubits a and b;
// - barrier:  does nothing to the state; marks a point where noise policies may act.
// Matrices are written in terms of the half-angle trig c = cos(theta/2), s = sin(theta/2); `T` is
// a scalar or a SIMD batch of per-sample values. A gate with an angle also gives its generator G
// (dU/dtheta = -i G U), for the adjoint method, and the number of terms of its parameter-shift
// rule (2 for generators with eigenvalues +-1/2, 4 for controlled rotations).
//
// A primitive gate (gates.hpp) also declares what it costs on a device (`natives`) and how
// OpenQASM spells it (`qasm`): nothing is inferred from its shape. A composite gate
// (composite_gates.hpp) is a sequence of gates; circuits expand it once into primitives.
#include "qhybrid/quantum/angle.hpp"
#include "qhybrid/quantum/type_list.hpp"

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <string_view>

namespace qhybrid::quantum {

using qubit = unsigned;

template <class T>
struct mat2 {             // m00, m01, m10, m11
    std::array<T, 4> re, im;
};

template <class T>
struct diag4 {            // index bit(a) + 2 bit(b)
    std::array<T, 4> re, im;
};

enum class gate_shape { matrix, diagonal, swap, barrier };

// The native gates of IBM's basis a gate costs on a device (device_noise.hpp): rz is virtual and
// free; sx, x, and the device's two-qubit gate (cx or ecr), run from the gate's control (or first
// qubit) to its target (or second qubit).
struct native_count {
    unsigned sx = 0, x = 0, two_qubit = 0;
    bool symmetric = false; // exchanging its qubits leaves the gate unchanged: either orientation serves

    friend constexpr bool operator==(const native_count&, const native_count&) = default;
    // A sequence's total (no longer a single gate: not symmetric).
    friend constexpr native_count operator+(const native_count& a, const native_count& b) {
        return {a.sx + b.sx, a.x + b.x, a.two_qubit + b.two_qubit, false};
    }
};

// How OpenQASM writes a gate (qasm.hpp): its name in Qiskit's qelib1.inc (2.0) and in stdgates.inc
// (3.0), and, where that library lacks it, the `gate` definition written before the circuit.
struct qasm_spelling {
    std::string_view v2, v3;
    std::string_view v2_definition = {}, v3_definition = {};
};

// The bases that spell a shape's members.
template <qubit Target, std::uint64_t Controls, class Angle, bool RealMatrix, int ShiftTerms = 2>
struct matrix_gate_base {
    static_assert((Controls & (std::uint64_t{1} << Target)) == 0, "a gate's control is its target");
    static constexpr gate_shape shape = gate_shape::matrix;
    static constexpr qubit target = Target;
    static constexpr std::uint64_t controls = Controls;
    static constexpr std::uint64_t qubits = Controls | (std::uint64_t{1} << Target);
    static constexpr bool real_matrix = RealMatrix;
    static constexpr int shift_terms = ShiftTerms;
    static constexpr bool flip = false;     // X on the target (X, CNOT): kernels move amplitudes, no arithmetic
    static constexpr bool rotation = false; // the real matrix (c, -s; s, c) of RY
    using angle = Angle;
};

template <qubit QA, qubit QB, unsigned Arity, class Angle, bool RealMatrix, int ShiftTerms = 2>
struct diagonal_gate_base {
    static_assert(Arity == 1 || QA != QB, "a two-qubit gate acts on two different qubits");
    static constexpr gate_shape shape = gate_shape::diagonal;
    static constexpr qubit a = QA, b = QB;
    static constexpr unsigned arity = Arity;
    static constexpr std::uint64_t qubits = (std::uint64_t{1} << QA) | (std::uint64_t{1} << QB);
    static constexpr bool real_matrix = RealMatrix;
    static constexpr int shift_terms = ShiftTerms;
    using angle = Angle;
};

// ---- the concepts ------------------------------------------------------------------------------

// What every gate has: a shape, its qubits as a mask, whether its matrix is real (it keeps a real
// state real), and where its angle comes from.
template <class G>
concept shaped_gate = requires {
    { G::shape } -> std::convertible_to<gate_shape>;
    { G::qubits } -> std::convertible_to<std::uint64_t>;
    { G::real_matrix } -> std::convertible_to<bool>;
    typename G::angle;
} && angle_source<typename G::angle>;

// An angled gate's generator, of the shape's type, and its parameter-shift rule.
template <class G, class Generator>
concept generates = !has_angle<typename G::angle> || requires {
    { G::generator } -> std::convertible_to<Generator>;
    { G::shift_terms } -> std::convertible_to<int>;
};

template <class G>
concept matrix_gate = shaped_gate<G> && G::shape == gate_shape::matrix && requires(const double& c) {
    { G::target } -> std::convertible_to<qubit>;
    { G::controls } -> std::convertible_to<std::uint64_t>;
    { G::flip } -> std::convertible_to<bool>;
    { G::rotation } -> std::convertible_to<bool>;
    { G::template matrix<double>(c, c) } -> std::same_as<mat2<double>>;
} && generates<G, mat2<double>>;

template <class G>
concept diagonal_gate = shaped_gate<G> && G::shape == gate_shape::diagonal && requires(const double& c) {
    { G::a } -> std::convertible_to<qubit>;
    { G::b } -> std::convertible_to<qubit>;
    { G::arity } -> std::convertible_to<unsigned>;
    { G::template matrix<double>(c, c) } -> std::same_as<diag4<double>>;
} && generates<G, std::array<double, 4>>;

template <class G>
concept swap_gate = shaped_gate<G> && G::shape == gate_shape::swap && !has_angle<typename G::angle> && requires {
    { G::a } -> std::convertible_to<qubit>;
    { G::b } -> std::convertible_to<qubit>;
};

template <class G>
concept barrier_gate = shaped_gate<G> && G::shape == gate_shape::barrier && !has_angle<typename G::angle>;

// What the kernels, the executor and the fusion planner run (a gate's column half on a density
// matrix, `conjugated`, is one too).
template <class G>
concept kernel_gate = matrix_gate<G> || diagonal_gate<G> || swap_gate<G> || barrier_gate<G>;

// What a circuit may hold: a kernel gate on at most two qubits (the router and the fusion planner
// place two) that declares its device cost and its OpenQASM spelling.
template <class G>
concept primitive_gate = kernel_gate<G> && (G::shape == gate_shape::barrier || std::popcount(G::qubits) <= 2) &&
                         requires {
                             { G::natives } -> std::convertible_to<native_count>;
                             { G::qasm } -> std::convertible_to<qasm_spelling>;
                         };

// A composite gate: a decomposition into gates (primitive or composite) written in its own qubits
// and angle sources (a param<K> in a part counts from the enclosing circuit's first parameter).
template <class G>
concept composite_gate = requires { typename G::decomposition; } && detail::is_gate_sequence<typename G::decomposition>;

template <class G>
concept gate = primitive_gate<G> || composite_gate<G>;

namespace detail {
template <class G>
struct expansion {
    using type = gate_sequence<G>;
};
template <class Sequence>
struct sequence_expansion;
template <class... Gs>
struct sequence_expansion<gate_sequence<Gs...>> {
    using type = join_t<typename expansion<Gs>::type...>;
};
template <composite_gate G>
struct expansion<G> : sequence_expansion<typename G::decomposition> {};
} // namespace detail

// The primitive gates that gate G runs as, in order: G itself, or its decomposition expanded.
template <class G>
using primitives_of = typename detail::expansion<G>::type;

namespace detail {
template <class... Ps>
constexpr native_count natives_sum(gate_sequence<Ps...>) {
    return (native_count{} + ... + Ps::natives);
}
} // namespace detail

// The native gates gate G costs on a device: its declaration, or its parts' sum.
template <gate G>
constexpr native_count natives_of() {
    if constexpr (primitive_gate<G>) return G::natives;
    else return detail::natives_sum(primitives_of<G>{});
}

namespace detail {
// X on the target (X, CNOT): a permutation of amplitudes.
template <class G>
inline constexpr bool is_flip = [] {
    if constexpr (matrix_gate<G>) return bool(G::flip);
    else return false;
}();
// RY: the real matrix (c, -s; s, c).
template <class G>
inline constexpr bool is_rotation = [] {
    if constexpr (matrix_gate<G>) return bool(G::rotation);
    else return false;
}();

// A circuit's gate, checked with a sentence for each part of the contract it misses; the
// compiler names G in the instantiation.
template <class G>
consteval bool check_gate();
template <class... Parts>
consteval bool check_parts(gate_sequence<Parts...>) {
    return (check_gate<Parts>() && ...);
}
template <class G>
consteval bool check_gate() {
    if constexpr (requires { typename G::decomposition; }) {
        static_assert(is_gate_sequence<typename G::decomposition>,
                      "qhybrid: a composite gate's decomposition is a gate_sequence<...> of gates");
        if constexpr (is_gate_sequence<typename G::decomposition>) return check_parts(typename G::decomposition{});
        else return false;
    } else {
        static_assert(shaped_gate<G>, "qhybrid: a gate has `shape`, `qubits`, `real_matrix` and an `angle` source "
                                      "(see quantum/gate_contract.hpp), or is a composite with a `decomposition`");
        static_assert(kernel_gate<G>, "qhybrid: a gate has the members of its shape (gate_contract.hpp: matrix_gate, "
                                      "diagonal_gate, swap_gate, barrier_gate), with a generator if it has an angle");
        static_assert(G::shape == gate_shape::barrier || std::popcount(G::qubits) <= 2,
                      "qhybrid: a primitive gate acts on at most two qubits (a composite may span more)");
        static_assert(requires { { G::natives } -> std::convertible_to<native_count>; },
                      "qhybrid: a gate declares the native gates it costs on a device: "
                      "static constexpr native_count natives");
        static_assert(requires { { G::qasm } -> std::convertible_to<qasm_spelling>; },
                      "qhybrid: a gate declares its OpenQASM spelling: static constexpr qasm_spelling qasm");
        return true;
    }
}
} // namespace detail

} // namespace qhybrid::quantum
