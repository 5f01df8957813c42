// QNAD (Kundu et al., HOST 2024), reconstructed (robust/qnad.hpp, quantum/weight_readout.hpp,
// docs/qnad.md): LeNet-5 on MNIST with its loss-critical weights read through a real device's noise
// and injected crosstalk, judged first as the paper judges it, then by an evaluation that adapts.
//
// Per seed: the split of mnist_splits.hpp (7,200 / 800 / 2,000 of MNIST's test split; the paper
// trains on 60,000), LeNet-5 trained with Adam 1e-3, batch 128, early stopping (patience 5), the
// loss-critical weights ranked by |dL/dw| on the first --select-rows training digits. Then:
// 1. The paper's evaluation: FGSM and PGD (L-inf epsilon 0.3, the paper's, and 0.1; PGD 40 steps
//    of epsilon / 30 from a random start) made on the plain network, which is what "accuracy under attack" of a network whose
//    trained weights the attacker has can mean when the device adds noise only at inference; judged
//    by the plain network and by QNAD for each share k of critical weights in three settings that
//    split the effect: the shots alone (a perfect device), the device's own noise (no injection),
//    the device with --pairs injected CNOT pairs. Every setting reads the other weights exactly.
//    "gain" is the accuracy over the plain network's, per seed (the paper's relative improvement,
//    accuracy / plain accuracy - 1, is undefined where the plain network has none left).
// 2. The adaptive evaluation of the strongest setting (largest k and pairs) on the first --adaptive
//    test digits at each epsilon: FGSM and PGD with EOT over the device's draws, AutoAttack's rand
//    suite (APGD-CE and APGD-DLR with EOT), Square with EOT (--square-eot), the fixed-noise control (PGD against
//    one frozen draw, judged by fresh ones), the transfer from the plain network; and APGD-CE's
//    epsilon sweep with EOT. The plain network meets FGSM, PGD and AutoAttack's standard suite on the
//    same digits: the yardstick.
//
//   qnad [--data DIR] [--seeds S] [--first-seed F] [--device nairobi] [--fractions 0.1 1 5 10] [--pairs 1 3]
//        [--eps 0.1 0.3] [--shots 1024] [--epochs E] [--train-rows N] [--select-rows N] [--attacked N] [--adaptive N] [--eot 20]
//        [--steps 100] [--queries 5000] [--square-eot 5] [--out DIR]
#include "mnist_splits.hpp"

#include <qhybrid/qhybrid.hpp>
#include <qhybrid/quantum/device.hpp>
#include <qhybrid/robust/qnad.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <numeric>

namespace d = qhybrid::data;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;
namespace rb = qhybrid::robust;
namespace st = qhybrid::stats;
using namespace mnist_splits;

