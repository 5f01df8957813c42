// SPDX-License-Identifier: Apache-2.0
#pragma once
// QShield's fusion of its two heads (DynamicWeightingModule and hybrid_forward in the authors'
// qnn_toolkit.py), per sample, with c the backbone's K logits and q the quantum module's first K
// basis-state probabilities:
//   statistics  std (unbiased), max and kurtosis mean((v - mean)^4) / (std^4 + 1e-8) of
//               log softmax(c) and of log q, and the correlation of the two (centred dot over the
//               product of norms + 1e-8): 7 values (the authors' backbones end in LogSoftmax, and
//               their statistics read its output);
//   weight      alpha = MLP(statistics): Linear(7, 128), LeakyReLU(0.2), 2 x [Linear(128, 128),
//               LeakyReLU(0.2), BatchNorm], Linear(128, 1), sigmoid;
//   rule        p_c = max(softmax(c), e), p_q = max(q / (sum q + e), e), beta = sqrt(clamp(1 - alpha^2, e, 1)),
//               h = (alpha sqrt(p_c) + beta sqrt(p_q))^2, h = max(h / (sum h + e), e), e = 1e-8;
//   output      log h (log-probabilities; cross-entropy on them is the authors' NLL up to their 1e-8).
// A probability q of exactly 0 (possible without noise) would make the authors' statistics NaN;
// it is read as 1e-30. backward() returns the gradients of c and of q; QShield's faithful
// variant drops the second (its quantum branch is detached).
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/batch_norm.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

namespace qhybrid::models {

namespace detail {

inline constexpr double fusion_eps = 1e-8, least_probability = 1e-30;

// std, max and kurtosis of v, and their gradients (dv += d_std dstd/dv + ...).
struct moments {
    double mean = 0, sigma = 0, max = 0, m4 = 0, kurtosis = 0;
    std::size_t argmax = 0;

    explicit moments(const std::vector<double>& v) {
        const double k = double(v.size());
        for (double x : v) mean += x;
        mean /= k;
        double ss = 0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double d = v[i] - mean;
            ss += d * d, m4 += d * d * d * d;
            if (v[i] > v[argmax]) argmax = i;
        }
        max = v[argmax], m4 /= k, sigma = std::sqrt(ss / (k - 1));
        kurtosis = m4 / (std::pow(sigma, 4) + fusion_eps);
    }

    void backward(const std::vector<double>& v, double dstd, double dmax, double dkurt, std::vector<double>& dv) const {
        const double k = double(v.size()), s4 = std::pow(sigma, 4) + fusion_eps;
        double mean_d3 = 0;
        for (double x : v) mean_d3 += std::pow(x - mean, 3);
        mean_d3 /= k;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double d = v[i] - mean;
            const double dsigma = sigma > 0 ? d / ((k - 1) * sigma) : 0;
            const double dm4 = 4 / k * (d * d * d - mean_d3);
            dv[i] += dstd * dsigma + dkurt * (dm4 / s4 - m4 / (s4 * s4) * 4 * sigma * sigma * sigma * dsigma);
        }
        dv[argmax] += dmax;
    }
};

} // namespace detail

template <class T>
class qshield_fusion {
public:
    static constexpr std::size_t statistics = 7;

    qshield_fusion(std::size_t classes, rng& gen) : classes_(classes) {
        mlp_.template add<nn::dense<T>>(statistics, 128, gen).template add<nn::leaky_relu<T>>(0.2);
        for (int i = 0; i < 2; ++i)
            mlp_.template add<nn::dense<T>>(128, 128, gen).template add<nn::leaky_relu<T>>(0.2).template add<nn::batch_norm<T>>(128);
        mlp_.template add<nn::dense<T>>(128, 1, gen).template add<nn::sigmoid<T>>();
    }

