#!/usr/bin/python3
"""Writes tests/reference/device_reference.csv, the oracle values test_device reads.

Run with Debian's interpreter (python3-numpy):
    /usr/bin/python3 tests/reference/make_device_reference.py [data folder]
The data folder is the one holding ibm-backends/ (default: $QHYBRID_DATA, else ../shared/data
beside the repository), as for the tests.

The oracle is Qiskit Aer's device noise model as its source states it
(qiskit_aer/noise/device/models.py, basic_device_gate_errors, and
qiskit_aer/noise/errors/standard_errors.py), rebuilt here in numpy from the calibration JSON; it
shares no code or formula text with qhybrid. Per native instruction (name, qubits in order), the
noise is a depolarizing error followed by thermal relaxation of each qubit for the gate's length:
  - thermal_relaxation_error(T1, min(T2, 2 T1), t): for T2 > T1 Aer's Choi matrix, else its
    mixture of I, Z and reset (both branches built, and checked against each other);
  - depolarizing_error(p, n): the Pauli mixture, identity weight 1 - p (4^n - 1) / 4^n;
  - p = d (e - (1 - F)) / (d F - 1) when e > 1 - F, F the relaxation's average gate fidelity
    (from its Kraus operators: F_pro = sum |tr K|^2 / d^2, F = (d F_pro + 1) / (d + 1)),
    e clipped to d / (d + 1), p to 4^n / (4^n - 1).
An error is keyed by the instruction's qubits in order, as in Aer's NoiseModel: cx on (3, 1) gets
the calibration of cx [3, 1], not that of [1, 3].

Two modes:
  aer    the transpiled circuit, run instruction by instruction with each native's noise right
         after it (h = rz(pi/2) sx rz(pi/2), swap = cx(a, b) cx(b, a) cx(a, b), a routing SWAP
         likewise with the idle qubit simulated). The 7-qubit devices calibrate both directions of
         every coupled pair, so every cx is native.
  model  qhybrid's documented rule (docs/noise.md): each gate ideal, then the noise of its native
         gates in order; routing SWAPs charged before the gate, on the qubits where they stand;
         a native two-qubit gate in a direction the device does not calibrate (brisbane's ECR) is
         the calibrated opposite one followed by the noise of two sx on each of its qubits; a
         symmetric gate (cz, swap) oriented so that its outer natives are calibrated.
For single-CNOT circuits and injected CNOT pairs the two modes are the same sequence.

Rows: device, kind, mode, c, t, m, at0, z0, at1, z1. c and t are physical qubits: the control and
target of the circuit's CNOT (or the first and second qubit of its SWAP or CZ, or the injection's
target and idle neighbour); m is the middle of a routing path (-1 if none). z0 and z1 are <Z> on
physical qubits at0 and at1 at the end (where the circuit's two qubits are), before readout
error. Kinds:
  x_control  x(c); cx(c, t)
  x_target   x(t); cx(c, t)
  phase      x(c); h(t); cx(c, t); h(t)
  swap       x(c); swap(c, t)
  cz         x(c); h(t); cz(c, t); h(t)
  route      c - m - t a path, c and t not coupled: x(c); cnot(c -> t), the qubit on c moved to m
  route_back the same path: x(t); cnot(t -> c), the qubit on c moved to m
  inject     x(c) then z(c), each preceded by a pair of cx(c, t), t an idle neighbour in |0>
"""
import itertools
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SEVEN = ["nairobi", "lagos", "perth", "jakarta"]
TO_NS = {"ns": 1.0, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.diag([1, -1]).astype(complex)
SX = 0.5 * np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]])
H = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2)


def rz(theta):
    return np.diag([np.exp(-0.5j * theta), np.exp(0.5j * theta)])


def controlled_x():
    """CX with control = operator qubit 0, target = qubit 1 (little-endian: bit k is qubit k)."""
    m = np.zeros((4, 4), dtype=complex)
    for i in range(4):
        j = i ^ 2 if i & 1 else i
        m[j, i] = 1
    return m


CX = controlled_x()
CZ = np.diag([1, 1, 1, -1]).astype(complex)
SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=complex)


