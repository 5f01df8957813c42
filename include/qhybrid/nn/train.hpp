// SPDX-License-Identifier: Apache-2.0
#pragma once
// A training loop for classifiers: minibatches in an order shuffled from a seed, a loss (cross-
// entropy on class labels unless another is given), one optimizer step per minibatch, a
// progress line per epoch on stderr (epoch, loss, accuracy, validation, samples/s), early
// stopping on the validation loss and restoring the best model seen.
// Usage:
//   nn::fit(net, opt, train, &validation, {.epochs = 30, .batch_size = 32, .seed = 1});
// `net` is any layer (a sequential, a models::qt_cnn, ...); the best epoch is kept as a clone.
#include "qhybrid/core/rng.hpp"
#include "qhybrid/data/batches.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/layer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace qhybrid::nn {

template <class T>
struct labelled {
    tensor<T> x;                    // [samples, ...]
    std::vector<std::size_t> y;     // one class per sample

    std::size_t size() const noexcept { return y.size(); }
};

// Rows `rows` of x, in that order: [rows.size(), ...].
template <class T>
tensor<T> gather_rows(const tensor<T>& x, std::span<const std::size_t> rows) {
    shape_t s = x.shape();
    s[0] = rows.size();
    tensor<T> out(s);
    const std::size_t w = x.row_size();
    for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(x.data() + rows[i] * w, w, out.data() + i * w);
    return out;
}

// The samples `rows` of a data set, in that order.
template <class T>
labelled<T> subset(const labelled<T>& d, std::span<const std::size_t> rows) {
    labelled<T> out{gather_rows(d.x, rows), {}};
    out.y.reserve(rows.size());
    for (auto r : rows) out.y.push_back(d.y.at(r));
    return out;
}

// f applied to blocks of at most `block` consecutive rows of x, its outputs stacked: a whole data
// set through a network without activations the size of the set. The FSDD CNN's first layer is
// 0.7 GB on its 2,700 training recordings: glibc maps a block that large afresh on every call and
// the kernel zeroes it page by page (40% of an unlearning run's time went there); on 32 it is
// 10 MB, which the heap reuses. f must treat rows independently, as a network in evaluation mode
// does, so that the result does not depend on `block`.
template <class T, class F>
tensor<T> in_row_blocks(const tensor<T>& x, std::size_t block, F&& f) {
    require(block > 0 && x.rank() > 0, [&] { return "in_row_blocks: block " + std::to_string(block) + " of a rank-" + std::to_string(x.rank()) + " tensor"; });
    const std::size_t n = x.dim(0);
    if (n <= block) return f(x);
    tensor<T> out;
    std::vector<std::size_t> rows;
    for (std::size_t first = 0; first < n; first += block) {
        rows.resize(std::min(block, n - first));
        std::iota(rows.begin(), rows.end(), first);
        const tensor<T> y = f(gather_rows(x, rows));
        if (first == 0) {
            shape_t s = y.shape();
            s[0] = n;
            out = tensor<T>(std::move(s), uninitialized);
        }
        require(y.rank() == out.rank() && y.dim(0) == rows.size() && y.row_size() == out.row_size(),
                [&] { return "in_row_blocks: a block of " + std::to_string(rows.size()) + " rows gave " + std::to_string(y.size()) + " values"; });
        std::copy_n(y.data(), y.size(), out.data() + first * out.row_size());
    }
    return out;
}

// A network's outputs in evaluation mode, `block` rows at a time.
template <class T>
tensor<T> predict(layer<T>& net, const tensor<T>& x, std::size_t block = 32) {
    return in_row_blocks(x, block, [&](const tensor<T>& rows) { return net.forward(rows, mode::eval); });
}

// Index of the largest value of each row of [batch, classes].
template <class T>
std::vector<std::size_t> argmax_rows(const tensor<T>& z) {
    std::vector<std::size_t> out(z.dim(0));
    for (std::size_t b = 0; b < out.size(); ++b) {
        const auto row = z.row(b);
        out[b] = std::size_t(std::max_element(row.begin(), row.end()) - row.begin());
    }
    return out;
}

template <class T>
using loss_function = std::function<loss_result<T>(const tensor<T>& output, std::span<const std::size_t> labels)>;

template <class T>
loss_result<T> default_loss(const tensor<T>& z, std::span<const std::size_t> y) {
    return cross_entropy<T>(z, y);
}

struct fit_options {
    std::size_t epochs = 10, batch_size = 32;
    std::uint64_t seed = 1;
    std::size_t patience = 0; // epochs without a better validation loss before stopping; 0 = never
    bool restore_best = true; // with validation data: end with the parameters of the best epoch
    bool progress = true;     // one line per epoch on stderr
};

struct epoch_record {
    double loss, accuracy, val_loss, val_accuracy, seconds;
};

struct evaluation {
    double loss, accuracy;
};

// What one minibatch's gradient step reports: its loss summed over its rows, and how many of
// them the network classified right.
struct batch_result {
    double loss_sum;
    std::size_t correct;
};

namespace detail {

template <class T>
std::vector<std::size_t> labels_of(const labelled<T>& data, std::span<const std::size_t> rows) {
    std::vector<std::size_t> y(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) y[i] = data.y[rows[i]];
    return y;
}

template <class T>
batch_result tally(const tensor<T>& z, std::span<const std::size_t> y, double mean_loss) {
    batch_result out{mean_loss * double(y.size()), 0};
    const auto pred = argmax_rows(z);
    for (std::size_t i = 0; i < y.size(); ++i) out.correct += pred[i] == y[i];
    return out;
}

} // namespace detail

