// SPDX-License-Identifier: Apache-2.0
#pragma once
// SCRUB (Kurmanji, Triantafillou, Hayes, Triantafillou, NeurIPS 2023): the network is a student
// of its original self. Each of the first `max_epochs` epochs first steps over the forget set
// away from the teacher (maximising the distillation divergence), then every epoch steps over
// the retain set towards it:
//   max-step: -KL(teacher || student) on forget batches;
//   min-step: alpha KL(teacher || student) + gamma CE on retain batches;
// KL at temperature T, as Hinton's distillation: T^2 times the batch mean of
// KL(softmax(z_t / T) || softmax(z_s / T)). The authors' defaults: T 4, alpha 0.001, gamma 0.99.
#include "qhybrid/data/batches.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/optimizers.hpp"
#include "qhybrid/unlearn/finetuning.hpp"
#include "qhybrid/unlearn/strategy.hpp"

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace qhybrid::unlearn {

// T^2 (1/B) sum_b KL(softmax(teacher_b / T) || softmax(student_b / T)) and its gradient with
// respect to the student's logits, T (q - p) / B.
template <class T>
nn::loss_result<T> distillation_kl(const nn::tensor<T>& student, const nn::tensor<T>& teacher, double temperature) {
    require(student.shape() == teacher.shape() && student.rank() == 2 && temperature > 0, [&] {
        return "distillation_kl: student logits " + nn::to_string(student.shape()) + ", teacher logits " + nn::to_string(teacher.shape()) +
               ", temperature " + number(temperature);
    });
    const std::size_t batch = student.dim(0), classes = student.dim(1);
    nn::tensor<T> s = student, t = teacher, log_q(student.shape()), log_p(student.shape());
    for (auto& v : s.values()) v /= T(temperature);
    for (auto& v : t.values()) v /= T(temperature);
    nn::softmax_rows<T>(s.values(), classes, log_q.values(), true);
    nn::softmax_rows<T>(t.values(), classes, log_p.values(), true);
    nn::loss_result<T> r{T(0), nn::tensor<T>(student.shape())};
    const T scale = T(temperature * temperature) / T(batch);
    for (std::size_t i = 0; i < student.size(); ++i) {
        const T p = std::exp(log_p[i]);
        r.value += scale * p * (log_p[i] - log_q[i]);
        r.grad[i] = T(temperature) * (std::exp(log_q[i]) - p) / T(batch);
    }
    return r;
}

template <class T>
struct scrub {
    tuning_options o;           // epochs: min-step epochs in all
    std::size_t max_epochs = 2; // the first epochs with a max-step
    double temperature = 4, alpha = 0.001, gamma = 0.99;

    std::string name() const { return "SCRUB"; }
    void unlearn(nn::sequential<T>& net, const request<T>& r) const {
        require(r.retain.size() > 0 && r.forget.size() > 0 && max_epochs <= o.epochs, [&] {
            return "scrub: " + std::to_string(r.retain.size()) + " retain and " + std::to_string(r.forget.size()) + " forget samples, " +
                   std::to_string(max_epochs) + " max-step epochs of " + std::to_string(o.epochs);
        });
        nn::sequential<T> teacher = net;
        nn::adam<T> opt(net.parameters(), {.lr = o.lr});
        rng gen(o.seed);
        data::minibatches retain_batches(r.retain.size(), o.batch_size), forget_batches(r.forget.size(), o.batch_size);
        // One step on a batch: the divergence from the teacher weighted by `kl`, plus `ce` CE.
        const auto step = [&](const nn::labelled<T>& set, std::span<const std::size_t> rows, double kl, double ce) {
            const nn::tensor<T> x = nn::gather_rows(set.x, rows);
            std::vector<std::size_t> y(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) y[i] = set.y[rows[i]];
            const nn::tensor<T> target = teacher.forward(x, nn::mode::eval);
            net.zero_grad();
            const nn::tensor<T> z = net.forward(x, nn::mode::train);
            nn::tensor<T> grad = distillation_kl(z, target, temperature).grad;
            for (auto& g : grad.values()) g *= T(kl);
            if (ce != 0) {
                const auto l = nn::cross_entropy<T>(z, y);
                for (std::size_t i = 0; i < grad.size(); ++i) grad[i] += T(ce) * l.grad[i];
            }
            net.backward(grad);
            opt.step();
        };
        for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
            if (epoch < max_epochs) {
                forget_batches.shuffle(gen);
                for (const std::span<const std::size_t> rows : forget_batches) step(r.forget, rows, -1, 0);
            }
            retain_batches.shuffle(gen);
            for (const std::span<const std::size_t> rows : retain_batches) step(r.retain, rows, alpha, gamma);
        }
    }
};

} // namespace qhybrid::unlearn
