// SPDX-License-Identifier: Apache-2.0
#pragma once
// A real superconducting device, read from its calibration in Qiskit's JSON formats (the folder
// of `props.json`, BackendProperties, and `conf.json`, BackendConfiguration): coupling map, T1, T2,
// readout errors, the error and length of every native gate, and the ZZ coupling of each pair.
//
// `native_gate_noise` is Qiskit Aer's device noise model for one native gate
// (qiskit_aer.noise.device.models, basic_device_gate_errors):
//   - thermal relaxation of each of the gate's qubits for the gate's length (T2 truncated to
//     2 T1, no excited-state population);
//   - a depolarizing channel of parameter p, sized so that the average gate infidelity of the
//     composition equals the reported gate_error e:
//       F_r = average gate fidelity of the relaxation = (d tr(S_r)/d^2 + 1) / (d + 1),
//       p   = d (e - (1 - F_r)) / (d F_r - 1)   if e > 1 - F_r, else 0,
//     with e clipped to d / (d + 1) and p to 4^n / (4^n - 1) (d = 2^n, n the gate's qubits).
//   Aer composes them as depolarizing, then relaxation (QuantumError.compose applies its
//   argument second); we do the same.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/json.hpp"
#include "qhybrid/quantum/channels.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qhybrid::quantum {

struct qubit_calibration {
    double t1_ns = 0, t2_ns = 0; // T2 as reported (see relaxation_t2)
    readout_error readout;
    // T2 as Aer uses it: at most 2 T1.
    double relaxation_t2() const noexcept { return std::min(t2_ns, 2 * t1_ns); }
};

struct gate_calibration {
    double error = 0, length_ns = 0;
};

// A native gate on the device's qubits, in its order (a two-qubit gate's first qubit is its
// control, or the first qubit of an ECR).
struct native_gate {
    std::string name;
    std::vector<qubit> on;
    bool operator==(const native_gate&) const = default;
};

// The channels Aer attaches to one native gate: two-qubit gates get a two-qubit depolarizing
// parameter, one-qubit gates a one-qubit one.
struct native_gate_noise {
    double depolarizing = 0;
    std::vector<qubit_channel> relaxation; // one per qubit of the gate, in its order
};

