#pragma once
// An independent dense reference for the tests: gates as full 2^N x 2^N complex matrices built
// by Kronecker products from their textbook definitions, states as plain vectors. Slow and
// obviously right; shares no code with the library's kernels.
#include <complex>
#include <cstddef>
#include <cmath>
#include <vector>

namespace dense {

using cplx = std::complex<double>;
using vec = std::vector<cplx>;

struct mat {
    std::size_t n = 0; // rows = cols
    std::vector<cplx> a;
    explicit mat(std::size_t dim = 0) : n(dim), a(dim * dim) {}
    cplx& operator()(std::size_t r, std::size_t c) { return a[r * n + c]; }
    const cplx& operator()(std::size_t r, std::size_t c) const { return a[r * n + c]; }
};

inline mat m2(cplx a, cplx b, cplx c, cplx d) {
    mat m(2);
    m(0, 0) = a, m(0, 1) = b, m(1, 0) = c, m(1, 1) = d;
    return m;
}

inline mat identity(std::size_t dim) {
    mat m(dim);
    for (std::size_t i = 0; i < dim; ++i) m(i, i) = 1;
    return m;
}

inline mat kron(const mat& x, const mat& y) {
    mat m(x.n * y.n);
    for (std::size_t i = 0; i < x.n; ++i)
        for (std::size_t j = 0; j < x.n; ++j)
            for (std::size_t k = 0; k < y.n; ++k)
                for (std::size_t l = 0; l < y.n; ++l) m(i * y.n + k, j * y.n + l) = x(i, j) * y(k, l);
    return m;
}

inline mat operator*(const mat& x, const mat& y) {
    mat m(x.n);
    for (std::size_t i = 0; i < x.n; ++i)
        for (std::size_t k = 0; k < x.n; ++k)
            for (std::size_t j = 0; j < x.n; ++j) m(i, j) += x(i, k) * y(k, j);
    return m;
}
inline mat operator+(mat x, const mat& y) {
    for (std::size_t i = 0; i < x.a.size(); ++i) x.a[i] += y.a[i];
    return x;
}
inline mat operator*(cplx s, mat x) {
    for (auto& v : x.a) v *= s;
    return x;
}
inline vec operator*(const mat& x, const vec& v) {
    vec r(x.n);
    for (std::size_t i = 0; i < x.n; ++i)
        for (std::size_t j = 0; j < x.n; ++j) r[i] += x(i, j) * v[j];
    return r;
}

// Single-qubit matrices, as textbooks and Qiskit define them.
inline const cplx I1{0, 1};
inline mat id2() { return identity(2); }
inline mat X() { return m2(0, 1, 1, 0); }
inline mat Y() { return m2(0, -I1, I1, 0); }
inline mat Z() { return m2(1, 0, 0, -1); }
inline mat H() { return (1 / std::sqrt(2.0)) * m2(1, 1, 1, -1); }
inline mat S() { return m2(1, 0, 0, I1); }
inline mat T() { return m2(1, 0, 0, std::exp(I1 * (M_PI / 4))); }
inline mat P0() { return m2(1, 0, 0, 0); }
inline mat P1() { return m2(0, 0, 0, 1); }
inline mat RX(double t) { return m2(std::cos(t / 2), -I1 * std::sin(t / 2), -I1 * std::sin(t / 2), std::cos(t / 2)); }
inline mat RY(double t) { return m2(std::cos(t / 2), -std::sin(t / 2), std::sin(t / 2), std::cos(t / 2)); }
inline mat RZ(double t) { return m2(std::exp(-I1 * (t / 2)), 0, 0, std::exp(I1 * (t / 2))); }
inline mat P(double t) { return m2(1, 0, 0, std::exp(I1 * t)); }
inline mat Sdg() { return m2(1, 0, 0, -I1); }
inline mat Tdg() { return m2(1, 0, 0, std::exp(-I1 * (M_PI / 4))); }
inline mat SX() { return 0.5 * m2(cplx(1, 1), cplx(1, -1), cplx(1, -1), cplx(1, 1)); }
inline mat SXdg() { return 0.5 * m2(cplx(1, -1), cplx(1, 1), cplx(1, 1), cplx(1, -1)); }
// Qiskit's U3Gate (= UGate).
inline mat U3(double t, double p, double l) {
    return m2(std::cos(t / 2), -std::exp(I1 * l) * std::sin(t / 2), std::exp(I1 * p) * std::sin(t / 2),
              std::exp(I1 * (p + l)) * std::cos(t / 2));
}

// The N-qubit operator with `ops[q]` on qubit q (identity where absent). Qubit 0 is the least
// significant bit of a basis index, so it is the rightmost Kronecker factor.
struct on {
    std::size_t q;
    mat m;
};
inline mat embed(std::size_t n, std::vector<on> ops) {
    mat u = identity(1);
    for (std::size_t q = n; q-- > 0;) {
        mat f = id2();
        for (auto& o : ops)
            if (o.q == q) f = o.m;
        u = kron(u, f);
    }
    return u;
}

// The N-qubit operator of the k-qubit matrix m on `qubits`: bit j of m's index is qubits[j]
// (Qiskit's order: the first qubit is the least significant).
inline mat on_qubits(std::size_t n, const mat& m, const std::vector<std::size_t>& qubits) {
    const std::size_t dim = std::size_t{1} << n, k = qubits.size();
    mat u(dim);
    for (std::size_t row = 0; row < dim; ++row) {
        std::size_t m_row = 0, rest = row;
        for (std::size_t j = 0; j < k; ++j) {
            m_row |= ((row >> qubits[j]) & 1) << j;
            rest &= ~(std::size_t{1} << qubits[j]);
        }
        for (std::size_t m_col = 0; m_col < (std::size_t{1} << k); ++m_col) {
            std::size_t col = rest;
            for (std::size_t j = 0; j < k; ++j) col |= ((m_col >> j) & 1) << qubits[j];
            u(row, col) = m(m_row, m_col);
        }
    }
    return u;
}

inline mat controlled(std::size_t n, std::size_t c, std::size_t t, const mat& m) {
    return embed(n, {{c, P0()}}) + embed(n, {{c, P1()}, {t, m}});
}
inline mat swap(std::size_t n, std::size_t a, std::size_t b) {
    return 0.5 * (identity(std::size_t{1} << n) + embed(n, {{a, X()}, {b, X()}}) + embed(n, {{a, Y()}, {b, Y()}}) +
                  embed(n, {{a, Z()}, {b, Z()}}));
}
// exp(-i t/2 P_a P_b) for Paulis P.
inline mat pauli_rotation(std::size_t n, std::size_t a, std::size_t b, const mat& p, double t) {
    return std::cos(t / 2) * identity(std::size_t{1} << n) + (-I1 * std::sin(t / 2)) * embed(n, {{a, p}, {b, p}});
}
// Qiskit's iSwapGate and ECRGate on (a, b), a = Qiskit's first qubit (the index's low bit).
inline mat iswap(std::size_t n, std::size_t a, std::size_t b) {
    mat m(4);
    m(0, 0) = 1, m(1, 2) = I1, m(2, 1) = I1, m(3, 3) = 1;
    return on_qubits(n, m, {a, b});
}
inline mat ecr(std::size_t n, std::size_t a, std::size_t b) {
    mat m(4);
    const double r = 1 / std::sqrt(2.0);
    m(0, 1) = r, m(0, 3) = I1 * r, m(1, 0) = r, m(1, 2) = -I1 * r;
    m(2, 1) = I1 * r, m(2, 3) = r, m(3, 0) = -I1 * r, m(3, 2) = r;
    return on_qubits(n, m, {a, b});
}
// Toffoli: X on t where c1 and c2 are 1.
inline mat ccx(std::size_t n, std::size_t c1, std::size_t c2, std::size_t t) {
    mat m = identity(8);
    m(3, 3) = m(7, 7) = 0, m(3, 7) = m(7, 3) = 1;
    return on_qubits(n, m, {c1, c2, t});
}
inline mat rzz(std::size_t n, std::size_t a, std::size_t b, double t) { // exp(-i t/2 Z_a Z_b)
    return std::cos(t / 2) * identity(std::size_t{1} << n) + (-I1 * std::sin(t / 2)) * embed(n, {{a, Z()}, {b, Z()}});
}

} // namespace dense