class Device:
    def __init__(self, folder):
        props = json.load(open(os.path.join(folder, "props.json")))
        conf = json.load(open(os.path.join(folder, "conf.json")))
        self.coupling = [tuple(e) for e in conf["coupling_map"]]
        self.t1, self.t2 = [], []
        for q in props["qubits"]:
            p = {x["name"]: x for x in q}
            self.t1.append(p["T1"]["value"] * TO_NS[p["T1"]["unit"]])
            self.t2.append(p["T2"]["value"] * TO_NS[p["T2"]["unit"]])
        self.gates = {}
        for g in props["gates"]:
            p = {x["name"]: x for x in g["parameters"]}
            if "gate_error" not in p:
                continue  # reset
            length = p["gate_length"]["value"] * TO_NS[p["gate_length"]["unit"] or "ns"]
            self.gates[(g["gate"], tuple(g["qubits"]))] = (p["gate_error"]["value"], length)
        self.two = {name for (name, qs) in self.gates if len(qs) == 2}.pop()

    def calibrated(self, c, t):
        return (self.two, (c, t)) in self.gates


def kron_little(ops):
    """Operators on qubits 0, 1, ... (qubit 0 the least significant bit)."""
    out = np.eye(1, dtype=complex)
    for op in ops:
        out = np.kron(op, out)
    return out


def relaxation_kraus(t1, t2, time):
    """Aer's thermal_relaxation_error (excited population 0) as Kraus operators."""
    t2 = min(t2, 2 * t1)
    p_reset = 1 - np.exp(-time / t1)
    exp_t2 = np.exp(-time / t2)

    def from_choi():
        # Choi = sum_ij |i><j| (x) E(|i><j|): block (i, j) is E(|i><j|).
        choi = np.array([[1, 0, 0, exp_t2], [0, 0, 0, 0], [0, 0, p_reset, 0], [exp_t2, 0, 0, 1 - p_reset]],
                        dtype=complex)
        w, v = np.linalg.eigh(choi)
        kraus = []
        for k in range(4):
            if w[k] > 1e-15:
                vec = np.sqrt(w[k]) * v[:, k]
                kraus.append(vec.reshape(2, 2).T)  # K[a, i] = vec[i * 2 + a]
        return kraus

    def from_mixture():
        p_z = (1 - p_reset) * (1 - np.exp(-time * (1 / t2 - 1 / t1))) / 2
        p_id = 1 - p_z - p_reset
        reset = [np.array([[1, 0], [0, 0]], dtype=complex), np.array([[0, 1], [0, 0]], dtype=complex)]
        return [np.sqrt(p_id) * I2, np.sqrt(p_z) * Z] + [np.sqrt(p_reset) * k for k in reset]

    choi_kraus = from_choi()
    if t2 <= t1:  # both forms hold: they must be the same channel
        mix = from_mixture()
        rho = np.array([[0.3, 0.2 - 0.4j], [0.2 + 0.4j, 0.7]])
        a = sum(k @ rho @ k.conj().T for k in choi_kraus)
        b = sum(k @ rho @ k.conj().T for k in mix)
        assert np.abs(a - b).max() < 1e-14, (a, b)
        return mix
    return choi_kraus


def average_fidelity(kraus, d):
    f_pro = sum(abs(np.trace(k)) ** 2 for k in kraus) / d ** 2
    return (d * f_pro + 1) / (d + 1)


def depolarizing_kraus(p, n):
    paulis = [I2, X, Y, Z]
    out = []
    for combo in itertools.product(range(4), repeat=n):
        weight = 1 - p * (4 ** n - 1) / 4 ** n if all(c == 0 for c in combo) else p / 4 ** n
        out.append(np.sqrt(weight) * kron_little([paulis[c] for c in combo]))
    return out


