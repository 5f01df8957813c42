// examples/snippets/hybrid_network.cpp: a quantum layer trains inside a classical network
#include <qhybrid/qhybrid.hpp>

#include <cstdio>

namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;

int main() {
    qhybrid::rng gen(1);
    nn::labelled<double> train{nn::tensor<double>({256, 26}), std::vector<std::size_t>(256)};
    for (std::size_t i = 0; i < 256; ++i) {           // a toy task: is the first feature positive?
        for (auto& v : train.x.row(i)) v = gen.normal();
        train.y[i] = train.x.row(i)[0] > 0;
    }
    nn::sequential<double> net;
    net.add<nn::dense<double>>(26, 4, gen).add<nn::tanh<double>>()
       .add<nn::quantum_layer<q::compose<q::angle_encoding<4>, q::real_amplitudes<4, 2>>>>(gen)
       .add<nn::dense<double>>(4, 2, gen);
    nn::adam<double> opt(net.parameters(), {.lr = 1e-2});
    nn::fit(net, opt, train, nullptr, {.epochs = 20, .batch_size = 32, .seed = 1, .progress = false});
    std::printf("training accuracy %.3f\n", nn::evaluate(net, train, 256).accuracy);
    nn::save_weights(net, "hybrid.qhw");
}
