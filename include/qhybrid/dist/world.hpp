// SPDX-License-Identifier: Apache-2.0
#pragma once
// The processes of a job. Built with MPI (CMake option QHYBRID_MPI, which defines QHYBRID_MPI and
// links MPI::MPI_CXX), dist::world is MPI_COMM_WORLD; built without, it is this one process, and
// the same program runs unchanged. qhybrid only ever moves bytes between processes (results,
// gradients as their bytes): what is computed never depends on how many there are.
//
//     int main(int argc, char** argv) {
//         qhybrid::dist::session mpi(argc, argv); // before any other use of dist
//         const qhybrid::dist::world w;
//         ...
//     }
#include "qhybrid/core/error.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#ifdef QHYBRID_MPI
#ifndef OMPI_SKIP_MPICXX // only MPI's C interface: the deprecated C++ bindings' headers do not build warning-free
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <climits>
#endif

namespace qhybrid::dist {

// What dist's algorithms need of a group of processes: their number, this one's place among
// them, every member's bytes on every member (all_gather), and bytes from each member to each
// (all_to_all), in rank order.
template <class C>
concept communicator = requires(const C& c, std::string_view mine, const std::vector<std::string>& parts) {
    { c.rank() } -> std::convertible_to<std::size_t>;
    { c.size() } -> std::convertible_to<std::size_t>;
    { c.all_gather(mine) } -> std::same_as<std::vector<std::string>>;
    { c.all_to_all(parts) } -> std::same_as<std::vector<std::string>>;
};

#ifdef QHYBRID_MPI
namespace detail {

inline void check_mpi(int code, const char* call) {
    if (code == MPI_SUCCESS) [[likely]]
        return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    fail(std::string("dist: ") + call + " failed: " + std::string(text, std::size_t(length)));
}

// Byte counts as MPI's ints, and their offsets as consecutive blocks: refused past 2 GiB in all.
// Every process decides on counts every process has, so all refuse together (none is left
// waiting in the next collective).
struct blocks {
    std::vector<int> counts, offsets;
    std::size_t total = 0;
};

inline blocks blocks_of(const std::vector<std::uint64_t>& sizes, const char* who) {
    blocks b{std::vector<int>(sizes.size()), std::vector<int>(sizes.size()), 0};
    for (std::size_t r = 0; r < sizes.size(); ++r) {
        require(sizes[r] <= std::uint64_t(INT_MAX) - b.total, [&] { return std::string(who) + ": more than 2 GiB in one exchange (MPI counts are ints)"; });
        b.counts[r] = int(sizes[r]), b.offsets[r] = int(b.total);
        b.total += std::size_t(sizes[r]);
    }
    return b;
}

inline std::vector<std::string> split(const std::string& all, const blocks& b) {
    std::vector<std::string> out(b.counts.size());
    for (std::size_t r = 0; r < out.size(); ++r) out[r] = all.substr(std::size_t(b.offsets[r]), std::size_t(b.counts[r]));
    return out;
}

} // namespace detail
#endif

// MPI for the lifetime of main (MPI_Init_thread with the threads of parallel_chunks calling no
// MPI, then MPI_Finalize). Errors of MPI calls become qhybrid::error instead of aborting the job.
// Without MPI it does nothing. A program that initialises MPI itself does not need it.
class session {
public:
    session([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef QHYBRID_MPI
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (initialised) return;
        int provided = 0;
        detail::check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        owner_ = true;
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
#endif
    }
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    ~session() {
#ifdef QHYBRID_MPI
        if (owner_) MPI_Finalize();
#endif
    }

private:
#ifdef QHYBRID_MPI
    bool owner_ = false;
#endif
};

// Every process of the job.
class world {
public:
    world() {
#ifdef QHYBRID_MPI
        int initialised = 0;
        MPI_Initialized(&initialised);
        require(initialised, [] { return "dist::world: MPI is not initialised (construct a qhybrid::dist::session in main first)"; });
        int r = 0, s = 0;
        detail::check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &r), "MPI_Comm_rank");
        detail::check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &s), "MPI_Comm_size");
        rank_ = std::size_t(r), size_ = std::size_t(s);
#endif
    }

    std::size_t rank() const noexcept { return rank_; }
    std::size_t size() const noexcept { return size_; }
    // Rank 0: the process that prints and writes files.
    bool root() const noexcept { return rank_ == 0; }

    // Every process's bytes, in rank order, on every process (a collective: all must call it).
    std::vector<std::string> all_gather(std::string_view mine) const {
#ifdef QHYBRID_MPI
        std::vector<std::uint64_t> sizes(size_);
        const std::uint64_t size = mine.size();
        detail::check_mpi(MPI_Allgather(&size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD), "MPI_Allgather");
        const detail::blocks b = detail::blocks_of(sizes, "dist::world::all_gather");
        std::string all(b.total, '\0');
        detail::check_mpi(MPI_Allgatherv(mine.data(), b.counts[rank_], MPI_CHAR, all.data(), b.counts.data(), b.offsets.data(), MPI_CHAR,
                                         MPI_COMM_WORLD),
                          "MPI_Allgatherv");
        return detail::split(all, b);
#else
        return {std::string(mine)};
#endif
    }

    // parts[r] to process r; returns what every process sent this one, in rank order (a
    // collective: all must call it, each with size() parts).
    std::vector<std::string> all_to_all(const std::vector<std::string>& parts) const {
        require(parts.size() == size_, [&] {
            return "dist::world::all_to_all: " + std::to_string(parts.size()) + " parts for " + std::to_string(size_) + " processes";
        });
#ifdef QHYBRID_MPI
        // Every process's sizes to every other, [from * size + to], so that all check the same.
        std::vector<std::uint64_t> mine(size_), sizes(size_ * size_);
        for (std::size_t r = 0; r < size_; ++r) mine[r] = parts[r].size();
        detail::check_mpi(MPI_Allgather(mine.data(), int(size_), MPI_UINT64_T, sizes.data(), int(size_), MPI_UINT64_T, MPI_COMM_WORLD),
                          "MPI_Allgather");
        detail::blocks sending, receiving;
        for (std::size_t r = 0; r < size_; ++r) {
            std::vector<std::uint64_t> row(sizes.begin() + std::ptrdiff_t(r * size_), sizes.begin() + std::ptrdiff_t((r + 1) * size_)), column(size_);
            for (std::size_t from = 0; from < size_; ++from) column[from] = sizes[from * size_ + r];
            auto sent_by_r = detail::blocks_of(row, "dist::world::all_to_all");
            auto received_by_r = detail::blocks_of(column, "dist::world::all_to_all");
            if (r == rank_) sending = std::move(sent_by_r), receiving = std::move(received_by_r);
        }
        std::string sent;
        sent.reserve(sending.total);
        for (const auto& part : parts) sent += part;
        std::string received(receiving.total, '\0');
        detail::check_mpi(MPI_Alltoallv(sent.data(), sending.counts.data(), sending.offsets.data(), MPI_CHAR, received.data(),
                                        receiving.counts.data(), receiving.offsets.data(), MPI_CHAR, MPI_COMM_WORLD),
                          "MPI_Alltoallv");
        return detail::split(received, receiving);
#else
        return parts;
#endif
    }

private:
    std::size_t rank_ = 0, size_ = 1;
};

static_assert(communicator<world>, "dist::world is the communicator dist's algorithms use");

} // namespace qhybrid::dist
