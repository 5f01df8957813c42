// Writes the embedded test fixture: exported model headers (float and double) and fixture.hpp
// with input vectors and the library models' outputs for them, as exact hexadecimal literals;
// also mlp.qhw, a weights file of a model the command-line tool does not build.
//
//   make_fixture OUT_DIR [DATA_DIR]
//
// Models: the DEEP-VOICE CNN trained classically for a few epochs, the CNN a QT-CNN (12 qubits,
// 2 blocks) generates after a few epochs, an MLP with tanh and sigmoid, and a small 2-D CNN
// (conv2d with stride and padding, max_pool2d). With the DEEP-VOICE CSV they train on its rows
// and the inputs are held-out rows; without it, on generated rows (and it says so). And a chirp
// with its power spectrum, for the fixed-size FFT, and another with its resampling to 8 kHz, for
// the fixed-ratio resampler.
#include <qhybrid/embedded/export.hpp>
#include <qhybrid/qhybrid.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

namespace d = qhybrid::data;
namespace e = qhybrid::embedded;
namespace m = qhybrid::models;
namespace nn = qhybrid::nn;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t count = 48, width = d::deep_voice_width, image_h = 12, image_w = 10, fft_size = 256,
                      resample_size = 400;

nn::labelled<double> deep_voice(const fs::path& data) {
    const fs::path csv = data / "deep-voice/DATASET-balanced.csv";
    if (fs::exists(csv)) return m::read_deep_voice_set(csv);
    std::printf("make_fixture: no %s; training on generated rows instead\n", csv.c_str());
    qhybrid::rng gen(7);
    nn::labelled<double> out{nn::tensor<double>({1000, width}), {}};
    for (std::size_t r = 0; r < 1000; ++r) {
        double sum = 0;
        for (std::size_t f = 0; f < width; ++f) sum += out.x[r * width + f] = gen.normal() * double(f + 1);
        out.y.push_back(sum > 0);
    }
    return out;
}

template <class T>
nn::sequential<T> mlp(qhybrid::rng& gen, std::span<const double> scale, std::span<const double> offset) {
    nn::sequential<T> net;
    net.template add<nn::feature_scaling<T>>(scale, offset)
        .template add<nn::dense<T>>(width, 16, gen).template add<nn::tanh<T>>()
        .template add<nn::dense<T>>(16, 8, gen).template add<nn::sigmoid<T>>()
        .template add<nn::dense<T>>(8, 2, gen);
    return net;
}

template <class T>
nn::sequential<T> image_cnn(qhybrid::rng& gen) {
    nn::sequential<T> net;
    net.template add<nn::conv2d<T>>(nn::conv_shape{1, 4, 3, 3, 1, 1, 1, 1}, gen).template add<nn::relu<T>>()
        .template add<nn::max_pool2d<T>>(2)
        .template add<nn::conv2d<T>>(nn::conv_shape{4, 5, 3, 2, 2, 1, 0, 1}, gen).template add<nn::relu<T>>()
        .template add<nn::dropout<T>>(0.25, 3).template add<nn::flatten<T>>()
        .template add<nn::dense<T>>(5 * 2 * 6, 3, gen);
    return net;
}

template <class T>
std::string literals(std::span<const T> v) {
    const auto type = std::is_same_v<T, float> ? e::element::float32 : e::element::float64;
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += e::detail::hex_literal(double(v[i]), type);
        if (i % 8 == 7) s += '\n';
    }
    return s;
}

template <class T>
std::string array(const std::string& name, std::span<const T> v) {
    return "inline constexpr std::array<" + std::string(std::is_same_v<T, float> ? "float" : "double") + ", " +
           std::to_string(v.size()) + "> " + name + "{\n" + literals(v) + "};\n";
}

struct writer {
    fs::path dir;
    std::string fixture;

    // Exports `net` (in double and rounded to float) and records both library models' outputs.
    template <class Build>
    void add(const std::string& name, nn::sequential<double>& net, Build build, const nn::tensor<double>& inputs,
             const nn::shape_t& sample) {
        e::export_header(net, sample, dir / (name + "_f64.hpp"), {.name = name + "_f64", .type = e::element::float64});
        e::export_header(net, sample, dir / (name + "_f32.hpp"), {.name = name + "_f32", .type = e::element::float32});
        nn::sequential<float> single = build();
        nn::copy_weights(net, single);
        nn::tensor<float> x(inputs.shape());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(inputs[i]);
        fixture += array<double>(name + "_f64", net.forward(inputs, nn::mode::eval).values());
        fixture += array<float>(name + "_f32", single.forward(x, nn::mode::eval).values());
    }
};

} // namespace

