#pragma once
// A small OpenQASM reader for the tests of quantum/qasm.hpp: it runs the subset the exporter writes
// (a register, `gate` definitions with parameters, gate calls with angle expressions, barriers and
// gphase) into a dense unitary. The gates of each version's standard library are the dense
// reference's textbook matrices (Qiskit's definitions), and only the names that library declares
// are known: a gate the exporter calls without defining it, where the library lacks it, fails.
#include "dense.hpp"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qasm_reader {

// OpenQASM 2.0's qelib1.inc as Qiskit ships it, and OpenQASM 3.0's stdgates.inc.
inline const std::set<std::string> qelib1{"u3",  "u2",  "u1",  "cx",  "id",  "u0",   "u",    "p",   "x",   "y",
                                          "z",   "h",   "s",   "sdg", "t",   "tdg",  "rx",   "ry",  "rz",  "sx",
                                          "sxdg", "cz", "cy",  "swap", "ch", "ccx",  "cswap", "crx", "cry", "crz",
                                          "cu1", "cp",  "cu3", "csx", "cu",  "rxx",  "rzz",  "rccx", "rc3x", "c3x",
                                          "c3sqrtx", "c4x"};
inline const std::set<std::string> stdgates{"p",   "x",   "y",   "z",   "h",    "s",  "sdg", "t",  "tdg",   "sx",
                                            "rx",  "ry",  "rz",  "cx",  "cy",   "cz", "cp",  "crx", "cry", "crz",
                                            "ch",  "swap", "ccx", "cswap", "cu", "CX", "phase", "cphase", "id",
                                            "u1",  "u2",  "u3"};

// The matrix of a library gate on its operands (operand j is bit j of the matrix index).
inline dense::mat library_gate(const std::string& name, const std::vector<double>& a) {
    using namespace dense;
    const auto need = [&](std::size_t k) {
        if (a.size() != k) throw std::runtime_error("qasm reader: " + name + " takes " + std::to_string(k) + " angles");
    };
    const auto ctrl = [](const mat& m) { return controlled(2, 0, 1, m); };
    if (name == "h") return need(0), H();
    if (name == "x") return need(0), X();
    if (name == "y") return need(0), Y();
    if (name == "z") return need(0), Z();
    if (name == "s") return need(0), S();
    if (name == "sdg") return need(0), Sdg();
    if (name == "t") return need(0), T();
    if (name == "tdg") return need(0), Tdg();
    if (name == "sx") return need(0), SX();
    if (name == "sxdg") return need(0), SXdg();
    if (name == "rx") return need(1), RX(a[0]);
    if (name == "ry") return need(1), RY(a[0]);
    if (name == "rz") return need(1), RZ(a[0]);
    if (name == "p" || name == "u1" || name == "phase") return need(1), P(a[0]);
    if (name == "u3" || name == "U") return need(3), U3(a[0], a[1], a[2]);
    if (name == "cx" || name == "CX") return need(0), ctrl(X());
    if (name == "cy") return need(0), ctrl(Y());
    if (name == "cz") return need(0), ctrl(Z());
    if (name == "crx") return need(1), ctrl(RX(a[0]));
    if (name == "cry") return need(1), ctrl(RY(a[0]));
    if (name == "crz") return need(1), ctrl(RZ(a[0]));
    if (name == "cp" || name == "cu1" || name == "cphase") return need(1), ctrl(P(a[0]));
    if (name == "cu3") return need(3), ctrl(U3(a[0], a[1], a[2]));
    if (name == "swap") return need(0), dense::swap(2, 0, 1);
    if (name == "rzz") return need(1), dense::rzz(2, 0, 1, a[0]);
    if (name == "rxx") return need(1), pauli_rotation(2, 0, 1, X(), a[0]);
    if (name == "ccx") return need(0), dense::ccx(3, 0, 1, 2);
    throw std::runtime_error("qasm reader: no matrix for library gate " + name);
}

// Left-multiplies the unitary u by the gate m on `operands`.
inline void apply(dense::mat& u, const dense::mat& m, const std::vector<std::size_t>& operands) {
    u = dense::on_qubits(std::size_t(std::countr_zero(u.n)), m, operands) * u;
}

class reader {
public:
    // The unitary of the program `text`.
    static dense::mat run(const std::string& text) {
        reader r(text);
        return r.program();
    }

private:
    struct definition {
        std::vector<std::string> params, args;
        std::size_t body = 0; // token index after '{'
    };