    // log h [batch, K] from c [batch, K] and q [batch, K].
    nn::tensor<T> forward(const nn::tensor<T>& c, const nn::tensor<T>& q, nn::mode m) {
        require(c.rank() == 2 && c.dim(1) == classes_ && q.shape() == c.shape(), [&] {
            return "qshield_fusion: heads of shapes " + nn::to_string(c.shape()) + " and " + nn::to_string(q.shape()) + ", expected [batch, " +
                   std::to_string(classes_) + "] each";
        });
        const std::size_t batch = c.dim(0);
        c_ = c, q_ = q;
        stats_ = nn::tensor<T>({batch, statistics});
        for (std::size_t b = 0; b < batch; ++b) {
            const auto [cs, ls] = heads(b);
            const detail::moments mc(cs), ml(ls);
            double dot = 0, nc = 0, nl = 0;
            for (std::size_t k = 0; k < classes_; ++k) {
                dot += (cs[k] - mc.mean) * (ls[k] - ml.mean);
                nc += (cs[k] - mc.mean) * (cs[k] - mc.mean), nl += (ls[k] - ml.mean) * (ls[k] - ml.mean);
            }
            const std::array<double, statistics> s = {mc.sigma, mc.max, mc.kurtosis, ml.sigma, ml.max, ml.kurtosis,
                                                      dot / (std::sqrt(nc) * std::sqrt(nl) + detail::fusion_eps)};
            std::copy(s.begin(), s.end(), stats_.row(b).begin());
        }
        alpha_ = mlp_.forward(stats_, m);
        out_ = nn::tensor<T>({batch, classes_});
        for (std::size_t b = 0; b < batch; ++b) {
            const auto r = rule(b);
            for (std::size_t k = 0; k < classes_; ++k) out_.row(b)[k] = T(std::log(std::max(r.h[k], detail::fusion_eps)));
        }
        return out_;
    }

    // (dL/dc, dL/dq) from dL/d(log h).
    std::pair<nn::tensor<T>, nn::tensor<T>> backward(const nn::tensor<T>& dout) {
        nn::require_forward(out_, "qshield_fusion");
        require(dout.shape() == out_.shape(), [&] { return "qshield_fusion backward: gradient of shape " + nn::to_string(dout.shape()); });
        const std::size_t batch = c_.dim(0);
        nn::tensor<T> dc({batch, classes_}), dq({batch, classes_}), dalpha({batch, 1});
        std::vector<double> dh(classes_), damp(classes_);
        for (std::size_t b = 0; b < batch; ++b) {
            const auto r = rule(b);
            // h = max(ht / H, e), H = sum ht + e, ht = amp^2.
            double dot = 0;
            for (std::size_t k = 0; k < classes_; ++k) {
                dh[k] = r.h[k] >= detail::fusion_eps ? double(dout.row(b)[k]) / r.h[k] : 0;
                dot += dh[k] * r.ht[k];
            }
            double da = 0, dbeta = 0;
            for (std::size_t k = 0; k < classes_; ++k) {
                damp[k] = 2 * r.amp[k] * (dh[k] / r.total - dot / (r.total * r.total));
                da += damp[k] * std::sqrt(r.pc[k]), dbeta += damp[k] * std::sqrt(r.pq[k]);
            }
            if (r.beta_free) da += dbeta * -r.alpha / r.beta;
            dalpha.row(b)[0] = r.alpha_free ? T(da) : T(0);
            // p_c = max(softmax(c), e): dc = s (ds - s . ds).
            double s_ds = 0;
            std::vector<double> ds(classes_), dpq(classes_);
            for (std::size_t k = 0; k < classes_; ++k) {
                ds[k] = r.softmax[k] >= detail::fusion_eps ? damp[k] * r.alpha / (2 * std::sqrt(r.pc[k])) : 0;
                s_ds += r.softmax[k] * ds[k];
            }
            double q_dpq = 0;
            for (std::size_t k = 0; k < classes_; ++k) {
                dc.row(b)[k] = T(r.softmax[k] * (ds[k] - s_ds));
                dpq[k] = r.pq_raw[k] >= detail::fusion_eps ? damp[k] * r.beta / (2 * std::sqrt(r.pq[k])) : 0;
                q_dpq += dpq[k] * double(q_.row(b)[k]);
            }
            const double qs = r.q_sum + detail::fusion_eps;
            for (std::size_t k = 0; k < classes_; ++k) dq.row(b)[k] = T(dpq[k] / qs - q_dpq / (qs * qs));
        }
        // The weight's statistics, back to c and to q (through log q).
        const nn::tensor<T> dstats = mlp_.backward(dalpha);
        for (std::size_t b = 0; b < batch; ++b) {
            const auto [cs, ls] = heads(b);
            const detail::moments mc(cs), ml(ls);
            const auto g = dstats.row(b);
            std::vector<double> gc(classes_, 0.0), gl(classes_, 0.0);
            mc.backward(cs, double(g[0]), double(g[1]), double(g[2]), gc);
            ml.backward(ls, double(g[3]), double(g[4]), double(g[5]), gl);
            double dot = 0, nc = 0, nl = 0;
            for (std::size_t k = 0; k < classes_; ++k) {
                dot += (cs[k] - mc.mean) * (ls[k] - ml.mean);
                nc += (cs[k] - mc.mean) * (cs[k] - mc.mean), nl += (ls[k] - ml.mean) * (ls[k] - ml.mean);
            }
            nc = std::sqrt(nc), nl = std::sqrt(nl);
            const double d = nc * nl + detail::fusion_eps;
            for (std::size_t k = 0; k < classes_; ++k) { // the centring's own term cancels: both vectors sum to 0
                const double dcs = cs[k] - mc.mean, dls = ls[k] - ml.mean;
                gc[k] += double(g[6]) * (dls / d - (nc > 0 ? dot / (d * d) * nl * dcs / nc : 0));
                gl[k] += double(g[6]) * (dcs / d - (nl > 0 ? dot / (d * d) * nc * dls / nl : 0));
            }
            double gc_sum = 0; // back through log softmax: dc = g - softmax(c) sum(g)
            for (double v : gc) gc_sum += v;
            for (std::size_t k = 0; k < classes_; ++k) {
                dc.row(b)[k] += T(gc[k] - std::exp(cs[k]) * gc_sum);
                const double qk = double(q_.row(b)[k]);
                if (qk > detail::least_probability) dq.row(b)[k] += T(gl[k] / qk);
            }
        }
        return {dc, dq};
    }

