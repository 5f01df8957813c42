// QNAD (Kundu et al., HOST 2024), reconstructed (robust/qnad.hpp, quantum/weight_readout.hpp,
// docs/qnad.md): a trained network with its loss-critical weights read through a real device's
// noise and injected crosstalk, judged first as the paper judges it, then by an evaluation that
// adapts.
//
// --network (qnad_networks.hpp): lenet5, the paper's LeNet-5 on MNIST (the split of
// mnist_splits.hpp, 7,199 / 801 / 2,000 of MNIST's test split; the paper trains on 60,000; Adam
// 1e-3, batch 128, early stopping with patience 5); fsdd-cnn, the FSDD digit CNN on log-mel
// features (budgets in dB); deep-voice, the DEEP-VOICE detector's CNN (budgets in training
// standard deviations). Per seed the network is trained, its loss-critical weights ranked by
// |dL/dw| on the first --select-rows training rows. Then:
// 1. The paper's evaluation: FGSM and PGD (L-inf; for LeNet-5 epsilon 0.3, the paper's, and 0.1; PGD 40 steps
//    of epsilon / 30 from a random start) made on the plain network, which is what "accuracy under attack" of a network whose
//    trained weights the attacker has can mean when the device adds noise only at inference; judged
//    by the plain network and by QNAD for each share k of critical weights in three settings that
//    split the effect: the shots alone (a perfect device), the device's own noise (no injection),
//    the device with --pairs injected CNOT pairs. Every setting reads the other weights exactly.
//    "gain" is the accuracy over the plain network's, per seed (the paper's relative improvement,
//    accuracy / plain accuracy - 1, is undefined where the plain network has none left).
// 2. The adaptive evaluation of the strongest setting (largest k and pairs) on the first --adaptive
//    test rows at each epsilon: FGSM and PGD with EOT over the device's draws, AutoAttack's rand
//    suite (APGD-CE and APGD-DLR with EOT), Square with EOT (--square-eot), the fixed-noise control (PGD against
//    one frozen draw, judged by fresh ones), the transfer from the plain network; and APGD-CE's
//    epsilon sweep with EOT (up to a budget that must fool every correct row). The plain network meets FGSM, PGD
//    and AutoAttack's standard suite on the same rows: the yardstick.
//
//   qnad [--data DIR] [--network lenet5|fsdd-cnn|deep-voice] [--seeds S] [--first-seed F] [--device nairobi]
//        [--fractions 0.1 1 5 10] [--pairs 1 3] [--eps ...] [--shots 1024] [--epochs E] [--train-rows N] [--select-rows N]
//        [--attacked N] [--adaptive N] [--eot 20] [--steps 100] [--queries 5000] [--square-eot 5] [--out DIR]
//        [--block-rows 25] [--checkpoint DIR]
//
// The seeds run as a dist::sweep (seed_sweep.hpp): built with QHYBRID_MPI, `mpirun -np N qnad ...`
// splits them over N processes and writes the same CSV files; a seed is its parts (the paper's
// evaluation, the adaptive one at each budget on each block of --block-rows rows, joined after:
// robust::join_rows), and --checkpoint keeps every finished part.
#include "qnad_networks.hpp"
#include "seed_sweep.hpp"

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
using qnad_networks::seed_network;

