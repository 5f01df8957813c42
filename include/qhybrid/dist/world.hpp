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
// them, and every member's bytes on every member, in rank order.
template <class C>
concept communicator = requires(const C& c, std::string_view mine) {
    { c.rank() } -> std::convertible_to<std::size_t>;
    { c.size() } -> std::convertible_to<std::size_t>;
    { c.all_gather(mine) } -> std::same_as<std::vector<std::string>>;
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
        require(mine.size() <= std::size_t(INT_MAX), [&] {
            return "dist::world::all_gather: " + std::to_string(mine.size()) + " bytes from rank " + std::to_string(rank_) +
                   "; MPI counts stop at 2 GiB";
        });
        std::vector<int> counts(size_), offsets(size_);
        const int count = int(mine.size());
        detail::check_mpi(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
        std::size_t total = 0;
        for (std::size_t r = 0; r < size_; ++r) {
            require(total <= std::size_t(INT_MAX) - std::size_t(counts[r]), [&] {
                return "dist::world::all_gather: the ranks' bytes add up to more than 2 GiB";
            });
            offsets[r] = int(total);
            total += std::size_t(counts[r]);
        }
        std::string all(total, '\0');
        detail::check_mpi(MPI_Allgatherv(mine.data(), count, MPI_CHAR, all.data(), counts.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD),
                          "MPI_Allgatherv");
        std::vector<std::string> out(size_);
        for (std::size_t r = 0; r < size_; ++r) out[r] = all.substr(std::size_t(offsets[r]), std::size_t(counts[r]));
        return out;
#else
        return {std::string(mine)};
#endif
    }

private:
    std::size_t rank_ = 0, size_ = 1;
};

static_assert(communicator<world>, "dist::world is the communicator dist's algorithms use");

} // namespace qhybrid::dist