def native_noise(dev, name, qubits):
    """[(kraus, number of qubits)] in the order applied: depolarizing, then relaxation."""
    error, length = dev.gates[(name, tuple(qubits))]
    n, d = len(qubits), 2 ** len(qubits)
    relax = [relaxation_kraus(dev.t1[q], dev.t2[q], length) for q in qubits]
    product = [kron_little(list(ks)) for ks in itertools.product(*relax)]
    f = average_fidelity(product, d)
    steps = []
    if error > 1 - f:
        e = min(error, d / (d + 1))
        p = min(d * (e - (1 - f)) / (d * f - 1), 4 ** n / (4 ** n - 1))
        steps.append(("depolarizing", depolarizing_kraus(p, n), list(range(n))))
    for k, r in enumerate(relax):
        steps.append(("relaxation", r, [k]))
    return steps


class State:
    """A density matrix over the physical qubits `on` (simulated qubit k = on[k])."""

    def __init__(self, on):
        self.on = list(on)
        n = len(on)
        self.rho = np.zeros((2 ** n, 2 ** n), dtype=complex)
        self.rho[0, 0] = 1

    def embed(self, op, physical):
        """op (on len(physical) qubits, little-endian) acting on the simulated register."""
        n = len(self.on)
        pos = [self.on.index(p) for p in physical]
        full = np.zeros((2 ** n, 2 ** n), dtype=complex)
        for col in range(2 ** n):
            sub_in = sum(((col >> pos[k]) & 1) << k for k in range(len(pos)))
            rest = col & ~sum(1 << p for p in pos)
            for sub_out in range(2 ** len(pos)):
                amp = op[sub_out, sub_in]
                if amp != 0:
                    row = rest | sum(((sub_out >> k) & 1) << pos[k] for k in range(len(pos)))
                    full[row, col] += amp
        return full

    def gate(self, op, physical):
        u = self.embed(op, physical)
        self.rho = u @ self.rho @ u.conj().T

    def channel(self, kraus, physical):
        ks = [self.embed(k, physical) for k in kraus]
        self.rho = sum(k @ self.rho @ k.conj().T for k in ks)

    def noise(self, dev, name, qubits):
        for _, kraus, which in native_noise(dev, name, qubits):
            self.channel(kraus, [qubits[w] for w in which])

    def z(self, physical):
        zop = self.embed(Z, [physical])
        return float(np.real(np.trace(zop @ self.rho)))


def aer_h(s, dev, q):
    s.gate(rz(np.pi / 2), [q])
    s.gate(SX, [q])
    s.noise(dev, "sx", [q])
    s.gate(rz(np.pi / 2), [q])


def aer_x(s, dev, q):
    s.gate(X, [q])
    s.noise(dev, "x", [q])


def aer_cx(s, dev, c, t):
    assert dev.calibrated(c, t), (c, t)  # the transpiler only emits calibrated directions here
    s.gate(CX, [c, t])
    s.noise(dev, "cx", [c, t])


def model_native(s, dev, c, t):
    """qhybrid's charge for one native two-qubit gate from c to t (noise only)."""
    if dev.calibrated(c, t):
        s.noise(dev, dev.two, [c, t])
    else:
        s.noise(dev, dev.two, [t, c])
        for q in (c, t):
            for _ in range(2):
                s.noise(dev, "sx", [q])


def model_swap_noise(s, dev, a, b):
    if not dev.calibrated(a, b):
        a, b = b, a
    for c, t in ((a, b), (b, a), (a, b)):
        model_native(s, dev, c, t)