namespace {

struct settings {
    std::string network = "lenet5";
    std::size_t classes = 10;
    std::size_t seeds = 5, first_seed = 1, epochs = 0, train_rows = 0, select_rows = 2000, attacked = 1000, adaptive = 100, eot = 20;
    std::size_t steps = 100, queries = 5000, square_eot = 5; // the adaptive evaluation's APGD and Square
    std::uint64_t shots = 1024;
    std::string device = "nairobi";
    std::vector<double> fractions{0.1, 1, 5, 10}; // percent
    std::vector<unsigned> pairs{1, 3};
    std::vector<double> eps;   // both evaluations (default: the network's); the sweep after the last
    std::vector<double> sweep; // the network's
    std::size_t block_rows = 25; // rows of an item of the adaptive evaluation (0: all); the figures do not depend on it
};

// The tables a seed adds rows to.
constexpr std::uint32_t paper_table = 0, worst_table = 1;

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

// The rows of a block of the adaptive evaluation: the first rows of the test set, from `begin`.
struct block_rows {
    nn::labelled<double> rows;
    std::uint64_t first; // the first row's id: the attacks' streams are keyed by it
};

// The plain network under FGSM, PGD and AutoAttack's standard suite at one budget (the yardstick of
// the adaptive evaluation).
rb::robustness_report plain_report(rb::network<double>& plain, const seed_network& n, const block_rows& b, const settings& o,
                                   std::uint64_t seed, double eps) {
    const rb::threat t = n.threat(eps);
    const std::uint64_t first = b.first;
    std::vector<rb::attack_entry<double>> attacks{
        {"FGSM", rb::attack_kind::single_step, [&, t](const auto& x, auto y) { return rb::fgsm(plain, x, y, {.t = t, .seed = seed}); }},
        {"PGD", rb::attack_kind::iterative, [&, t](const auto& x, auto y) {
             return rb::pgd(plain, x, y, {.t = t, .steps = 40, .step_size = t.epsilon / 30, .seed = seed, .first_sample = first});
         }},
    };
    for (auto& a : rb::autoattack_standard(plain, o.classes, {.t = t, .seed = seed, .steps = o.steps, .queries = o.queries, .first_sample = first}))
        attacks.push_back(std::move(a));
    return rb::evaluate_robustness(plain, b.rows.x, b.rows.y, attacks);
}

// A block's share of the adaptive evaluation at one budget: the plain network's report, QNAD's,
// the fixed-noise control's verdicts and, at the last budget, APGD-CE's epsilon sweep.
struct adaptive_piece {
    BOOST_HANA_DEFINE_STRUCT(adaptive_piece, (rb::robustness_report, plain), (rb::robustness_report, qnad),
                             (std::vector<std::uint8_t>, frozen_fooled), (rb::sweep_verdicts, sweep));
};

// The adaptive evaluation of one QNAD model at one budget, on a block of rows.
adaptive_piece adaptive(rb::qnad_network<double>& model, rb::network<double>& plain, const seed_network& n, const block_rows& b,
                        const settings& o, std::uint64_t seed, double eps) {
    const rb::threat t = n.threat(eps);
    const std::uint64_t first = b.first;
    const auto& rows = b.rows;
    adaptive_piece piece{plain_report(plain, n, b, o, seed, eps), {}, {}, {}};
    rb::frozen<rb::qnad_network<double>> one_draw(model, seed);
    const rb::pgd_options pgd{.t = t, .steps = 40, .step_size = t.epsilon / 30, .seed = seed, .first_sample = first};
    std::vector<rb::attack_entry<double>> attacks{
        {"FGSM, EOT-" + std::to_string(o.eot), rb::attack_kind::single_step,
         [&, t](const auto& x, auto y) { return rb::fgsm(model, x, y, {.t = t, .eot = o.eot, .seed = seed}); }},
        {"PGD, EOT-" + std::to_string(o.eot), rb::attack_kind::iterative, [&](const auto& x, auto y) {
             auto with_eot = pgd;
             with_eot.eot = o.eot;
             return rb::pgd(model, x, y, with_eot);
         }},
        {"PGD on one frozen draw, judged by fresh draws", rb::attack_kind::transfer, [&](const auto& x, auto y) {
             const auto made = rb::pgd(one_draw, x, y, pgd);
             return rb::transfer(model, x, y, made, {.eot = o.eot, .seed = seed});
         }},
        {"PGD on the plain network, transferred", rb::attack_kind::transfer, [&](const auto& x, auto y) {
             model.restore(); // the plain network is the same one, holding QNAD's last draw
             const auto made = rb::pgd(plain, x, y, pgd);
             return rb::transfer(model, x, y, made, {.eot = o.eot, .seed = seed});
         }},
    };
    for (auto& a : rb::autoattack_rand(model, o.classes, {.t = t, .seed = seed, .steps = o.steps, .queries = o.queries, .eot = o.eot,
                                                          .first_sample = first}))
        attacks.push_back(std::move(a));
    attacks.push_back({"Square, EOT-" + std::to_string(o.square_eot), rb::attack_kind::black_box, [&, t](const auto& x, auto y) {
                           return rb::square(model, x, y, {.t = t, .queries = o.queries, .eot = o.square_eot, .seed = seed, .first_sample = first});
                       }});
    piece.qnad = rb::evaluate_robustness(model, rows.x, rows.y, attacks, {.eot = o.eot});
    // The fixed-noise control judged on the draw it attacked (not a robust accuracy of QNAD, which
    // draws afresh: kept out of the worst case).
    piece.frozen_fooled = rb::pgd(one_draw, rows.x, rows.y, pgd).fooled;
    if (eps == o.eps.back())
        piece.sweep = rb::epsilon_sweep_verdicts(
            model, rows.x, rows.y, o.sweep,
            std::function<rb::attack_result<double>(double, const nn::tensor<double>&, std::span<const std::size_t>)>(
                [&](double e, const nn::tensor<double>& x, std::span<const std::size_t> y) {
                    return rb::apgd(model, x, y, {.t = n.threat(e), .steps = o.steps, .eot = o.eot, .seed = seed, .first_sample = first});
                }),
            o.eot);
    return piece;
}

// The adaptive evaluation at one budget from its blocks, in the seed's report and worst-case table.
void report_adaptive(std::vector<adaptive_piece> blocks, const settings& o, const std::string& plain_name, const std::string& qnad_name,
                     seed_sweep::seed_output& out, double eps) {
    const auto seed = static_cast<unsigned long long>(out.seed());
    std::vector<rb::robustness_report> plain, qnad;
    std::vector<std::uint8_t> frozen;
    rb::sweep_verdicts sweep = blocks.front().sweep;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        plain.push_back(std::move(blocks[k].plain)), qnad.push_back(std::move(blocks[k].qnad));
        frozen.insert(frozen.end(), blocks[k].frozen_fooled.begin(), blocks[k].frozen_fooled.end());
        if (k > 0 && !sweep.epsilons.empty()) sweep.append_rows(blocks[k].sweep);
    }
    const auto p = rb::join_rows(plain), q = rb::join_rows(qnad, {.eot = o.eot});
    out.print("\nseed %llu, the plain network under the same budget, epsilon %s:\n%s", seed, qhybrid::significant(eps, 3).c_str(),
              p.markdown().c_str());
    out.print("\nseed %llu, the adaptive evaluation at epsilon %s:\n%s", seed, qhybrid::significant(eps, 3).c_str(), q.markdown().c_str());
    out.print("fixed-noise control: PGD against one frozen draw leaves %.4f of the rows on that draw\n", 1 - rb::share(frozen));
    out.add(worst_table, plain_name, {p.worst_case_accuracy});
    out.add(worst_table, qnad_name, {q.worst_case_accuracy});
    if (sweep.epsilons.empty()) return;
    std::string warning;
    const auto rates = rb::sweep_rates(sweep, &warning, 0.99);
    out.print("APGD-CE with EOT-%zu, success on correct rows by budget:", o.eot);
    for (const auto& [e, rate] : rates) out.print(" %s %.4f;", qhybrid::significant(e, 3).c_str(), rate);
    out.print("\n%s%s", warning.empty() ? "" : "WARNING: ", warning.empty() ? "" : (warning + "\n").c_str());
}

} // namespace

