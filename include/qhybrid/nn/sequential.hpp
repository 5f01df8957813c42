// SPDX-License-Identifier: Apache-2.0
#pragma once
// sequential: layers applied in order; itself a layer, so models nest. Copying deep-copies the
// layers (a checkpoint is a copy).
// Usage:
//   nn::sequential<float> net;
//   net.add<nn::dense<float>>(26, 64, gen).add<nn::relu<float>>().add<nn::dense<float>>(64, 2, gen);
#include "qhybrid/nn/layer.hpp"

#include <memory>
#include <utility>
#include <vector>

namespace qhybrid::nn {

template <class T>
class sequential : public layer<T> {
public:
    sequential() = default;
    sequential(const sequential& o) {
        for (const auto& l : o.layers_) layers_.push_back(l->clone());
    }
    sequential& operator=(const sequential& o) {
        if (this != &o) *this = sequential(o);
        return *this;
    }
    sequential(sequential&&) noexcept = default;
    sequential& operator=(sequential&&) noexcept = default;

    template <class L, class... Args>
    sequential& add(Args&&... args) {
        layers_.push_back(std::make_unique<L>(std::forward<Args>(args)...));
        return *this;
    }
    sequential& add(std::unique_ptr<layer<T>> l) {
        layers_.push_back(std::move(l));
        return *this;
    }

    tensor<T> forward(const tensor<T>& x, mode m) override {
        tensor<T> y = x;
        for (auto& l : layers_) y = l->forward(y, m);
        return y;
    }
    tensor<T> backward(const tensor<T>& dy) override {
        tensor<T> d = dy;
        for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) d = (*it)->backward(d);
        return d;
    }
    void reseed(std::uint64_t key) override {
        for (auto& l : layers_) l->reseed(key);
    }
    // Parameters named "<layer index>.<name>".
    std::vector<parameter<T>> parameters() override {
        std::vector<parameter<T>> all;
        for (std::size_t i = 0; i < layers_.size(); ++i)
            for (auto p : layers_[i]->parameters()) {
                p.name = std::to_string(i) + "." + p.name;
                all.push_back(std::move(p));
            }
        return all;
    }
    std::vector<tensor<T>*> buffers() override {
        std::vector<tensor<T>*> all;
        for (auto& l : layers_)
            for (auto* b : l->buffers()) all.push_back(b);
        return all;
    }
    std::string describe() const override {
        std::string s = "sequential(";
        for (std::size_t i = 0; i < layers_.size(); ++i) s += (i ? ", " : "") + layers_[i]->describe();
        return s + ")";
    }
    std::unique_ptr<layer<T>> clone() const override { return std::make_unique<sequential>(*this); }

    std::size_t size() const noexcept { return layers_.size(); }
    layer<T>& operator[](std::size_t i) { return *layers_[i]; }

    std::size_t parameter_count() {
        std::size_t n = 0;
        for (auto& p : parameters()) n += p.value->size();
        return n;
    }

private:
    std::vector<std::unique_ptr<layer<T>>> layers_;
};

} // namespace qhybrid::nn