class device_model {
public:
    // Reads <folder>/props.json and <folder>/conf.json.
    static device_model load(const std::filesystem::path& folder) {
        device_model d;
        const auto props_path = folder / "props.json", conf_path = folder / "conf.json";
        const json::value props = json::parse_file(props_path), conf = json::parse_file(conf_path);
        const std::string pf = props_path.string(), cf = conf_path.string();
        d.name_ = json::string_of(json::field(conf, "backend_name", cf), cf, "backend_name");
        const auto n = json::number_of(json::field(conf, "n_qubits", cf), cf, "n_qubits");
        require(n >= 1 && n == std::floor(n) && n <= 4096, [&] { return cf + ": n_qubits is not a qubit count"; });
        d.qubits_.resize(static_cast<std::size_t>(n));
        for (const auto& pair : json::array_of(json::field(conf, "coupling_map", cf), cf, "coupling_map")) {
            require(pair.is_array() && pair.size() == 2, [&] { return cf + ": coupling_map: an entry is not a pair"; });
            d.coupling_.push_back({d.qubit_index(pair[0], cf, "coupling_map"), d.qubit_index(pair[1], cf, "coupling_map")});
        }

        const auto& qubits = json::array_of(json::field(props, "qubits", pf), pf, "qubits");
        require(qubits.size() == d.qubits_.size(), [&] {
            return pf + ": qubits: " + std::to_string(qubits.size()) + " entries for a device of " +
                   std::to_string(d.qubits_.size()) + " qubits (" + cf + ")";
        });
        for (std::size_t q = 0; q < qubits.size(); ++q) {
            const std::string where = "qubits[" + std::to_string(q) + "]";
            const auto value = [&](const char* name) { return property(json::array_of(qubits[q], pf, where), name, pf, where); };
            auto& c = d.qubits_[q];
            c.t1_ns = value("T1");
            c.t2_ns = value("T2");
            c.readout = {value("prob_meas0_prep1"), value("prob_meas1_prep0")};
            require(c.t1_ns > 0 && c.t2_ns > 0, [&] { return pf + ": " + where + ": T1 and T2 must be positive"; });
            require(c.readout.p0_given_1 >= 0 && c.readout.p0_given_1 <= 1 && c.readout.p1_given_0 >= 0 &&
                        c.readout.p1_given_0 <= 1,
                    [&] { return pf + ": " + where + ": a readout error is not a probability"; });
        }
        const auto& gates = json::array_of(json::field(props, "gates", pf), pf, "gates");
        for (std::size_t g = 0; g < gates.size(); ++g) {
            const std::string where = "gates[" + std::to_string(g) + "]";
            const std::string name = json::string_of(json::field(gates[g], "gate", pf + ": " + where), pf, where + ".gate");
            std::vector<qubit> on;
            for (const auto& q : json::array_of(json::field(gates[g], "qubits", pf + ": " + where), pf, where + ".qubits"))
                on.push_back(d.qubit_index(q, pf, where + ".qubits"));
            const auto& params = json::array_of(json::field(gates[g], "parameters", pf + ": " + where), pf, where + ".parameters");
            if (name == "reset") continue; // no gate_error: Aer adds relaxation only; we do not reset
            gate_calibration c{property(params, "gate_error", pf, where), property(params, "gate_length", pf, where)};
            require(c.error >= 0 && c.error <= 1 && c.length_ns >= 0,
                    [&] { return pf + ": " + where + " (" + name + "): gate_error or gate_length out of range"; });
            d.gates_[{name, on}] = c;
            if (on.size() == 2) d.two_qubit_gate_ = name;
        }
        require(!d.two_qubit_gate_.empty(), [&] { return pf + ": gates: no two-qubit gate"; });
        if (props.contains("general")) d.read_zz(json::array_of(props["general"], pf, "general"), pf);
        return d;
    }

    const std::string& name() const noexcept { return name_; }
    std::size_t num_qubits() const noexcept { return qubits_.size(); }
    const std::vector<std::pair<qubit, qubit>>& coupling_map() const noexcept { return coupling_; }

    const qubit_calibration& calibration(qubit q) const {
        check_qubit(q);
        return qubits_[q];
    }

    bool coupled(qubit a, qubit b) const noexcept {
        return std::any_of(coupling_.begin(), coupling_.end(), [&](const auto& e) {
            return (e.first == a && e.second == b) || (e.first == b && e.second == a);
        });
    }

