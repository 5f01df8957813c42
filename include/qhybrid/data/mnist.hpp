// SPDX-License-Identifier: Apache-2.0
#pragma once
// MNIST from its IDX files in root/mnist/: the test split (t10k, 10,000 digits, the one qhybrid's
// data folder holds) or the training split (train, 60,000; scripts/fetch-data gets it). Pixels
// are scaled to [0, 1] as torchvision's ToTensor does; every image must come with a label in 0..9.
#include "qhybrid/core/error.hpp"
#include "qhybrid/data/idx.hpp"
#include "qhybrid/data/location.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace qhybrid::data {

struct mnist_digits {
    static constexpr std::size_t side = 28;
    std::vector<double> pixels;          // [count, 28, 28], row-major, in [0, 1]
    std::vector<std::uint8_t> labels;    // 0..9
    std::size_t size() const noexcept { return labels.size(); }
};

enum class mnist_split { test, train };

inline mnist_digits read_mnist(const std::filesystem::path& root, mnist_split split = mnist_split::test) {
    const std::string stem = split == mnist_split::test ? "t10k" : "train";
    const auto images_path = require_data(root, "mnist/" + stem + "-images-idx3-ubyte.gz");
    const auto labels_path = require_data(root, "mnist/" + stem + "-labels-idx1-ubyte.gz");
    const idx_array images = read_idx(images_path), labels = read_idx(labels_path);
    require(images.shape.size() == 3 && images.shape[1] == mnist_digits::side && images.shape[2] == mnist_digits::side, [&] {
        std::string shape;
        for (auto n : images.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(n);
        return images_path.string() + ": images of shape [" + shape + "], expected [count, 28, 28]";
    });
    require(labels.shape.size() == 1 && labels.shape[0] == images.shape[0], [&] {
        return labels_path.string() + ": " + (labels.shape.empty() ? std::string("no") : std::to_string(labels.shape[0])) +
               " labels for " + std::to_string(images.shape[0]) + " images in " + images_path.string();
    });
    mnist_digits d;
    d.labels = labels.values;
    for (std::size_t i = 0; i < d.labels.size(); ++i)
        require(d.labels[i] <= 9, [&] { return labels_path.string() + ": label " + std::to_string(d.labels[i]) + " of image " + std::to_string(i) + " is not a digit"; });
    d.pixels.reserve(images.values.size());
    for (std::uint8_t v : images.values) d.pixels.push_back(double(v) / 255.0);
    return d;
}

} // namespace qhybrid::data