    explicit reader(const std::string& text) {
        for (std::size_t i = 0; i < text.size();) {
            const char c = text[i];
            if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
            if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') { i = text.find('\n', i); if (i == std::string::npos) break; continue; }
            std::size_t j = i + 1;
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
            } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
                while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' ||
                                           ((text[j] == '-' || text[j] == '+') && (text[j - 1] == 'e' || text[j - 1] == 'E'))))
                    ++j;
            } else if (c == '"') {
                j = text.find('"', i + 1) + 1;
            }
            tokens_.push_back(text.substr(i, j - i));
            i = j;
        }
        tokens_.push_back(""); // end
    }

    const std::string& peek() const { return tokens_[pos_]; }
    std::string next() { return tokens_[pos_++]; }
    void expect(const std::string& t) {
        if (next() != t) throw std::runtime_error("qasm reader: expected '" + t + "' before token " + std::to_string(pos_));
    }

    dense::mat program() {
        expect("OPENQASM");
        const std::string version = next();
        expect(";");
        library_ = version == "2.0" ? &qelib1 : &stdgates;
        std::size_t n = 0;
        while (!peek().empty()) {
            const std::string t = next();
            if (t == "include") {
                const std::string file = next();
                if (file != (version == "2.0" ? "\"qelib1.inc\"" : "\"stdgates.inc\"")) throw std::runtime_error("qasm reader: include " + file);
                expect(";");
            } else if (t == "qreg") { // qreg q[N];
                expect("q"), expect("[");
                n = std::stoul(next());
                expect("]"), expect(";");
                u_ = dense::identity(std::size_t{1} << n);
            } else if (t == "qubit") { // qubit[N] q;
                expect("[");
                n = std::stoul(next());
                expect("]"), expect("q"), expect(";");
                u_ = dense::identity(std::size_t{1} << n);
            } else if (t == "gate") {
                define();
            } else {
                statement(t, {}, {});
            }
        }
        return u_;
    }

    void define() {
        const std::string name = next();
        if (library_->count(name) || definitions_.count(name)) throw std::runtime_error("qasm reader: " + name + " defined twice");
        definition d;
        if (peek() == "(") {
            next();
            while (peek() != ")") {
                d.params.push_back(next());
                if (peek() == ",") next();
            }
            next();
        }
        while (peek() != "{") {
            d.args.push_back(next());
            if (peek() == ",") next();
        }
        next();
        d.body = pos_;
        for (int depth = 1; depth > 0;) {
            const std::string t = next();
            if (t.empty()) throw std::runtime_error("qasm reader: unterminated gate " + name);
            depth += t == "{" ? 1 : t == "}" ? -1 : 0;
        }
        definitions_[name] = d;
    }

    // One statement starting with token `name`; inside a definition, `values` binds its
    // parameters and `qubits` its arguments.
    void statement(const std::string& name, const std::map<std::string, double>& values,
                   const std::map<std::string, std::size_t>& qubits) {
        std::vector<double> angles;
        if (peek() == "(") {
            next();
            while (peek() != ")") {
                angles.push_back(expression(values));
                if (peek() == ",") next();
            }
            next();
        }
        std::vector<std::size_t> operands;
        while (peek() != ";") {
            const std::string t = next();
            if (t == ",") continue;
            if (t == "q") {
                expect("[");
                operands.push_back(std::stoul(next()));
                expect("]");
            } else {
                operands.push_back(qubits.at(t));
            }
        }
        next();
        if (name == "barrier") return;
        if (name == "gphase") {
            u_ = std::exp(dense::I1 * angles.at(0)) * u_;
            return;
        }
        if (auto d = definitions_.find(name); d != definitions_.end()) {
            const definition& def = d->second;
            if (angles.size() != def.params.size() || operands.size() != def.args.size())
                throw std::runtime_error("qasm reader: wrong call of " + name);
            std::map<std::string, double> inner_values;
            std::map<std::string, std::size_t> inner_qubits;
            for (std::size_t k = 0; k < angles.size(); ++k) inner_values[def.params[k]] = angles[k];
            for (std::size_t k = 0; k < operands.size(); ++k) inner_qubits[def.args[k]] = operands[k];
            const std::size_t resume = pos_;
            pos_ = def.body;
            while (peek() != "}") statement(next(), inner_values, inner_qubits);
            pos_ = resume;
            return;
        }
        if (!library_->count(name)) throw std::runtime_error("qasm reader: gate " + name + " is neither defined nor in the library");
        apply(u_, library_gate(name, angles), operands);
    }

    double expression(const std::map<std::string, double>& v) {
        double x = term(v);
        while (peek() == "+" || peek() == "-") x = next() == "+" ? x + term(v) : x - term(v);
        return x;
    }
    double term(const std::map<std::string, double>& v) {
        double x = unary(v);
        while (peek() == "*" || peek() == "/") x = next() == "*" ? x * unary(v) : x / unary(v);
        return x;
    }
    double unary(const std::map<std::string, double>& v) {
        if (peek() == "-") return next(), -unary(v);
        const std::string t = next();
        if (t == "(") {
            const double x = expression(v);
            expect(")");
            return x;
        }
        if (t == "pi") return M_PI;
        if (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '.') return std::stod(t);
        return v.at(t);
    }

    std::vector<std::string> tokens_;
    std::size_t pos_ = 0;
    const std::set<std::string>* library_ = nullptr;
    std::map<std::string, definition> definitions_;
    dense::mat u_;
};

} // namespace qasm_reader
