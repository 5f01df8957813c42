// SPDX-License-Identifier: Apache-2.0
#pragma once
// Optimizers over a model's parameters (nn::parameter triples), updated in place by step():
// - sgd: momentum and L2 weight decay as PyTorch's SGD;
// - adam: Adam, or AdamW with decoupled weight decay (adam_options::decoupled).
#include "qhybrid/nn/layer.hpp"

#include <cmath>
#include <vector>

namespace qhybrid::nn {

struct sgd_options {
    double lr = 0.01, momentum = 0, weight_decay = 0;
};

template <class T>
class sgd {
public:
    sgd(std::vector<parameter<T>> params, sgd_options o) : params_(std::move(params)), o_(o) {
        for (auto& p : params_) velocity_.emplace_back(p.value->size(), T(0));
    }
    void step() {
        for (std::size_t k = 0; k < params_.size(); ++k) {
            auto& w = *params_[k].value;
            const auto& g = *params_[k].grad;
            for (std::size_t i = 0; i < w.size(); ++i) {
                T d = g[i] + T(o_.weight_decay) * w[i];
                if (o_.momentum != 0) d = velocity_[k][i] = T(o_.momentum) * velocity_[k][i] + d;
                w[i] -= T(o_.lr) * d;
            }
        }
    }
    void set_learning_rate(double lr) noexcept { o_.lr = lr; }

private:
    std::vector<parameter<T>> params_;
    sgd_options o_;
    std::vector<std::vector<T>> velocity_;
};

struct adam_options {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
    bool decoupled = false; // AdamW
};

template <class T>
class adam {
public:
    adam(std::vector<parameter<T>> params, adam_options o) : params_(std::move(params)), o_(o) {
        for (auto& p : params_) m_.emplace_back(p.value->size(), T(0)), v_.emplace_back(p.value->size(), T(0));
    }
    void step() {
        ++t_;
        const double c1 = 1 - std::pow(o_.beta1, double(t_)), c2 = 1 - std::pow(o_.beta2, double(t_));
        for (std::size_t k = 0; k < params_.size(); ++k) {
            auto& w = *params_[k].value;
            const auto& g = *params_[k].grad;
            for (std::size_t i = 0; i < w.size(); ++i) {
                T d = g[i];
                if (o_.decoupled) w[i] -= T(o_.lr * o_.weight_decay) * w[i];
                else d += T(o_.weight_decay) * w[i];
                m_[k][i] = T(o_.beta1) * m_[k][i] + T(1 - o_.beta1) * d;
                v_[k][i] = T(o_.beta2) * v_[k][i] + T(1 - o_.beta2) * d * d;
                w[i] -= T(o_.lr) * (m_[k][i] / T(c1)) / (std::sqrt(v_[k][i] / T(c2)) + T(o_.eps));
            }
        }
    }
    void set_learning_rate(double lr) noexcept { o_.lr = lr; }

private:
    std::vector<parameter<T>> params_;
    adam_options o_;
    std::vector<std::vector<T>> m_, v_;
    long t_ = 0;
};

} // namespace qhybrid::nn
