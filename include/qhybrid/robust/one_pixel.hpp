// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one-pixel attack (Su, Vargas & Sakurai, IEEE TEVC 2019): change `pixels` positions of the
// input to any value in the box, found by differential evolution from the outputs alone.
// A candidate is, per pixel, a position (row, column; a feature index for [batch, D] inputs) and a
// value per channel. The population starts with positions uniform and values normal around the
// box's middle with a deviation of half its width (the paper's N(128, 127) for 8-bit pixels),
// clipped; each generation every member i breeds x_r1 + F (x_r2 - x_r3) (DE/rand/1, no
// crossover, r1, r2, r3 distinct and not i), positions rounded and clipped, and the child replaces
// i when its fitness is lower: the probability of the true class (untargeted) or one minus that
// of the target. A sample stops once fooled. Defaults are the paper's: 400 members, 100
// generations, F = 0.5, one pixel. Each sample's draws come from its own stream (seed, id).
#include "qhybrid/robust/attack.hpp"

namespace qhybrid::robust {

struct one_pixel_options {
    std::size_t pixels = 1;
    std::size_t population = 400;
    std::size_t generations = 100;
    double scale = 0.5; // F
    double lo = 0, hi = 1;
    std::span<const std::size_t> targets = {};
    std::uint64_t seed = 0;
    std::uint64_t first_sample = 0;
};

template <attack_model M, class T = typename M::value_type>
attack_result<T> one_pixel(M& model, const nn::tensor<T>& x, std::span<const std::size_t> labels, const one_pixel_options& o) {
    const threat box{.p = norm::linf, .epsilon = 0, .lo = o.lo, .hi = o.hi};
    detail::check_attack_input(x, labels, o.targets, box, "one_pixel");
    const auto& s = x.shape();
    const std::size_t channels = s.size() == 4 ? s[1] : 1, height = s.size() >= 3 ? s[s.size() - 2] : 1, width = s.back();
    require(channels * height * width == x.row_size() && o.pixels > 0 && o.pixels <= height * width && o.population >= 4 &&
                o.generations > 0 && o.scale > 0,
            [&] {
                return "one_pixel: inputs of shape " + nn::to_string(s) + ", " + std::to_string(o.pixels) + " pixels, population " +
                       std::to_string(o.population) + ", " + std::to_string(o.generations) + " generations, F " + number(o.scale) +
                       " (needs [batch, C, H, W], [batch, H, W] or [batch, D] inputs, 1 to H W pixels, 4 members or more)";
            });
    const std::size_t genes = o.pixels * (2 + channels), members = o.population, n = labels.size();
    attack_result<T> out{x, std::vector<std::uint8_t>(n, 0), std::vector<T>(n)};
    // A candidate's input: the clean sample with its pixels set.
    auto apply = [&](std::size_t b, std::span<const double> g, std::span<T> into) {
        std::copy(x.row(b).begin(), x.row(b).end(), into.begin());
        for (std::size_t p = 0; p < o.pixels; ++p) {
            const auto* gene = g.data() + p * (2 + channels);
            const std::size_t row = std::size_t(std::clamp(std::round(gene[0]), 0.0, double(height - 1)));
            const std::size_t column = std::size_t(std::clamp(std::round(gene[1]), 0.0, double(width - 1)));
            for (std::size_t c = 0; c < channels; ++c) into[(c * height + row) * width + column] = T(std::clamp(gene[2 + c], o.lo, o.hi));
        }
    };
    auto spread = [&](std::size_t k) { // how far a gene ranges: rows, columns, values
        const std::size_t j = k % (2 + channels);
        return j == 0 ? double(height - 1) : j == 1 ? double(width - 1) : o.hi - o.lo;
    };
    for (std::size_t b = 0; b < n; ++b) {
        const std::uint64_t id = o.first_sample + b;
        rng gen = rng::stream(o.seed, id, 0), model_gen = detail::sample_model_stream(o.seed, id);
        const std::size_t label = labels[b], wanted = o.targets.empty() ? label : o.targets[b];
        const bool targeted = !o.targets.empty();
        std::vector<double> pop(members * genes), fitness(members), child(genes);
        for (std::size_t m = 0; m < members; ++m)
            for (std::size_t k = 0; k < genes; ++k) {
                const std::size_t j = k % (2 + channels);
                pop[m * genes + k] = j < 2 ? gen.uniform(0, spread(k)) : std::clamp((o.lo + o.hi) / 2 + (o.hi - o.lo) / 2 * gen.normal(), o.lo, o.hi);
            }
        nn::shape_t shape = s;
        shape[0] = members;
        nn::tensor<T> inputs(shape);
        // Fitness of every member in `from` (members x genes), one forward over the population.
        auto judge = [&](const std::vector<double>& from, std::vector<double>& into, std::size_t& hit) {
            for (std::size_t m = 0; m < members; ++m) apply(b, std::span<const double>(from).subspan(m * genes, genes), inputs.row(m));
            const nn::tensor<T> z = model.logits(inputs, model_gen);
            out.forward_evaluations += members;
            nn::tensor<T> p(z.shape());
            nn::softmax_rows<T>(z.values(), z.dim(1), p.values(), false);
            const auto predicted = nn::argmax_rows(z);
            hit = members;
            for (std::size_t m = 0; m < members; ++m) {
                into[m] = targeted ? 1 - double(p.row(m)[wanted]) : double(p.row(m)[label]);
                if (hit == members && (targeted ? predicted[m] == wanted : predicted[m] != label)) hit = m;
            }
        };
        std::size_t hit = members;
        judge(pop, fitness, hit);
        std::vector<double> children(members * genes), child_fitness(members);
        for (std::size_t g = 0; g < o.generations && hit == members; ++g) {
            for (std::size_t m = 0; m < members; ++m) {
                std::size_t r[3];
                for (std::size_t k = 0; k < 3; ++k)
                    do r[k] = std::size_t(gen.below(members));
                    while (r[k] == m || (k > 0 && r[k] == r[0]) || (k > 1 && r[k] == r[1]));
                for (std::size_t k = 0; k < genes; ++k) {
                    double v = pop[r[0] * genes + k] + o.scale * (pop[r[1] * genes + k] - pop[r[2] * genes + k]);
                    children[m * genes + k] = k % (2 + channels) < 2 ? std::clamp(std::round(v), 0.0, spread(k)) : std::clamp(v, o.lo, o.hi);
                }
            }
            std::size_t child_hit = members;
            judge(children, child_fitness, child_hit);
            for (std::size_t m = 0; m < members; ++m)
                if (child_fitness[m] < fitness[m] || m == child_hit) {
                    std::copy_n(children.begin() + long(m * genes), genes, pop.begin() + long(m * genes));
                    fitness[m] = child_fitness[m];
                }
            hit = child_hit;
        }
        const std::size_t best = hit < members ? hit : std::size_t(std::min_element(fitness.begin(), fitness.end()) - fitness.begin());
        apply(b, std::span<const double>(pop).subspan(best * genes, genes), out.adversarial.row(b));
        out.fooled[b] = hit < members, out.loss[b] = T(-fitness[best]);
    }
    return out;
}

} // namespace qhybrid::robust