    std::vector<nn::parameter<T>> parameters() { return mlp_.parameters(); }
    std::vector<nn::tensor<T>*> buffers() { return mlp_.buffers(); }
    std::string describe() const { return "qshield_fusion(" + mlp_.describe() + ")"; }
    const nn::tensor<T>& alpha() const noexcept { return alpha_; }      // [batch, 1], of the last forward
    const nn::tensor<T>& statistics_of_last() const noexcept { return stats_; } // [batch, 7], the MLP's input

private:
    // Row b's log softmax(c) and log q, in double.
    std::pair<std::vector<double>, std::vector<double>> heads(std::size_t b) const {
        const auto row = c_.row(b);
        const double top = double(*std::max_element(row.begin(), row.end()));
        double z = 0;
        for (std::size_t k = 0; k < classes_; ++k) z += std::exp(double(row[k]) - top);
        std::vector<double> cs(classes_), ls(classes_);
        for (std::size_t k = 0; k < classes_; ++k)
            cs[k] = double(row[k]) - top - std::log(z), ls[k] = std::log(std::max(double(q_.row(b)[k]), detail::least_probability));
        return {cs, ls};
    }

    struct rule_values {
        double alpha, beta, total, q_sum = 0;
        bool alpha_free, beta_free;
        std::vector<double> softmax, pc, pq_raw, pq, amp, ht, h;
    };

    // The combination rule of row b, from the alpha of the last forward.
    rule_values rule(std::size_t b) const {
        rule_values r;
        const double raw = double(alpha_.row(b)[0]);
        r.alpha = std::clamp(raw, 0.0, 1.0), r.alpha_free = raw >= 0 && raw <= 1;
        const double one_minus = 1 - r.alpha * r.alpha;
        r.beta = std::sqrt(std::clamp(one_minus, detail::fusion_eps, 1.0));
        r.beta_free = one_minus >= detail::fusion_eps && one_minus <= 1;
        const auto row = c_.row(b);
        const double top = double(*std::max_element(row.begin(), row.end()));
        double z = 0;
        for (std::size_t k = 0; k < classes_; ++k) z += std::exp(double(row[k]) - top);
        for (std::size_t k = 0; k < classes_; ++k) r.q_sum += double(q_.row(b)[k]);
        r.total = detail::fusion_eps;
        for (std::size_t k = 0; k < classes_; ++k) {
            r.softmax.push_back(std::exp(double(row[k]) - top) / z);
            r.pc.push_back(std::max(r.softmax[k], detail::fusion_eps));
            r.pq_raw.push_back(double(q_.row(b)[k]) / (r.q_sum + detail::fusion_eps));
            r.pq.push_back(std::max(r.pq_raw[k], detail::fusion_eps));
            r.amp.push_back(r.alpha * std::sqrt(r.pc[k]) + r.beta * std::sqrt(r.pq[k]));
            r.ht.push_back(r.amp[k] * r.amp[k]);
            r.total += r.ht[k];
        }
        for (std::size_t k = 0; k < classes_; ++k) r.h.push_back(r.ht[k] / r.total);
        return r;
    }

    std::size_t classes_;
    nn::sequential<T> mlp_;
    nn::tensor<T> c_, q_, stats_, alpha_, out_;
};

} // namespace qhybrid::models
