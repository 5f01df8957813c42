// SPDX-License-Identifier: Apache-2.0
#pragma once
// How much each weight of a network matters to a data set, for the strategies that pick or
// dampen weights: the mean gradient of the cross-entropy (SalUn's saliency) and the diagonal of the
// empirical Fisher information, the mean over minibatches of the squared gradient (SSD, Fisher
// forgetting; batch size 1 is the per-sample estimate, Foster et al.'s SSD code squares its
// loader's batch gradients). Evaluation mode; the network's gradients are left zero. One vector a
// parameter tensor, in nn::layer::parameters() order.
#include "qhybrid/data/batches.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/nn/train.hpp"

#include <functional>
#include <span>
#include <vector>

namespace qhybrid::unlearn {

namespace detail {

// f(parameters, rows in the batch) after the backward pass of each minibatch's mean
// cross-entropy; returns the number of batches.
template <class T>
std::size_t for_each_batch_gradient(nn::sequential<T>& net, const nn::labelled<T>& set, std::size_t batch_size,
                                    const std::function<void(std::vector<nn::parameter<T>>&, std::size_t)>& f) {
    require(set.size() > 0 && batch_size > 0, [&] {
        return "unlearn importance: " + std::to_string(set.size()) + " samples in batches of " + std::to_string(batch_size);
    });
    auto params = net.parameters();
    std::size_t count = 0;
    for (const std::span<const std::size_t> rows : data::minibatches(set.size(), batch_size)) {
        std::vector<std::size_t> y(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) y[i] = set.y[rows[i]];
        net.zero_grad();
        net.backward(nn::cross_entropy<T>(net.forward(nn::gather_rows(set.x, rows), nn::mode::eval), y).grad);
        f(params, rows.size()), ++count;
    }
    net.zero_grad();
    return count;
}

} // namespace detail

using importance = std::vector<std::vector<double>>;

template <class T>
importance squared_gradients(nn::sequential<T>& net, const nn::labelled<T>& set, std::size_t batch_size = 1) {
    importance out;
    for (const auto& p : net.parameters()) out.emplace_back(p.value->size(), 0.0);
    const std::size_t n = detail::for_each_batch_gradient<T>(net, set, batch_size, [&](std::vector<nn::parameter<T>>& params, std::size_t) {
        for (std::size_t k = 0; k < params.size(); ++k)
            for (std::size_t i = 0; i < out[k].size(); ++i) out[k][i] += double((*params[k].grad)[i]) * double((*params[k].grad)[i]);
    });
    for (auto& v : out)
        for (double& x : v) x /= double(n);
    return out;
}

// The gradient of the mean cross-entropy over the whole set.
template <class T>
importance mean_gradient(nn::sequential<T>& net, const nn::labelled<T>& set, std::size_t batch_size = 256) {
    importance out;
    for (const auto& p : net.parameters()) out.emplace_back(p.value->size(), 0.0);
    detail::for_each_batch_gradient<T>(net, set, batch_size, [&](std::vector<nn::parameter<T>>& params, std::size_t rows) {
        const double share = double(rows) / double(set.size()); // a batch's mean, weighted by its size
        for (std::size_t k = 0; k < params.size(); ++k)
            for (std::size_t i = 0; i < out[k].size(); ++i) out[k][i] += share * double((*params[k].grad)[i]);
    });
    return out;
}

} // namespace qhybrid::unlearn