namespace {

constexpr std::size_t classes = 10;

struct settings {
    std::size_t seeds = 5, first_seed = 1, epochs = 30, train_rows = 0, select_rows = 2000, attacked = 1000, adaptive = 100, eot = 20;
    std::size_t steps = 100, queries = 5000, square_eot = 5; // the adaptive evaluation's APGD and Square
    std::uint64_t shots = 1024;
    std::string device = "nairobi";
    std::vector<double> fractions{0.1, 1, 5, 10}; // percent
    std::vector<unsigned> pairs{1, 3};
    std::vector<double> eps{0.1, 0.3}; // both evaluations; the sweep after the last
};

// A QNAD setting: how the selected weights are read.
struct setting {
    std::string name;
    q::readout_options readout;
};

std::vector<setting> settings_of(const settings& o) {
    std::vector<setting> out{{"shots only", {.noise_scale = 0, .zz_scale = 0}}, {"device", {}}};
    for (unsigned p : o.pairs) out.push_back({"device + " + std::to_string(p) + (p == 1 ? " pair" : " pairs"), {.pairs = p}});
    return out;
}

// Accuracy of a (random) model on rows, in batches of 250, each batch one draw.
template <class M>
double accuracy(M& model, const nn::tensor<double>& x, std::span<const std::size_t> y, std::uint64_t seed) {
    std::size_t right = 0;
    for (const std::span<const std::size_t> rows : d::minibatches(y.size(), 250)) {
        qhybrid::rng gen = qhybrid::rng::stream(seed, rows.front());
        const auto predicted = nn::argmax_rows(model.logits(nn::gather_rows(x, rows), gen));
        for (std::size_t i = 0; i < rows.size(); ++i) right += predicted[i] == y[rows[i]];
    }
    return double(right) / double(y.size());
}

nn::labelled<double> first_rows(const nn::labelled<double>& set, std::size_t n) {
    std::vector<std::size_t> rows(std::min(n, set.size()));
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    return nn::subset(set, rows);
}

// The plain network under FGSM, PGD and AutoAttack's standard suite at one budget (the yardstick of
// the adaptive evaluation); returns the worst-case robust accuracy.
double plain_worst(rb::network<double>& plain, const nn::labelled<double>& digits, const settings& o, std::uint64_t seed, double eps) {
    const rb::threat t{.epsilon = eps, .lo = 0, .hi = 1};
    std::vector<rb::attack_entry<double>> attacks{
        {"FGSM", rb::attack_kind::single_step, [&, t](const auto& x, auto y) { return rb::fgsm(plain, x, y, {.t = t, .seed = seed}); }},
        {"PGD", rb::attack_kind::iterative,
         [&, t](const auto& x, auto y) { return rb::pgd(plain, x, y, {.t = t, .steps = 40, .step_size = eps / 30, .seed = seed}); }},
    };
    for (auto& a : rb::autoattack_standard(plain, classes, {.t = t, .seed = seed, .steps = o.steps, .queries = o.queries}))
        attacks.push_back(std::move(a));
    const auto rep = rb::evaluate_robustness(plain, digits.x, digits.y, attacks);
    std::printf("\nseed %llu, LeNet-5 under the same budget, epsilon %s:\n%s", static_cast<unsigned long long>(seed),
                qhybrid::significant(eps, 3).c_str(), rep.markdown().c_str());
    return rep.worst_case_accuracy;
}

// The adaptive evaluation of one QNAD model at one budget; returns the worst-case robust accuracy.
double adaptive(rb::qnad_network<double>& model, rb::network<double>& plain, const nn::labelled<double>& digits, const settings& o,
                std::uint64_t seed, double eps) {
    const rb::threat t{.epsilon = eps, .lo = 0, .hi = 1};
    rb::frozen<rb::qnad_network<double>> one_draw(model, seed);
    std::vector<rb::attack_entry<double>> attacks{
        {"FGSM, EOT-" + std::to_string(o.eot), rb::attack_kind::single_step,
         [&, t](const auto& x, auto y) { return rb::fgsm(model, x, y, {.t = t, .eot = o.eot, .seed = seed}); }},
        {"PGD, EOT-" + std::to_string(o.eot), rb::attack_kind::iterative,
         [&, t](const auto& x, auto y) { return rb::pgd(model, x, y, {.t = t, .steps = 40, .step_size = eps / 30, .eot = o.eot, .seed = seed}); }},
        {"PGD on one frozen draw, judged by fresh draws", rb::attack_kind::transfer, [&, t](const auto& x, auto y) {
             const auto made = rb::pgd(one_draw, x, y, {.t = t, .steps = 40, .step_size = eps / 30, .seed = seed});
             return rb::transfer(model, x, y, made, {.eot = o.eot, .seed = seed});
         }},
        {"PGD on the plain network, transferred", rb::attack_kind::transfer, [&, t](const auto& x, auto y) {
             model.restore(); // the plain network is the same one, holding QNAD's last draw
             const auto made = rb::pgd(plain, x, y, {.t = t, .steps = 40, .step_size = eps / 30, .seed = seed});
             return rb::transfer(model, x, y, made, {.eot = o.eot, .seed = seed});
         }},
    };
    for (auto& a : rb::autoattack_rand(model, classes, {.t = t, .seed = seed, .steps = o.steps, .queries = o.queries, .eot = o.eot}))
        attacks.push_back(std::move(a));
    attacks.push_back({"Square, EOT-" + std::to_string(o.square_eot), rb::attack_kind::black_box, [&, t](const auto& x, auto y) {
                           return rb::square(model, x, y, {.t = t, .queries = o.queries, .eot = o.square_eot, .seed = seed});
                       }});
    const auto rep = rb::evaluate_robustness(model, digits.x, digits.y, attacks, {.eot = o.eot});
    std::printf("\nseed %llu, the adaptive evaluation at epsilon %s:\n%s", static_cast<unsigned long long>(seed),
                qhybrid::significant(eps, 3).c_str(), rep.markdown().c_str());
    // The fixed-noise control judged on the draw it attacked (not a robust accuracy of QNAD, which
    // draws afresh: kept out of the worst case above).
    const auto frozen_fooled = rb::pgd(one_draw, digits.x, digits.y, {.t = t, .steps = 40, .step_size = eps / 30, .seed = seed}).fooled;
    std::printf("fixed-noise control: PGD against one frozen draw leaves %.4f of the digits on that draw\n",
                1 - double(std::count(frozen_fooled.begin(), frozen_fooled.end(), std::uint8_t(1))) / double(frozen_fooled.size()));
    if (eps != o.eps.back()) return rep.worst_case_accuracy;
    std::string warning;
    const auto sweep = rb::epsilon_sweep(
        model, digits.x, digits.y, {0.05, 0.1, 0.2, 0.3, 0.5},
        std::function<rb::attack_result<double>(double, const nn::tensor<double>&, std::span<const std::size_t>)>(
            [&](double eps, const nn::tensor<double>& x, std::span<const std::size_t> y) {
                return rb::apgd(model, x, y, {.t = {.epsilon = eps, .lo = 0, .hi = 1}, .steps = o.steps, .eot = o.eot, .seed = seed});
            }),
        &warning, 0.99, o.eot);
    std::printf("APGD-CE with EOT-%zu, success on correct digits by budget:", o.eot);
    for (const auto& [eps, rate] : sweep) std::printf(" %s %.4f;", qhybrid::significant(eps, 3).c_str(), rate);
    std::printf("\n%s%s", warning.empty() ? "" : "WARNING: ", warning.empty() ? "" : (warning + "\n").c_str());
    std::fflush(stdout);
    return rep.worst_case_accuracy;
}

} // namespace