// Adds the gradient of `scale` times the mean loss of the rows `rows` of `data` into the network's
// parameter gradients (forward in training mode, then backward); the caller zeroes them first.
// A minibatch split in parts, each part scaled by its share of the rows, adds up to the gradient
// of the whole minibatch's mean loss (dist::fit's shards).
template <class T>
batch_result add_gradient(layer<T>& net, const labelled<T>& data, std::span<const std::size_t> rows, const loss_function<T>& loss,
                          T scale = T(1)) {
    const auto y = detail::labels_of(data, rows);
    const tensor<T> z = net.forward(gather_rows(data.x, rows), mode::train);
    auto l = loss(z, y);
    if (scale != T(1))
        for (auto& g : l.grad.values()) g *= scale;
    net.backward(l.grad);
    return detail::tally(z, y, double(l.value));
}

// The summed loss and the correct count of the rows `rows` of `data` in evaluation mode.
template <class T>
batch_result score(layer<T>& net, const labelled<T>& data, std::span<const std::size_t> rows, const loss_function<T>& loss) {
    const auto y = detail::labels_of(data, rows);
    const tensor<T> z = net.forward(gather_rows(data.x, rows), mode::eval);
    return detail::tally(z, y, double(loss(z, y).value));
}

// Mean loss and accuracy in evaluation mode, in minibatches of `batch_size`.
template <class T>
evaluation evaluate(layer<T>& net, const labelled<T>& data, std::size_t batch_size, const loss_function<T>& loss = default_loss<T>) {
    require(data.size() > 0 && data.x.dim(0) == data.size(), [] { return std::string("evaluate: empty data, or labels and rows differ in number"); });
    double total = 0;
    std::size_t correct = 0;
    for (const std::span<const std::size_t> rows : data::minibatches(data.size(), batch_size)) {
        const batch_result b = score(net, data, rows, loss);
        total += b.loss_sum;
        correct += b.correct;
    }
    return {total / double(data.size()), double(correct) / double(data.size())};
}

// The epochs of a training run: minibatches in an order shuffled from o.seed, `gradient(rows)`
// leaving each minibatch's gradient in the parameters (and returning its batch_result), one
// optimizer step per minibatch, `validate()` after each epoch, progress, early stopping and the
// best model restored. fit() and dist::fit() differ only in `gradient` and `validate`.
template <class T, class Optimizer, class Gradient, class Validate>
std::vector<epoch_record> fit_epochs(layer<T>& net, Optimizer& opt, std::size_t rows, bool validating, const fit_options& o,
                                     Gradient&& gradient, Validate&& validate) {
    require(rows > 0, [] { return std::string("fit: empty training data"); });
    require(o.batch_size > 0 && o.epochs > 0, [] { return std::string("fit: epochs and batch size must be positive"); });
    rng gen(o.seed);
    data::minibatches batches(rows, o.batch_size);
    std::vector<epoch_record> history;
    double best = std::numeric_limits<double>::infinity();
    std::size_t since_best = 0;
    std::unique_ptr<layer<T>> best_net; // a clone of the best epoch's model
    for (std::size_t epoch = 1; epoch <= o.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        batches.shuffle(gen);
        double total = 0;
        std::size_t correct = 0;
        for (const std::span<const std::size_t> batch : batches) {
            const batch_result b = gradient(batch);
            opt.step();
            total += b.loss_sum;
            correct += b.correct;
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        epoch_record rec{total / double(rows), double(correct) / double(rows), std::nan(""), std::nan(""), seconds};
        if (validating) {
            const evaluation v = validate();
            rec.val_loss = v.loss, rec.val_accuracy = v.accuracy;
        }
        history.push_back(rec);
        if (o.progress) {
            std::fprintf(stderr, "epoch %zu  loss %.4f  acc %.4f", epoch, rec.loss, rec.accuracy);
            if (validating) std::fprintf(stderr, "  val loss %.4f  val acc %.4f", rec.val_loss, rec.val_accuracy);
            std::fprintf(stderr, "  %.0f samples/s\n", double(rows) / seconds);
        }
        if (validating) {
            if (rec.val_loss < best) {
                best = rec.val_loss, since_best = 0;
                if (o.restore_best) best_net = net.clone();
            } else if (o.patience && ++since_best >= o.patience) {
                if (o.progress) std::fprintf(stderr, "early stop: no better validation loss in %zu epochs\n", o.patience);
                break;
            }
        }
    }
    if (best_net) copy_weights(*best_net, net);
    return history;
}

template <class T, class Optimizer>
std::vector<epoch_record> fit(layer<T>& net, Optimizer& opt, const labelled<T>& train,
                              std::type_identity_t<const labelled<T>*> validation, const fit_options& o,
                              const loss_function<T>& loss = default_loss<T>) {
    require(train.size() > 0 && train.x.dim(0) == train.size(), [] { return std::string("fit: empty training data, or labels and rows differ in number"); });
    return fit_epochs(
        net, opt, train.size(), validation != nullptr, o,
        [&](std::span<const std::size_t> rows) {
            net.zero_grad();
            return add_gradient(net, train, rows, loss);
        },
        [&] { return evaluate(net, *validation, o.batch_size, loss); });
}

} // namespace qhybrid::nn
