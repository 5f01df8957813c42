// A sweep of small hybrid trainings (4-qubit ZZ feature map + RealAmplitudes layer, then a dense
// layer), one per item, each from its own streams, run over the MPI job's processes; rank 0 writes
// every item's results as bytes. check.cmake runs it under mpirun -np 1, 2 and 4, and a resumed
// checkpoint, and compares the files byte for byte.
//
//     sweep_job OUT [CHECKPOINT [FAIL_ITEM]]   FAIL_ITEM: that item throws (an interrupted sweep)
#include <qhybrid/core/file.hpp>
#include <qhybrid/dist/sweep.hpp>
#include <qhybrid/dist/world.hpp>
#include <qhybrid/nn.hpp>
#include <qhybrid/quantum.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdio>
#include <string>

namespace dist = qhybrid::dist;
namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;

struct trained {
    BOOST_HANA_DEFINE_STRUCT(trained, (std::vector<double>, weights), (std::vector<double>, losses));
};

trained train(std::size_t item) {
    auto data_gen = qhybrid::rng::stream(2026, item, 0), init = qhybrid::rng::stream(2026, item, 1);
    nn::labelled<double> data{nn::tensor<double>({48, 4}), std::vector<std::size_t>(48)};
    for (std::size_t r = 0; r < 48; ++r) {
        data.y[r] = r % 2;
        for (auto& v : data.x.row(r)) v = data_gen.uniform(0, 1.5) + 0.8 * double(data.y[r]);
    }
    using qnn = q::compose<q::zz_feature_map<4, 1, q::entanglement::linear>, q::real_amplitudes<4, 1>>;
    nn::sequential<double> net;
    net.add<nn::quantum_layer<qnn, double>>(init).add<nn::dense<double>>(4, 2, init);
    nn::adam<double> opt(net.parameters(), {.lr = 0.05});
    trained out;
    for (const auto& e : nn::fit(net, opt, data, nullptr, {.epochs = 3, .batch_size = 16, .seed = item, .progress = false}))
        out.losses.push_back(e.loss);
    for (const auto& p : net.parameters()) out.weights.insert(out.weights.end(), p.value->values().begin(), p.value->values().end());
    return out;
}

int main(int argc, char** argv) try {
    dist::session mpi(argc, argv);
    const dist::world world;
    if (argc < 2 || argc > 4) {
        if (world.root()) std::fprintf(stderr, "usage: sweep_job OUT [CHECKPOINT [FAIL_ITEM]]\n");
        return 2;
    }
    const std::size_t items = 12, fail_item = argc > 3 ? std::stoul(argv[3]) : items;
    std::size_t ran = 0;
    const auto results = dist::sweep(world, items, [&](std::size_t i) {
        if (i == fail_item) throw qhybrid::error("stopped at item " + std::to_string(i));
        ++ran;
        return train(i);
    }, {.checkpoint = argc > 2 ? argv[2] : "", .key = "sweep_job 1"});
    std::size_t ran_everywhere = 0; // items run rather than read from the checkpoint
    for (const auto& bytes : world.all_gather(std::to_string(ran))) ran_everywhere += std::stoul(bytes);
    if (world.root()) {
        std::string bytes;
        dist::encode(bytes, results);
        qhybrid::write_file_atomically(argv[1], bytes, "sweep_job");
        std::printf("%zu processes ran %zu of %zu items\n", world.size(), ran_everywhere, items);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "sweep_job: %s\n", e.what());
    return 1;
}