int main(int argc, char** argv) try {
    CLI::App app("QNAD, reconstructed: LeNet-5 read through a device's noise and injected crosstalk, under attack");
    std::string data_flag, out = "results";
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--seeds", o.seeds, "seeds 1..S (split, initialisation, minibatch order, device draws)")->check(CLI::Range(1, 1000));
    app.add_option("--first-seed", o.first_seed, "start at this seed (split the seeds over processes)")->check(CLI::Range(1, 1000));
    app.add_option("--device", o.device, "the calibration in DATA/ibm-backends (the paper's: nairobi)");
    app.add_option("--fractions", o.fractions, "shares of the weights chosen as loss-critical, in percent")->check(CLI::Range(1e-6, 100.0));
    app.add_option("--pairs", o.pairs, "injected CNOT pairs per gate, one setting each")->check(CLI::Range(1, 8));
    app.add_option("--eps", o.eps, "L-inf budgets of both evaluations")->check(CLI::PositiveNumber);
    app.add_option("--shots", o.shots, "measurements per read weight")->check(CLI::Range(1, 1 << 30));
    app.add_option("--epochs", o.epochs, "most training epochs (early stopping, patience 5)")->check(CLI::Range(1, 10000));
    app.add_option("--train-rows", o.train_rows, "train on the first N training digits only (0: all 7,200)");
    app.add_option("--select-rows", o.select_rows, "training digits that rank the weights")->check(CLI::Range(1, 7200));
    app.add_option("--attacked", o.attacked, "test digits of the paper's evaluation")->check(CLI::Range(1, 2000));
    app.add_option("--adaptive", o.adaptive, "test digits of the adaptive evaluation (0: skip it)")->check(CLI::Range(0, 2000));
    app.add_option("--eot", o.eot, "EOT draws of the adaptive evaluation")->check(CLI::Range(1, 1000));
    app.add_option("--steps", o.steps, "APGD steps of the adaptive evaluation")->check(CLI::Range(1, 100000));
    app.add_option("--queries", o.queries, "Square queries of the adaptive evaluation")->check(CLI::Range(1, 1000000));
    app.add_option("--square-eot", o.square_eot, "EOT draws per Square query")->check(CLI::Range(1, 1000));
    app.add_option("--out", out, "folder for qnad_{paper,adaptive}{,_runs}.csv");
    CLI11_PARSE(app, argc, argv);
    qhybrid::require(o.first_seed <= o.seeds, [&] {
        return "--first-seed " + std::to_string(o.first_seed) + " is after the last seed, --seeds " + std::to_string(o.seeds);
    });
    const auto root = d::data_root(data_flag);
    const auto device = q::device_model::load(d::require_data(root, "ibm-backends/" + o.device + "/props.json").parent_path());
    const auto digits = d::read_mnist(root);
    const auto configurations = settings_of(o);
    std::vector<std::string> metrics{"clean accuracy"};
    for (const char* kind : {"", " gain"})
        for (double e : o.eps)
            for (const char* attack : {"FGSM", "PGD"}) metrics.push_back(std::string(attack) + " " + qhybrid::significant(e, 3) + kind);
    st::seed_table paper(metrics);
    std::vector<std::string> worst_metrics;
    for (double e : o.eps) worst_metrics.push_back("worst case at " + qhybrid::significant(e, 3));
    st::seed_table worst(worst_metrics);
    std::printf("QNAD, reconstructed: LeNet-5 on MNIST (per seed 7,200 train / 800 validation / 2,000 test of the test split), "
                "%s, %llu shots a weight; %zu threads\n",
                device.name().c_str(), static_cast<unsigned long long>(o.shots), qhybrid::threads());
    for (std::uint64_t seed = o.first_seed; seed <= o.seeds; ++seed) {
        const seed_data data = split(digits, seed, o.train_rows);
        qhybrid::rng gen(seed);
        auto net = m::lenet5<double>(classes, gen);
        nn::adam<double> opt(net.parameters(), {.lr = 1e-3});
        const auto history = nn::fit(net, opt, data.train, &data.validation,
                                     {.epochs = o.epochs, .batch_size = 128, .seed = seed, .patience = 5, .progress = false});
        const auto attacked = first_rows(data.test, o.attacked);
        rb::network<double> plain(net);
        std::vector<nn::tensor<double>> adversarial; // FGSM and PGD at each budget, made on the plain network
        for (double e : o.eps) {
            const rb::threat t{.epsilon = e, .lo = 0, .hi = 1};
            adversarial.push_back(rb::fgsm(plain, attacked.x, attacked.y, {.t = t, .seed = seed}).adversarial);
            adversarial.push_back(rb::pgd(plain, attacked.x, attacked.y, {.t = t, .steps = 40, .step_size = e / 30, .seed = seed}).adversarial);
        }
        // Clean accuracy, then the accuracy on each adversarial set.
        const auto judge = [&](auto& model) {
            std::vector<double> v{accuracy(model, data.test.x, data.test.y, seed)};
            for (const auto& x : adversarial) v.push_back(accuracy(model, x, attacked.y, seed));
            return v;
        };
        // With the gains over the plain network's.
        const auto with_gains = [](std::vector<double> v, const std::vector<double>& base) {
            for (std::size_t k = 1; k < base.size(); ++k) v.push_back(v[k] - base[k]);
            return v;
        };
        const auto base = judge(plain);
        const auto line = [&](const std::string& name, const std::vector<double>& v) {
            std::printf("seed %llu, %s: clean %.4f", static_cast<unsigned long long>(seed), name.c_str(), v[0]);
            for (std::size_t k = 0; k < o.eps.size(); ++k)
                std::printf("; at %s FGSM %.4f, PGD %.4f", qhybrid::significant(o.eps[k], 3).c_str(), v[1 + 2 * k], v[2 + 2 * k]);
            std::printf("\n");
            std::fflush(stdout);
        };
        paper.add("LeNet-5", seed, with_gains(base, base));
        std::printf("\nseed %llu: %zu epochs\n", static_cast<unsigned long long>(seed), history.size());
        line("LeNet-5", base);
        const auto select = first_rows(data.train, o.select_rows);
        for (double percent : o.fractions) {
            const auto chosen = rb::critical_weights(net, select.x, select.y, percent / 100);
            for (const auto& c : configurations) {
                rb::qnad_network<double> model(net, device, chosen, {.shots = o.shots, .injected = c.readout});
                const auto v = judge(model);
                const std::string name = "QNAD k " + qhybrid::significant(percent, 3) + "%, " + c.name;
                paper.add(name, seed, with_gains(v, base));
                line(name + " (" + std::to_string(chosen.size()) + " weights)", v);
            }
        }
        if (o.adaptive > 0) {
            const auto digits2 = first_rows(data.test, o.adaptive);
            std::vector<double> yardstick;
            for (double e : o.eps) yardstick.push_back(plain_worst(plain, digits2, o, seed, e));
            worst.add("LeNet-5", seed, yardstick);
            const auto chosen = rb::critical_weights(net, select.x, select.y, o.fractions.back() / 100);
            rb::qnad_network<double> model(net, device, chosen, {.shots = o.shots, .injected = configurations.back().readout});
            std::vector<double> v;
            for (double e : o.eps) v.push_back(adaptive(model, plain, digits2, o, seed, e));
            worst.add("QNAD k " + qhybrid::significant(o.fractions.back(), 3) + "%, " + configurations.back().name, seed, v);
        }
    }
    std::printf("\n%s(accuracy: clean on the 2,000 test digits, under FGSM and PGD made on the plain LeNet-5 on the first %zu; "
                "gain: over LeNet-5's, per seed; mean [95%% t-interval] over seeds %zu-%zu)\n",
                paper.markdown().c_str(), o.attacked, o.first_seed, o.seeds);
    const std::filesystem::path folder(out);
    paper.write_csv(folder / "qnad_paper_runs.csv", folder / "qnad_paper.csv");
    if (o.adaptive > 0) {
        std::printf("\n%s(worst-case robust accuracy over the adaptive attacks, first %zu test digits)\n", worst.markdown().c_str(), o.adaptive);
        worst.write_csv(folder / "qnad_adaptive_runs.csv", folder / "qnad_adaptive.csv");
    }
} catch (const std::exception& e) {
    std::fprintf(stderr, "qnad: %s\n", e.what());
    return 1;
}
