// SPDX-License-Identifier: Apache-2.0
#pragma once
// OpenQASM export: a circuit with its parameters and inputs bound, as OpenQASM 2.0 or 3.0 text,
// so that a trained circuit runs on Qiskit or on a provider's hardware.
//
// Usage:
//   const std::string text = to_qasm(my_circuit{}, params, inputs);            // 3.0
//   const std::string old = to_qasm(my_circuit{}, params, inputs, qasm_version::v2);
//
// Each gate is written under its name in the version's library (gates.hpp's `qasm` member):
// stdgates.inc for 3.0, Qiskit's qelib1.inc for 2.0 (a superset of the 2.0 paper's: sx, crx,
// cry, rzz, ...). A gate the library lacks gets a `gate` definition before the first statement.
// Angles are written as the shortest decimal that reads back to the same double. 3.0 text is
// exact; 2.0 has no global phase, and its rz and U differ from Qiskit's matrices by one, which no
// measurement sees.
#include "qhybrid/core/error.hpp"
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/executor_context.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qhybrid::quantum {

enum class qasm_version { v2, v3 };

namespace detail {

// The values the angle sources read.
struct qasm_values {
    std::span<const double> params, inputs;
    double param(std::size_t k) const noexcept { return params[k]; }
    double input(std::size_t i) const noexcept { return inputs[i]; }
};

inline void append_number(std::string& out, double v) {
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
    out.append(buffer, end);
}

// A gate's operands in OpenQASM's order: controls, then the target; a diagonal or swap gate's
// qubits a, b; a barrier's qubits in increasing order.
template <class G>
std::vector<qubit> qasm_operands() {
    if constexpr (G::shape == gate_shape::matrix) {
        std::vector<qubit> q;
        for (std::uint64_t m = G::controls; m; m &= m - 1) q.push_back(qubit(std::countr_zero(m)));
        q.push_back(G::target);
        return q;
    } else if constexpr (G::shape == gate_shape::barrier) {
        std::vector<qubit> q;
        for (std::uint64_t m = G::qubits; m; m &= m - 1) q.push_back(qubit(std::countr_zero(m)));
        return q;
    } else if constexpr (G::shape == gate_shape::diagonal) {
        if constexpr (G::arity == 1) return {G::a};
        else return {G::a, G::b};
    } else {
        return {G::a, G::b};
    }
}

} // namespace detail

// Circuit C with `params` and `inputs` bound, as OpenQASM text; the sizes and finiteness of the
// values are checked as the executor checks them.
template <class C>
std::string to_qasm(const C&, std::span<const double> params, std::span<const double> inputs = {},
                    qasm_version version = qasm_version::v3) {
    detail::check_values(params, C::num_params, "to_qasm: parameters");
    detail::check_values(inputs, C::num_inputs, "to_qasm: inputs");
    const bool v2 = version == qasm_version::v2;
    const detail::qasm_values values{params, inputs};
    std::string definitions, body;
    std::vector<std::string_view> defined;
    C::for_each_gate([&](auto g, std::size_t first_param) {
        using G = typename decltype(g)::type;
        using A = typename G::angle;
        if constexpr (G::shape == gate_shape::barrier) {
            body += "barrier";
        } else {
            const std::string_view definition = v2 ? G::qasm.v2_definition : G::qasm.v3_definition;
            if (!definition.empty() && std::find(defined.begin(), defined.end(), definition) == defined.end()) {
                defined.push_back(definition);
                (definitions += definition) += '\n';
            }
            body += v2 ? G::qasm.v2 : G::qasm.v3;
            if constexpr (has_angle<A>) {
                body += '(';
                detail::append_number(body, A::template value<double>(values, first_param));
                body += ')';
            }
        }
        const auto operands = detail::qasm_operands<G>();
        for (std::size_t k = 0; k < operands.size(); ++k) ((body += k ? ", q[" : " q[") += std::to_string(operands[k])) += ']';
        body += ";\n";
    });
    const std::string n = std::to_string(C::num_qubits);
    std::string out = v2 ? "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n" : "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n";
    out += definitions;
    out += v2 ? "qreg q[" + n + "];\n" : "qubit[" + n + "] q;\n";
    return out + body;
}

} // namespace qhybrid::quantum