int main(int argc, char** argv) try {
    qhybrid::dist::session mpi(argc, argv);
    CLI::App app("QNAD, reconstructed: a trained network read through a device's noise and injected crosstalk, under attack");
    std::string data_flag, out = "results", checkpoint;
    settings o;
    app.add_option("--data", data_flag, "data folder (default: $QHYBRID_DATA, then ../shared/data)");
    app.add_option("--network", o.network, "lenet5 (MNIST), fsdd-cnn (FSDD digits, log-mel features) or deep-voice (the detector's CNN)")
        ->check(CLI::IsMember({"lenet5", "fsdd-cnn", "deep-voice"}));
    app.add_option("--seeds", o.seeds, "seeds 1..S (split, initialisation, minibatch order, device draws)")->check(CLI::Range(1, 1000));
    app.add_option("--first-seed", o.first_seed, "start at this seed (split the seeds over processes)")->check(CLI::Range(1, 1000));
    app.add_option("--device", o.device, "the calibration in DATA/ibm-backends (the paper's: nairobi)");
    app.add_option("--fractions", o.fractions, "shares of the weights chosen as loss-critical, in percent")->check(CLI::Range(1e-6, 100.0));
    app.add_option("--pairs", o.pairs, "injected CNOT pairs per gate, one setting each")->check(CLI::Range(1, 8));
    app.add_option("--eps", o.eps, "L-inf budgets of both evaluations (default: LeNet-5 0.1 0.3; FSDD 1 2 dB; detector 0.1 0.25 sd)")
        ->check(CLI::PositiveNumber);
    app.add_option("--shots", o.shots, "measurements per read weight")->check(CLI::Range(1, 1 << 30));
    app.add_option("--epochs", o.epochs, "most training epochs, early stopping (default: LeNet-5 30, FSDD 100, detector 200)")
        ->check(CLI::Range(1, 10000));
    app.add_option("--train-rows", o.train_rows, "train on the first N training rows only (0: all)");
    app.add_option("--select-rows", o.select_rows, "training rows that rank the weights")->check(CLI::Range(1, 1000000));
    app.add_option("--attacked", o.attacked, "test rows of the paper's evaluation")->check(CLI::Range(1, 1000000));
    app.add_option("--adaptive", o.adaptive, "test rows of the adaptive evaluation (0: skip it)")->check(CLI::Range(0, 1000000));
    app.add_option("--eot", o.eot, "EOT draws of the adaptive evaluation")->check(CLI::Range(1, 1000));
    app.add_option("--steps", o.steps, "APGD steps of the adaptive evaluation")->check(CLI::Range(1, 100000));
    app.add_option("--queries", o.queries, "Square queries of the adaptive evaluation")->check(CLI::Range(1, 1000000));
    app.add_option("--square-eot", o.square_eot, "EOT draws per Square query")->check(CLI::Range(1, 1000));
    app.add_option("--out", out, "folder for qnad[_NETWORK]_{paper,adaptive}{,_runs}.csv (LeNet-5's without _NETWORK)");
    app.add_option("--block-rows", o.block_rows, "rows of a work item of the adaptive evaluation (0: all); the figures do not depend on it, "
                                                 "a checkpoint's items do")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
    app.add_option("--checkpoint", checkpoint, "folder that keeps every finished item (the paper's evaluation of a seed, or the adaptive one at a "
                                               "budget on a block of rows); a run given it again resumes there");
    CLI11_PARSE(app, argc, argv);
    qhybrid::require(o.first_seed <= o.seeds, [&] {
        return "--first-seed " + std::to_string(o.first_seed) + " is after the last seed, --seeds " + std::to_string(o.seeds);
    });
    const auto root = d::data_root(data_flag);
    const auto device = q::device_model::load(d::require_data(root, "ibm-backends/" + o.device + "/props.json").parent_path());
    const qnad_networks::networks networks(o.network, root);
    o.classes = networks.classes();
    if (o.eps.empty()) o.eps = networks.default_eps();
    o.sweep = networks.sweep();
    const std::string plain_name = networks.name(), unit = networks.unit();
    const auto budget = [&](double e) { return qhybrid::significant(e, 3) + unit; };
    const auto configurations = settings_of(o);
    std::vector<std::string> metrics{"clean accuracy"};
    for (const char* kind : {"", " gain"})
        for (double e : o.eps)
            for (const char* attack : {"FGSM", "PGD"}) metrics.push_back(std::string(attack) + " " + budget(e) + kind);
    st::seed_table paper(metrics);
    std::vector<std::string> worst_metrics;
    for (double e : o.eps) worst_metrics.push_back("worst case at " + budget(e));
    st::seed_table worst(worst_metrics);
    const qhybrid::dist::world world;
    if (world.root())
        std::printf("QNAD, reconstructed: %s; %s, %llu shots a weight; %zu process(es) of %zu thread(s)\n", networks.description().c_str(),
                    device.name().c_str(), static_cast<unsigned long long>(o.shots), world.size(), qhybrid::threads());
    // A seed in parts, each its own checkpointed item (an FSDD seed takes hours): the paper's
    // evaluation, then the adaptive one at each budget on each block of --block-rows rows (their
    // reports joined afterwards: the same figures for any block size). Each part trains the
    // seed's network again (the same bits).
    const std::size_t rows_a_block = o.block_rows == 0 ? std::max<std::size_t>(o.adaptive, 1) : o.block_rows;
    const std::size_t blocks = (o.adaptive + rows_a_block - 1) / rows_a_block; // the last ones empty if the test set is smaller
    const std::size_t parts = 1 + o.eps.size() * blocks;
    const std::string qnad_name = "QNAD k " + qhybrid::significant(o.fractions.back(), 3) + "%, " + configurations.back().name;
    seed_sweep::run(world, o.first_seed, o.seeds, parts, {.tables = {&paper, &worst}}, checkpoint,
                    seed_sweep::key("qnad")
                        .with("network", o.network).with("device", o.device).with("first seed", o.first_seed).with("shots", o.shots)
                        .with("fractions", o.fractions).with("pairs", o.pairs).with("eps", o.eps).with("epochs", o.epochs)
                        .with("train rows", o.train_rows).with("select rows", o.select_rows).with("attacked", o.attacked)
                        .with("adaptive", o.adaptive).with("eot", o.eot).with("steps", o.steps).with("queries", o.queries)
                        .with("square eot", o.square_eot).with("block rows", rows_a_block).str(),
                    [&](seed_sweep::seed_output& out, std::size_t part) {
        const std::uint64_t seed = out.seed();
        seed_network n = networks.train(seed, o.epochs, o.train_rows);
        auto& net = n.net;
        rb::network<double> plain(net);
        const auto select = first_rows(n.train, o.select_rows);
        if (part > 0) { // the adaptive evaluation at one budget on one block of rows, kept for the finish step
            const double e = o.eps[(part - 1) / blocks];
            const std::size_t available = std::min(o.adaptive, n.test.size()), begin = (part - 1) % blocks * rows_a_block;
            if (begin >= available) return;
            std::vector<std::size_t> which(std::min(available, begin + rows_a_block) - begin);
            std::iota(which.begin(), which.end(), begin);
            const block_rows b{nn::subset(n.test, which), begin};
            const auto chosen = rb::critical_weights(net, select.x, select.y, o.fractions.back() / 100);
            rb::qnad_network<double> model(net, device, chosen, {.shots = o.shots, .injected = configurations.back().readout});
            std::string bytes;
            qhybrid::dist::encode(bytes, adaptive(model, plain, n, b, o, seed, e));
            out.keep(std::move(bytes));
            return;
        }
        const auto attacked = first_rows(n.test, o.attacked);
        std::vector<nn::tensor<double>> adversarial; // FGSM and PGD at each budget, made on the plain network
        for (double e : o.eps) {
            const rb::threat t = n.threat(e);
            adversarial.push_back(rb::fgsm(plain, attacked.x, attacked.y, {.t = t, .seed = seed}).adversarial);
            adversarial.push_back(rb::pgd(plain, attacked.x, attacked.y, {.t = t, .steps = 40, .step_size = t.epsilon / 30, .seed = seed}).adversarial);
        }
        // Clean accuracy, then the accuracy on each adversarial set.
        const auto judge = [&](auto& model) {
            std::vector<double> v{accuracy(model, n.test.x, n.test.y, seed)};
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
            out.print("seed %llu, %s: clean %.4f", static_cast<unsigned long long>(seed), name.c_str(), v[0]);
            for (std::size_t k = 0; k < o.eps.size(); ++k)
                out.print("; at %s FGSM %.4f, PGD %.4f", budget(o.eps[k]).c_str(), v[1 + 2 * k], v[2 + 2 * k]);
            out.print("\n");
        };
        out.add(paper_table, plain_name, with_gains(base, base));
        out.print("\nseed %llu: %zu epochs\n", static_cast<unsigned long long>(seed), n.epochs);
        line(plain_name, base);
        for (double percent : o.fractions) {
            const auto chosen = rb::critical_weights(net, select.x, select.y, percent / 100);
            for (const auto& c : configurations) {
                rb::qnad_network<double> model(net, device, chosen, {.shots = o.shots, .injected = c.readout});
                const auto v = judge(model);
                const std::string name = "QNAD k " + qhybrid::significant(percent, 3) + "%, " + c.name;
                out.add(paper_table, name, with_gains(v, base));
                line(name + " (" + std::to_string(chosen.size()) + " weights)", v);
            }
        }
    }, [&](seed_sweep::seed_output& out, const std::vector<std::string>& kept) { // the adaptive evaluation's blocks joined
        for (std::size_t k = 0; k < o.eps.size() && blocks > 0; ++k) {
            std::vector<adaptive_piece> pieces;
            for (std::size_t b = 0; b < blocks; ++b) {
                const std::string& bytes = kept[1 + k * blocks + b];
                if (bytes.empty()) continue; // past the test set's end
                qhybrid::dist::byte_reader in(bytes, "qnad: the adaptive evaluation's block " + std::to_string(b));
                pieces.push_back(qhybrid::dist::decode<adaptive_piece>(in));
            }
            if (!pieces.empty()) report_adaptive(std::move(pieces), o, plain_name, qnad_name, out, o.eps[k]);
        }
    });
    if (!world.root()) return 0;
    std::printf("\n%s(accuracy: clean on the test rows, under FGSM and PGD made on the plain %s on the first %zu; "
                "gain: over the plain network's, per seed; mean [95%% t-interval] over seeds %zu-%zu)\n",
                paper.markdown().c_str(), plain_name.c_str(), o.attacked, o.first_seed, o.seeds);
    const std::filesystem::path folder(out);
    const std::string stem = o.network == "lenet5" ? "qnad" : "qnad_" + o.network;
    paper.write_csv(folder / (stem + "_paper_runs.csv"), folder / (stem + "_paper.csv"));
    if (o.adaptive > 0) {
        std::printf("\n%s(worst-case robust accuracy over the adaptive attacks, first %zu test rows)\n", worst.markdown().c_str(), o.adaptive);
        worst.write_csv(folder / (stem + "_adaptive_runs.csv"), folder / (stem + "_adaptive.csv"));
    }
} catch (const std::exception& e) {
    std::fprintf(stderr, "qnad: %s\n", e.what());
    return 1;
}