def run(dev, kind, mode, c, t, m):
    """The final state of one case."""
    s = State([c, t] if m < 0 else [c, m, t])
    if kind in ("x_control", "x_target", "phase"):
        if mode == "aer":
            aer_x(s, dev, c if kind != "x_target" else t)
            if kind == "phase":
                aer_h(s, dev, t)
            aer_cx(s, dev, c, t)
            if kind == "phase":
                aer_h(s, dev, t)
        else:
            s.gate(X, [c if kind != "x_target" else t])
            s.noise(dev, "x", [c if kind != "x_target" else t])
            if kind == "phase":
                s.gate(H, [t])
                s.noise(dev, "sx", [t])
            s.gate(CX, [c, t])
            model_native(s, dev, c, t)
            if kind == "phase":
                s.gate(H, [t])
                s.noise(dev, "sx", [t])
        return s
    if kind == "swap":
        aer_x(s, dev, c)
        if mode == "aer":
            for a, b in ((c, t), (t, c), (c, t)):
                aer_cx(s, dev, a, b)
        else:
            s.gate(SWAP, [c, t])
            model_swap_noise(s, dev, c, t)
        return s
    if kind == "cz":
        s.gate(X, [c])
        s.noise(dev, "x", [c])
        s.gate(H, [t])
        s.noise(dev, "sx", [t])
        s.gate(CZ, [c, t])
        a, b = (c, t) if dev.calibrated(c, t) else (t, c)
        s.noise(dev, dev.two, [a, b])  # cz = h(b) cx(a, b) h(b): two sx on b
        for _ in range(2):
            s.noise(dev, "sx", [b])
        s.gate(H, [t])
        s.noise(dev, "sx", [t])
        return s
    if kind in ("route", "route_back"):
        aer_x(s, dev, c if kind == "route" else t)
        # The qubit on c moves to m: three cx, (c, m), (m, c), (c, m), m idle in |0>.
        if mode == "aer":
            for a, b in ((c, m), (m, c), (c, m)):
                aer_cx(s, dev, a, b)
        else:
            model_swap_noise(s, dev, c, m)
            s.gate(SWAP, [c, m])
        control, target = (m, t) if kind == "route" else (t, m)
        if mode == "aer":
            aer_cx(s, dev, control, target)
        else:
            s.gate(CX, [control, target])
            model_native(s, dev, control, target)
        return s
    if kind == "inject":
        for step in ("x", "z"):
            for _ in range(2):
                if mode == "aer":
                    aer_cx(s, dev, c, t)
                else:
                    s.gate(CX, [c, t])
                    model_native(s, dev, c, t)
            if step == "x":
                aer_x(s, dev, c)
        return s
    raise ValueError(kind)


def paths(coupling):
    """Every (c, m, t): c - m - t a path of the coupling map, c and t not coupled."""
    pairs = {frozenset(e) for e in coupling}
    qubits = sorted({q for e in coupling for q in e})
    return [(c, m, t) for m in qubits for c, t in itertools.permutations(qubits, 2)
            if frozenset((c, m)) in pairs and frozenset((m, t)) in pairs and frozenset((c, t)) not in pairs]


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "QHYBRID_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data"))
    assert np.abs(rz(np.pi / 2) @ SX @ rz(np.pi / 2) * np.exp(0.25j * np.pi) - H).max() < 1e-15  # h, up to phase
    rows = []

    def add(name, dev, kind, mode, c, t, m=-1):
        s = run(dev, kind, mode, c, t, m)
        at0 = c if m < 0 else m  # a routed qubit ends on m
        rows.append(f"{name},{kind},{mode},{c},{t},{m},{at0},{s.z(at0)!r},{t},{s.z(t)!r}")

    for name in SEVEN:
        dev = Device(os.path.join(data, "ibm-backends", name))
        for c, t in dev.coupling:  # every coupled pair appears in both directions
            for kind in ("x_control", "x_target", "phase", "inject"):
                add(name, dev, kind, "aer", c, t)
            for mode in ("aer", "model"):
                add(name, dev, "swap", mode, c, t)
        for c, m, t in paths(dev.coupling):
            for kind in ("route", "route_back"):
                for mode in ("aer", "model"):
                    add(name, dev, kind, mode, c, t, m)
    brisbane = Device(os.path.join(data, "ibm-backends", "brisbane"))
    edges = brisbane.coupling[:4]  # each calibrated in one direction only
    for a, b in edges:
        for c, t in ((a, b), (b, a)):
            for kind in ("x_control", "cz", "swap", "inject"):
                add("brisbane", brisbane, kind, "model", c, t)
    for c, m, t in paths(edges):
        for kind in ("route", "route_back"):
            add("brisbane", brisbane, kind, "model", c, t, m)

    with open(os.path.join(HERE, "device_reference.csv"), "w") as f:
        f.write("device,kind,mode,c,t,m,at0,z0,at1,z1\n")
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} rows")


if __name__ == "__main__":
    main()
