// SPDX-License-Identifier: Apache-2.0
#pragma once
// Saving and loading a model's weights: every parameter and buffer, in the versioned binary format
// of docs/weights-format.md (little-endian, FNV-1a 64 checksum over everything before it), with
// an optional metadata text (a detector keeps its sample rate, feature recipe, split, calibration
// and training-domain summary there, as JSON). Loading checks the format, the element type, the
// architecture description and every tensor's name and shape before it changes anything, so a
// file from another model or a damaged file is a clear error and leaves the model as it was.
// Files are written atomically (core/file.hpp).
#include "qhybrid/core/file.hpp"
#include "qhybrid/nn/layer.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

namespace qhybrid::nn {

namespace detail {

inline constexpr char weights_magic[8] = {'Q', 'H', 'Y', 'B', 'W', 'G', 'T', 'S'};
inline constexpr std::uint32_t weights_version = 2; // 1: no metadata; still read

inline std::uint64_t fnv1a(const std::vector<unsigned char>& bytes, std::size_t count) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < count; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
    return h;
}

class writer {
public:
    template <class U>
    void put(U v) {
        static_assert(std::is_arithmetic_v<U>);
        unsigned char b[sizeof(U)];
        std::memcpy(b, &v, sizeof(U));
        if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(U));
        bytes.insert(bytes.end(), b, b + sizeof(U));
    }
    void put(const std::string& s) {
        put(std::uint32_t(s.size()));
        bytes.insert(bytes.end(), s.begin(), s.end());
    }
    std::vector<unsigned char> bytes;
};

class reader {
public:
    reader(const std::vector<unsigned char>& b, std::size_t end, std::string file) : bytes_(b), end_(end), file_(std::move(file)) {}
    template <class U>
    U get(const char* what) {
        need(sizeof(U), what);
        unsigned char b[sizeof(U)];
        std::memcpy(b, bytes_.data() + at_, sizeof(U));
        if constexpr (std::endian::native == std::endian::big) std::reverse(b, b + sizeof(U));
        at_ += sizeof(U);
        U v;
        std::memcpy(&v, b, sizeof(U));
        return v;
    }
    std::string get_string(const char* what) {
        const auto n = get<std::uint32_t>(what);
        need(n, what);
        std::string s(bytes_.begin() + std::ptrdiff_t(at_), bytes_.begin() + std::ptrdiff_t(at_ + n));
        at_ += n;
        return s;
    }
    void skip(std::size_t n, const char* what) {
        need(n, what);
        at_ += n;
    }
    std::size_t position() const noexcept { return at_; }
    [[noreturn]] void bad(const std::string& what) const { fail(file_ + ": " + what); }

private:
    void need(std::size_t n, const char* what) const {
        if (n > end_ - at_) bad(std::string("truncated (while reading ") + what + ")");
    }
    const std::vector<unsigned char>& bytes_;
    std::size_t end_, at_ = 0;
    std::string file_;
};

template <class T>
std::vector<std::pair<std::string, tensor<T>*>> saved_tensors(layer<T>& model) {
    std::vector<std::pair<std::string, tensor<T>*>> all;
    for (auto& p : model.parameters()) all.emplace_back(p.name, p.value);
    std::size_t k = 0;
    for (auto* b : model.buffers()) all.emplace_back("buffer." + std::to_string(k++), b);
    return all;
}

} // namespace detail

template <class T>
void save_weights(layer<T>& model, const std::string& path, const std::string& metadata = "") {
    detail::writer w;
    w.bytes.insert(w.bytes.end(), std::begin(detail::weights_magic), std::end(detail::weights_magic));
    w.put(detail::weights_version);
    w.put(std::uint32_t(sizeof(T)));
    w.put(model.describe());
    w.put(metadata);
    const auto tensors = detail::saved_tensors(model);
    w.put(std::uint32_t(tensors.size()));
    for (const auto& [name, t] : tensors) {
        w.put(name);
        w.put(std::uint32_t(t->rank()));
        for (auto d : t->shape()) w.put(std::uint64_t(d));
        for (T v : t->values()) w.put(v);
    }
    w.put(detail::fnv1a(w.bytes, w.bytes.size()));
    write_file_atomically(path, {reinterpret_cast<const char*>(w.bytes.data()), w.bytes.size()}, "save_weights");
}

