// SPDX-License-Identifier: Apache-2.0
#pragma once
// The only source of randomness in qhybrid: an explicitly seeded xoshiro256** generator whose
// streams (and the distributions below) are identical on every platform and compiler.
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <utility>

namespace qhybrid {

class rng {
public:
    using result_type = std::uint64_t;

    explicit rng(std::uint64_t seed) noexcept {
        for (auto& word : s_) word = splitmix64(seed);
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // An independent stream for one work item (a sample, a restart), keyed by the item and never
    // by the thread or batch that runs it: results then do not depend on how work is split.
    static rng stream(std::uint64_t seed, std::uint64_t item, std::uint64_t sub = 0) noexcept {
        std::uint64_t a = seed;
        std::uint64_t b = splitmix64(a) ^ item;
        std::uint64_t c = splitmix64(b) ^ sub;
        return rng(splitmix64(c));
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

    // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).
    std::uint64_t below(std::uint64_t n) noexcept {
        if (n == 0) return 0;
        __uint128_t m = static_cast<__uint128_t>((*this)()) * n;
        if (static_cast<std::uint64_t>(m) < n) {
            const std::uint64_t threshold = -n % n;
            while (static_cast<std::uint64_t>(m) < threshold)
                m = static_cast<__uint128_t>((*this)()) * n;
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    // Standard normal (Box-Muller; the second value is discarded to keep the stream simple).
    double normal() noexcept {
        const double u1 = 1.0 - uniform(); // (0, 1]
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    // Binomial(n, p); see class binomial (which saves the set-up when n and p repeat).
    std::uint64_t binomial(std::uint64_t n, double p) noexcept;

    // Fisher-Yates, so that a seed gives the same order everywhere (std::shuffle does not).
    template <class T>
    void shuffle(std::span<T> items) noexcept {
        for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    static constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    std::uint64_t s_[4];
};

// Binomial(n, p): the number of ones in n draws that are 1 with probability p. Exact inversion of
// the distribution, walking outward from its mode (about sqrt(n p (1 - p)) steps a draw). The
// set-up (the probability of the mode, by log-gamma) is done once, here.
class binomial {
public:
    binomial(std::uint64_t n, double p) noexcept : n_(n), p_(p) {
        if (!(p > 0) || !(p < 1)) return;
        ratio_ = p / (1 - p);
        const double nn = double(n);
        mode_ = std::uint64_t(std::floor((nn + 1) * p)); // <= n as p < 1
        const double m = double(mode_);
        at_mode_ = std::exp(std::lgamma(nn + 1) - std::lgamma(m + 1) - std::lgamma(nn - m + 1) + m * std::log(p) + (nn - m) * std::log1p(-p));
    }

    std::uint64_t operator()(rng& gen) const noexcept {
        if (!(p_ > 0)) return 0;
        if (!(p_ < 1)) return n_;
        double u = gen.uniform() - at_mode_, p_up = at_mode_, p_down = at_mode_;
        if (u < 0) return mode_;
        for (std::uint64_t up = mode_, down = mode_; up < n_ || down > 0;) {
            if (up < n_) {
                p_up *= double(n_ - up) / double(up + 1) * ratio_, ++up;
                if ((u -= p_up) < 0) return up;
            }
            if (down > 0) {
                p_down *= double(down) / (double(n_ - down + 1) * ratio_), --down;
                if ((u -= p_down) < 0) return down;
            }
            if (p_up == 0 && p_down == 0) break; // both tails underflowed: what is left of u is rounding
        }
        return mode_;
    }

private:
    std::uint64_t n_, mode_ = 0;
    double p_, ratio_ = 1, at_mode_ = 1;
};

inline std::uint64_t rng::binomial(std::uint64_t n, double p) noexcept { return qhybrid::binomial(n, p)(*this); }

} // namespace qhybrid
