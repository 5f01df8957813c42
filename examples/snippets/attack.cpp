// examples/snippets/attack.cpp: PGD and APGD on a hybrid network, through its quantum layer
#include <qhybrid/qhybrid.hpp>

#include <cstdio>

namespace d = qhybrid::data;
namespace nn = qhybrid::nn;
namespace q = qhybrid::quantum;
namespace rb = qhybrid::robust;

int main(int argc, char** argv) {
    const auto root = d::data_root(argc > 1 ? argv[1] : "");
    const auto images = d::read_idx(d::require_data(root, "mnist/t10k-images-idx3-ubyte.gz"));
    const auto digits = d::read_idx(d::require_data(root, "mnist/t10k-labels-idx1-ubyte.gz"));
    nn::labelled<double> train{nn::tensor<double>({2000, 784}), {}}, test{nn::tensor<double>({200, 784}), {}};
    for (std::size_t i = 0; i < 2200; ++i) {
        auto& set = i < 2000 ? train : test;
        const std::size_t row = i < 2000 ? i : i - 2000;
        for (std::size_t k = 0; k < 784; ++k) set.x.row(row)[k] = images.values[i * 784 + k] / 255.0; // pixels in [0, 1]
        set.y.push_back(digits.values[i]);
    }
    qhybrid::rng gen(1);
    nn::sequential<double> net;
    net.add<nn::dense<double>>(784, 32, gen).add<nn::tanh<double>>().add<nn::dense<double>>(32, 4, gen)
       .add<nn::quantum_layer<q::compose<q::angle_encoding<4>, q::real_amplitudes<4, 2>>>>(gen)
       .add<nn::dense<double>>(4, 10, gen);
    nn::adam<double> opt(net.parameters(), {.lr = 1e-2});
    nn::fit(net, opt, train, nullptr, {.epochs = 10, .batch_size = 32, .seed = 1, .progress = false});

    rb::network model(net);                   // gradients to the pixels, by the adjoint method inside
    const rb::threat linf{.epsilon = 0.1};    // each pixel moves by 0.1 at most and stays in [0, 1]
    const auto pgd = rb::pgd(model, test.x, test.y, {.t = linf, .steps = 20, .restarts = 2, .seed = 1});
    const auto apgd = rb::apgd(model, test.x, test.y, {.t = linf, .loss = rb::attack_loss::dlr, .seed = 1});
    std::printf("clean accuracy %.3f; robust accuracy under PGD-20 x 2 %.3f, APGD-DLR-100 %.3f "
                "(%zu and %zu forward+backward passes a sample)\n",
                nn::evaluate(net, test, 200).accuracy, 1 - pgd.fooled_rate(), 1 - apgd.fooled_rate(),
                pgd.gradient_evaluations / 200, apgd.gradient_evaluations / 200);
}