namespace detail {

// The bytes of the weights file `path`, once its magic and checksum are checked.
inline std::vector<unsigned char> checked_weights_file(const std::string& path) {
    std::vector<unsigned char> bytes = read_file(path);
    require(bytes.size() >= sizeof(weights_magic) + 8 && std::equal(std::begin(weights_magic), std::end(weights_magic), bytes.begin()),
            [&] { return path + ": not a qhybrid weights file"; });
    reader tail(bytes, bytes.size(), path);
    tail.skip(bytes.size() - 8, "checksum");
    if (tail.get<std::uint64_t>("checksum") != fnv1a(bytes, bytes.size() - 8))
        tail.bad("checksum mismatch: the file is damaged or truncated");
    return bytes;
}

// The header every version shares: version, element size, architecture, then (version 2) the
// metadata; the reader is left at the tensor count.
struct weights_header {
    std::uint32_t version, element_size;
    std::string architecture, metadata;
};

inline weights_header read_header(reader& r) {
    r.skip(sizeof(weights_magic), "magic");
    weights_header h;
    h.version = r.get<std::uint32_t>("version");
    if (h.version != 1 && h.version != weights_version)
        r.bad("format version " + std::to_string(h.version) + ", this build reads versions 1 and " + std::to_string(weights_version));
    h.element_size = r.get<std::uint32_t>("element size");
    h.architecture = r.get_string("architecture");
    if (h.version >= 2) h.metadata = r.get_string("metadata");
    return h;
}

} // namespace detail

// The architecture description a weights file was saved from (a model's describe()), e.g. to
// choose which model to build before load_weights.
inline std::string saved_architecture(const std::string& path) {
    const auto bytes = detail::checked_weights_file(path);
    detail::reader r(bytes, bytes.size() - 8, path);
    return detail::read_header(r).architecture;
}

// The metadata text a weights file was saved with ("" for none, and for version 1 files).
inline std::string saved_metadata(const std::string& path) {
    const auto bytes = detail::checked_weights_file(path);
    detail::reader r(bytes, bytes.size() - 8, path);
    return detail::read_header(r).metadata;
}

template <class T>
void load_weights(layer<T>& model, const std::string& path) {
    const std::vector<unsigned char> bytes = detail::checked_weights_file(path);
    const std::size_t body = bytes.size() - 8;
    detail::reader r(bytes, body, path);
    const detail::weights_header h = detail::read_header(r);
    if (h.element_size != sizeof(T))
        r.bad("stores " + std::to_string(h.element_size * 8) + "-bit values, the model has " + std::to_string(sizeof(T) * 8) + "-bit ones");
    if (h.architecture != model.describe())
        r.bad("saved from another architecture:\n  file:  " + h.architecture + "\n  model: " + model.describe());
    const auto tensors = detail::saved_tensors(model);
    if (const auto n = r.get<std::uint32_t>("tensor count"); n != tensors.size())
        r.bad(std::to_string(n) + " tensors, the model has " + std::to_string(tensors.size()));
    std::vector<std::vector<T>> values; // applied only once everything has been read and checked
    for (const auto& [name, t] : tensors) {
        if (const auto saved = r.get_string("tensor name"); saved != name)
            r.bad("tensor \"" + saved + "\" where the model has \"" + name + "\"");
        const auto rank = r.get<std::uint32_t>("rank");
        if (rank > 8) r.bad("tensor \"" + name + "\" has rank " + std::to_string(rank) + ", more than 8");
        shape_t shape(rank); // the shape is compared before any value is read, so no size from the file is allocated
        for (auto& d : shape) d = std::size_t(r.get<std::uint64_t>("dimension"));
        if (shape != t->shape()) r.bad("tensor \"" + name + "\" has shape " + to_string(shape) + ", the model's is " + to_string(t->shape()));
        values.emplace_back(t->size());
        for (auto& v : values.back()) v = r.get<T>("values");
    }
    if (r.position() != body) r.bad("unexpected bytes after the last tensor");
    for (std::size_t k = 0; k < tensors.size(); ++k) std::copy(values[k].begin(), values[k].end(), tensors[k].second->data());
}

} // namespace qhybrid::nn
