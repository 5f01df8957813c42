// SPDX-License-Identifier: Apache-2.0
#pragma once
// export_header(model, sample_shape, path): writes a trained classical model as a C++ header for
// embedded inference: one `inline constexpr embedded::network<...> model` whose layer shapes are
// template arguments and whose weights are std::array values written as hexadecimal floating
// literals (exact). Host-only (it walks the nn layers); the header it writes needs only
// qhybrid/embedded/network.hpp.
//
// Layers with an embedded counterpart: feature_scaling, dense, conv1d, conv2d, max_pool1d,
// max_pool2d, relu, tanh, sigmoid; flatten, reshape and dropout are the identity at inference and
// are left out. Anything else is a qhybrid::error naming the layer.
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/dropout.hpp"
#include "qhybrid/nn/feature_scaling.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/sequential.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace qhybrid::embedded {

enum class element { float32, float64 };

struct export_options {
    std::string name = "exported_model"; // namespace of the generated header
    element type = element::float32;     // values are rounded to it (Cortex-M4F: float32)
};

namespace detail {

// The exact hexadecimal literal of `v` rounded to `type` ("0x1.8p-3f", "-0x1.5555555555555p-2").
inline std::string hex_literal(double v, element type) {
    char buf[48];
    if (type == element::float32) std::snprintf(buf, sizeof buf, "%af", double(float(v)));
    else std::snprintf(buf, sizeof buf, "%a", v);
    return buf;
}

template <class T>
class header_writer {
public:
    explicit header_writer(const export_options& o) : o_(o) {}

    // Adds `l` (a sequential is walked) for a sample of shape `in` (without the batch dimension).
    void add(nn::layer<T>& l, nn::shape_t& in) {
        if (auto* seq = dynamic_cast<nn::sequential<T>*>(&l)) {
            for (std::size_t i = 0; i < seq->size(); ++i) add((*seq)[i], in);
            return;
        }
        nn::shape_t batch{1};
        batch.insert(batch.end(), in.begin(), in.end());
        const nn::shape_t out = l.forward(nn::tensor<T>(batch), nn::mode::eval).shape();
        const std::string dims = join(in);
        if (auto* s = dynamic_cast<nn::feature_scaling<T>*>(&l)) {
            const auto b = s->buffers();
            layer("feature_scaling<real, " + std::to_string(s->features()) + ">", {b[0]->values(), b[1]->values()});
        } else if (auto* d = dynamic_cast<nn::dense<T>*>(&l)) {
            layer("dense<real, " + std::to_string(d->inputs()) + ", " + std::to_string(d->outputs()) + ">", weights(l));
        } else if (auto* c = dynamic_cast<nn::conv1d<T>*>(&l)) {
            const auto& s = c->shape();
            layer("conv1d<real, " + join({s.in, s.out, in[1], s.kw, s.sw, s.pw}) + ">", weights(l));
        } else if (auto* c2 = dynamic_cast<nn::conv2d<T>*>(&l)) {
            const auto& s = c2->shape();
            layer("conv2d<real, " + join({s.in, s.out, in[1], in[2], s.kh, s.kw, s.sh, s.sw, s.ph, s.pw}) + ">", weights(l));
        } else if (auto* p = dynamic_cast<nn::max_pool1d<T>*>(&l)) {
            const auto g = p->window_geometry();
            layer("max_pool1d<real, " + join({in[0], in[1], g.kw, g.sw}) + ">", {});
        } else if (auto* p2 = dynamic_cast<nn::max_pool2d<T>*>(&l)) {
            const auto g = p2->window_geometry();
            layer("max_pool2d<real, " + join({in[0], in[1], in[2], g.kh, g.kw, g.sh, g.sw}) + ">", {});
        } else if (dynamic_cast<nn::relu<T>*>(&l) || dynamic_cast<nn::tanh<T>*>(&l) || dynamic_cast<nn::sigmoid<T>*>(&l)) {
            const char* kind = dynamic_cast<nn::relu<T>*>(&l) ? "relu" : dynamic_cast<nn::tanh<T>*>(&l) ? "tanh" : "sigmoid";
            layer(std::string(kind) + "<real, " + std::to_string(nn::element_count(in)) + ">", {});
        } else {
            require(dynamic_cast<nn::flatten<T>*>(&l) || dynamic_cast<nn::reshape<T>*>(&l) || dynamic_cast<nn::dropout<T>*>(&l),
                    [&] { return "export_header: layer " + l.describe() + " has no embedded counterpart"; });
        }
        in.assign(out.begin() + 1, out.end());
    }

    std::string text(const std::string& description, const nn::shape_t& input, const nn::shape_t& output) const {
        std::string s = "// Written by qhybrid::embedded::export_header; do not edit.\n// Model: " + description +
                        "\n// Input: " + nn::to_string(input) + " per sample; output: " + nn::to_string(output) +
                        ".\n#pragma once\n#include <qhybrid/embedded/network.hpp>\n\nnamespace " + o_.name +
                        " {\n\nusing real = " + (o_.type == element::float32 ? "float" : "double") +
                        ";\nnamespace e = qhybrid::embedded;\n\ninline constexpr e::network<real";
        for (const auto& t : types_) s += ",\n    e::" + t;
        s += ">\n    model{";
        for (std::size_t i = 0; i < types_.size(); ++i) {
            s += i ? ",\n    e::" : "\n    e::";
            s += types_[i] + inits_[i];
        }
        return s + "};\n\n} // namespace " + o_.name + "\n";
    }

private:
    static std::vector<std::span<const T>> weights(nn::layer<T>& l) {
        std::vector<std::span<const T>> out;
        for (auto& p : l.parameters()) out.push_back(p.value->values());
        return out;
    }
    void layer(std::string type, const std::vector<std::span<const T>>& arrays) {
        std::string init = "{";
        for (std::size_t a = 0; a < arrays.size(); ++a) {
            init += a ? ", {{" : "{{";
            for (std::size_t i = 0; i < arrays[a].size(); ++i) {
                if (i) init += ',';
                init += literal(arrays[a][i], type);
            }
            init += "}}";
        }
        types_.push_back(std::move(type));
        inits_.push_back(init + "}");
    }
    std::string literal(T v, const std::string& where) const {
        require(std::isfinite(v), [&] { return "export_header: a weight of " + where + " is not finite"; });
        return hex_literal(double(v), o_.type);
    }
    static std::string join(const std::vector<std::size_t>& v) {
        std::string s;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) s += ", ";
            s += std::to_string(v[i]);
        }
        return s;
    }

    export_options o_;
    std::vector<std::string> types_, inits_;
};

} // namespace detail

// `sample_shape` is one input sample's shape (e.g. {26}); the model runs once on zeros to follow
// the shapes through its layers.
template <class T>
void export_header(nn::layer<T>& model, const nn::shape_t& sample_shape, const std::filesystem::path& path,
                   const export_options& o = {}) {
    require(!o.name.empty() && (std::isalpha(static_cast<unsigned char>(o.name[0])) || o.name[0] == '_') &&
                o.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos,
            [&] { return "export_header: \"" + o.name + "\" is not a C++ identifier"; });
    detail::header_writer<T> w(o);
    nn::shape_t shape = sample_shape;
    w.add(model, shape);
    write_file_atomically(path, w.text(model.describe(), sample_shape, shape), "export_header");
}

} // namespace qhybrid::embedded