int main(int argc, char** argv) try {
    qhybrid::require(argc == 2 || argc == 3, [] { return std::string("usage: make_fixture OUT_DIR [DATA_DIR]"); });
    const fs::path out = argv[1], data = argc == 3 ? fs::path(argv[2]) : d::data_root("");
    fs::create_directories(out);
    writer w{out, {}};

    const auto all = deep_voice(data);
    qhybrid::rng gen(1);
    const auto split = m::split_deep_voice(all, 0.2, gen);
    const auto& train = split.train;
    std::vector<std::size_t> first(count);
    std::iota(first.begin(), first.end(), std::size_t{0});
    const auto held_out = nn::subset(split.test, std::span<const std::size_t>(first));
    const std::span<const double> scale(split.scaler.scale()), offset(split.scaler.offset());

    auto cnn = m::deep_voice_cnn::build<double>(gen, scale, offset);
    nn::adam<double> opt(cnn.parameters(), {.lr = 1e-2});
    nn::fit(cnn, opt, train, nullptr, {.epochs = 3, .batch_size = 64, .seed = 1, .progress = false});
    auto float_cnn = [&] { return m::deep_voice_cnn::build<float>(gen, scale, offset); };
    w.add("deepvoice_cnn", cnn, float_cnn, held_out.x, {width});

    m::qt_cnn<12, 2, m::deep_voice_cnn> qt(gen, {.transform = {.enabled = true}}, scale, offset);
    nn::adam<double> qt_opt(qt.parameters(), {.lr = 1e-2});
    nn::fit(qt, qt_opt, train, nullptr, {.epochs = 2, .batch_size = 64, .seed = 1, .progress = false});
    auto generated = qt.generated();
    w.add("qt_generated_cnn", generated, float_cnn, held_out.x, {width});

    auto classic_mlp = mlp<double>(gen, scale, offset);
    w.add("mlp", classic_mlp, [&] { return mlp<float>(gen, scale, offset); }, held_out.x, {width});
    nn::save_weights(classic_mlp, (out / "mlp.qhw").string()); // a model the CLI does not build

    nn::tensor<double> images({count, 1, image_h, image_w});
    for (auto& v : images.values()) v = gen.uniform(-1, 1);
    auto small_cnn = image_cnn<double>(gen);
    w.add("image_cnn", small_cnn, [&] { return image_cnn<float>(gen); }, images, {1, image_h, image_w});

    // A noisy chirp for the fixed-size FFT on the device, and its power spectrum by the host
    // library, in double.
    std::vector<float> chirp(fft_size);
    for (std::size_t j = 0; j < fft_size; ++j)
        chirp[j] = float(std::sin(0.05 * double(j) + 0.004 * double(j * j)) + 0.1 * gen.uniform(-1, 1));
    std::vector<double> chirp_wide(chirp.begin(), chirp.end()), re(fft_size / 2 + 1), im(re.size()), power(re.size());
    qhybrid::audio::real_fft<double>(fft_size).forward(chirp_wide, re, im);
    for (std::size_t k = 0; k < power.size(); ++k) power[k] = re[k] * re[k] + im[k] * im[k];

    // 25 ms at 16 kHz of a noisy chirp up to 6 kHz for the heap-free resampler (16 -> 8 kHz on the
    // device), and the host library's resampling of it, in double.
    std::vector<float> voice(resample_size);
    for (std::size_t j = 0; j < resample_size; ++j)
        voice[j] = float(0.6 * std::sin(0.02 * double(j) + 0.0029 * double(j * j)) + 0.05 * gen.uniform(-1, 1));
    const auto voice_8k = qhybrid::audio::resample<double>(std::vector<double>(voice.begin(), voice.end()), 16000, 8000);

    std::ofstream f(out / "fixture.hpp");
    f << "// Written by make_fixture; do not edit. Inputs and the library models' outputs for them.\n#pragma once\n"
         "#include <array>\n#include <cstddef>\n\nnamespace fixture {\n\ninline constexpr std::size_t count = "
      << count << ";\n"
      << array<double>("deep_voice_inputs", held_out.x.values()) << array<double>("image_inputs", images.values())
      << array<float>("fft_signal", chirp) << array<double>("fft_power", power)
      << array<float>("resample_signal", voice) << array<double>("resample_output", voice_8k)
      << "inline constexpr std::array<std::size_t, count> labels{";
    for (std::size_t i = 0; i < count; ++i) f << (i ? "," : "") << held_out.y[i];
    f << "};\n" << w.fixture << "\n} // namespace fixture\n";
    qhybrid::require(bool(f), [&] { return "make_fixture: writing " + (out / "fixture.hpp").string() + " failed"; });
} catch (const std::exception& ex) {
    std::fprintf(stderr, "make_fixture: %s\n", ex.what());
    return 1;
}