    // The qubits coupled to q (either direction), in increasing order.
    std::vector<qubit> neighbours(qubit q) const {
        check_qubit(q);
        std::vector<qubit> out;
        for (const auto& [a, b] : coupling_)
            if (a == q || b == q) out.push_back(a == q ? b : a);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    // A native gate's calibration on exactly these qubits, in this order, as Aer keys its errors:
    // the two directions of a two-qubit gate are calibrated apart (both, with different lengths,
    // on the 7-qubit devices; one only for brisbane's ECR).
    const gate_calibration& gate(const std::string& name, const std::vector<qubit>& on) const {
        for (auto q : on) check_qubit(q);
        if (auto it = gates_.find({name, on}); it != gates_.end()) return it->second;
        std::string qs;
        for (auto q : on) qs += (qs.empty() ? "" : ", ") + std::to_string(q);
        fail(name_ + ": no calibration for gate " + name + " on qubits (" + qs + ")");
    }

    bool calibrated(const std::string& name, const std::vector<qubit>& on) const { return gates_.contains({name, on}); }

    // The always-on ZZ coupling of a coupled pair in Hz, as the calibration reports it (general's
    // zz_ij, the shift omega_11 - omega_10 - omega_01 + omega_00 of the pair's transition
    // frequencies, negative on most pairs); none when the calibration has no such entry.
    std::optional<double> zz_hz(qubit a, qubit b) const {
        check_qubit(a);
        check_qubit(b);
        if (auto it = zz_.find(std::minmax(a, b)); it != zz_.end()) return it->second;
        return std::nullopt;
    }

    // The native two-qubit gate: "cx" or "ecr".
    const std::string& two_qubit_gate() const noexcept { return two_qubit_gate_; }

    // The native gates that run the two-qubit gate from `control` to `target`: the native gate in
    // that direction when it is calibrated; otherwise the calibrated opposite direction turned
    // around by one sx on each qubit before it and one after (Qiskit's GateDirection pass puts
    // H (x) H around a cx, RY(-+pi/2) before and H (x) H after an ECR: one sx each), listed
    // after it.
    std::vector<native_gate> two_qubit_natives(qubit control, qubit target) const {
        if (calibrated(two_qubit_gate_, {control, target})) return {{two_qubit_gate_, {control, target}}};
        require(calibrated(two_qubit_gate_, {target, control}), [&] {
            return name_ + ": no " + two_qubit_gate_ + " calibrated between qubits " + std::to_string(control) +
                   " and " + std::to_string(target);
        });
        std::vector<native_gate> out{{two_qubit_gate_, {target, control}}};
        for (qubit q : {control, target}) out.insert(out.end(), 2, native_gate{"sx", {q}});
        return out;
    }

    // Qubits from a to b along the coupling map, both included (breadth-first: a shortest path).
    std::vector<qubit> shortest_path(qubit a, qubit b) const {
        check_qubit(a);
        check_qubit(b);
        std::vector<long> previous(qubits_.size(), -1);
        std::deque<qubit> queue{a};
        previous[a] = a;
        while (!queue.empty() && previous[b] < 0) {
            const qubit u = queue.front();
            queue.pop_front();
            for (qubit v : neighbours(u))
                if (previous[v] < 0) previous[v] = u, queue.push_back(v);
        }
        require(previous[b] >= 0, [&] {
            return name_ + ": qubits " + std::to_string(a) + " and " + std::to_string(b) + " are not connected";
        });
        std::vector<qubit> path{b};
        while (path.back() != a) path.push_back(qubit(previous[path.back()]));
        std::reverse(path.begin(), path.end());
        return path;
    }

    // Aer's noise for native gate `name` on `on`, with every error scaled by `scale` (gate error,
    // and relaxation rates 1/T1 and 1/T2; 0 = noiseless).
    native_gate_noise noise(const std::string& name, const std::vector<qubit>& on, double scale = 1) const {
        require(scale >= 0 && std::isfinite(scale), [&] { return "device noise: scale " + number(scale) + " must be >= 0"; });
        const gate_calibration& g = gate(name, on);
        native_gate_noise out;
        double trace = 1; // tr of the relaxation's superoperator (a tensor product)
        for (auto q : on) {
            const auto& c = qubits_[q];
            out.relaxation.push_back(qubit_channel::thermal_relaxation(c.t1_ns, c.relaxation_t2(), g.length_ns * scale));
            const auto& pop = out.relaxation.back().populations();
            const auto& coh = out.relaxation.back().coherences();
            trace *= pop[0] + pop[3] + coh[0] + coh[3];
        }
        const double d = double(std::size_t{1} << on.size());
        const double relax_fidelity = (trace / d + 1) / (d + 1);
        const double error = std::min(g.error * scale, d / (d + 1));
        if (error > 1 - relax_fidelity)
            out.depolarizing = std::min(d * (error - (1 - relax_fidelity)) / (d * relax_fidelity - 1), d * d / (d * d - 1));
        return out;
    }

    // Readout errors of the given qubits, scaled (probabilities times `scale`, at most 1/2).
    readout_confusion readout(const std::vector<qubit>& on, double scale = 1) const {
        std::vector<readout_error> r;
        for (auto q : on) {
            const auto& e = calibration(q).readout;
            r.push_back({std::min(0.5, e.p0_given_1 * scale), std::min(0.5, e.p1_given_0 * scale)});
        }
        return readout_confusion(std::move(r));
    }

private:
    // The value of the named entry of a list of {name, unit, value}, in ns for times.
    static double property(const json::value& list, const char* name, const std::string& file, const std::string& where) {
        for (const auto& p : list)
            if (p.is_object() && p.contains("name") && p["name"] == name) {
                const std::string at = where + "." + name;
                const double v = json::number_of(p.contains("value") ? p["value"] : json::value(), file, at);
                const std::string unit = p.contains("unit") && p["unit"].is_string() ? p["unit"].get<std::string>() : "";
                static const std::map<std::string, double> to_ns{{"", 1}, {"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}};
                const auto scale = to_ns.find(unit);
                require(scale != to_ns.end(), [&] { return file + ": " + at + ": unknown unit \"" + unit + "\""; });
                return v * scale->second;
            }
        fail(file + ": " + where + ": missing " + name);
    }
    // general's zz_ij entries. The name runs the two qubit numbers together (brisbane's zz_6272 is
    // the pair 62, 72): the split that names a coupled pair is the one meant, and a name with none or
    // two such splits is refused.
    void read_zz(const json::value& general, const std::string& file) {
        for (std::size_t k = 0; k < general.size(); ++k) {
            const auto& entry = general[k];
            if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
            const std::string name = entry["name"].get<std::string>(), where = "general[" + std::to_string(k) + "] (" + name + ")";
            if (name.size() < 5 || name.compare(0, 3, "zz_") != 0) continue;
            const std::string digits = name.substr(3);
            std::optional<std::pair<qubit, qubit>> pair;
            for (std::size_t cut = 1; cut < digits.size(); ++cut) {
                const std::string left = digits.substr(0, cut), right = digits.substr(cut);
                const auto index = [&](const std::string& d) -> std::optional<qubit> {
                    if (d.size() > 6 || (d.size() > 1 && d[0] == '0') ||
                        !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }))
                        return std::nullopt;
                    const qubit q = std::stoul(d);
                    return q < qubits_.size() ? std::optional<qubit>(q) : std::nullopt;
                };
                const auto a = index(left), b = index(right);
                if (!a || !b || *a == *b || !coupled(*a, *b)) continue;
                require(!pair, [&] { return file + ": " + where + ": the name fits more than one coupled pair"; });
                pair = std::minmax(*a, *b);
            }
            require(pair.has_value(), [&] { return file + ": " + where + ": the name is not zz_ followed by a coupled pair"; });
            const double ghz = json::number_of(entry.contains("value") ? entry["value"] : json::value(), file, where + ".value");
            const std::string unit = entry.contains("unit") && entry["unit"].is_string() ? entry["unit"].get<std::string>() : "";
            static const std::map<std::string, double> to_hz{{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
            const auto scale = to_hz.find(unit);
            require(scale != to_hz.end(), [&] { return file + ": " + where + ": unknown unit \"" + unit + "\""; });
            const double hz = ghz * scale->second;
            require(std::abs(hz) < 1e9, [&] { return file + ": " + where + ": a ZZ coupling of " + number(hz) + " Hz is not a coupling"; });
            zz_[*pair] = hz;
        }
    }
    qubit qubit_index(const json::value& j, const std::string& file, const std::string& where) const {
        const double v = json::number_of(j, file, where);
        require(v >= 0 && v == std::floor(v) && v < double(qubits_.size()), [&] {
            return file + ": " + where + ": qubit " + j.dump() + " is not one of the device's " +
                   std::to_string(qubits_.size()) + " qubits";
        });
        return qubit(v);
    }
    void check_qubit(qubit q) const {
        require(q < qubits_.size(), [&] {
            return name_ + ": qubit " + std::to_string(q) + " out of range (" + std::to_string(qubits_.size()) + " qubits)";
        });
    }

    std::string name_, two_qubit_gate_;
    std::vector<qubit_calibration> qubits_;
    std::vector<std::pair<qubit, qubit>> coupling_;
    std::map<std::pair<std::string, std::vector<qubit>>, gate_calibration> gates_;
    std::map<std::pair<qubit, qubit>, double> zz_; // (smaller, larger) qubit
};

} // namespace qhybrid::quantum
