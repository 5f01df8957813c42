// SPDX-License-Identifier: Apache-2.0
#pragma once
// Work split over threads: parallel_chunks runs the chunks of a fixed partition on a pool of
// std::threads (qhybrid's CMake option QHYBRID_PARALLEL, on by default), or serially in a program
// compiled with QHYBRID_SERIAL defined (the option off).
//
// Determinism (DESIGN.md, "Trust"): the items are cut into chunks whose number depends on the
// item count only, never on the threads. A caller that needs a sum over items gives each chunk
// its own partial result and adds the partials in chunk order; the result is then the same bits
// on any number of threads (and, later, on any number of processes).
//
// Waiting is passive: idle workers sleep on a condition variable, and the calling thread, which
// runs chunks too, sleeps (std::atomic::wait) until the chunks other threads took are done.
// Chunks go to whichever thread asks first, so a thread whose core is shared with another process
// takes fewer. (OpenMP's libgomp spins 300,000 times at every barrier before sleeping: a 2-thread
// training ran 10x slower than 1 thread while another process held a core; its wait policy is
// read from the environment before main() and any constructor of the program, so a library
// cannot change it.)
//
// Thread count: set_threads(n); by default $QHYBRID_THREADS, else the first value of
// $OMP_NUM_THREADS, else the number of cores this process may run on.
#include "qhybrid/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#ifndef QHYBRID_SERIAL
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>
#ifdef __linux__
#include <sched.h>
#endif
#endif

namespace qhybrid {

// At most 16 chunks: enough for 16 threads, and for two threads to balance a slow one by taking
// chunks as they go; few enough that per-chunk partial results (a layer's weight gradient each)
// stay cheap to keep and to add.
inline constexpr std::size_t max_chunks = 16;

// The number of chunks [0, n) is cut into.
constexpr std::size_t chunk_count(std::size_t n) noexcept { return std::min(n, max_chunks); }

// The largest thread count set_threads and the environment accept (a guard against typos).
inline constexpr std::size_t max_threads = 1024;

#ifndef QHYBRID_SERIAL
namespace detail {

// $name as a thread count (for a list, its first comma-separated value); 0 when unset or empty.
inline std::size_t threads_from_environment(const char* name, bool list) {
    const char* value = std::getenv(name);
    if (!value || !*value) return 0;
    const std::string_view all(value), first = list ? all.substr(0, all.find(',')) : all;
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), n);
    require(ec == std::errc() && end == first.data() + first.size() && n >= 1 && n <= max_threads, [&] {
        return std::string(name) + "=\"" + value + "\": expected a thread count from 1 to " + std::to_string(max_threads);
    });
    return n;
}

inline std::size_t available_cores() noexcept {
#ifdef __linux__
    cpu_set_t cpus; // the affinity mask, as OpenMP counts: taskset and container CPU sets shrink it
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::size_t(std::max(1, CPU_COUNT(&cpus)));
#endif
    return std::max(1u, std::thread::hardware_concurrency());
}

inline std::size_t default_threads() {
    if (const std::size_t n = threads_from_environment("QHYBRID_THREADS", false)) return n;
    if (const std::size_t n = threads_from_environment("OMP_NUM_THREADS", true)) return n;
    return std::min(available_cores(), max_threads);
}

// True on a thread while it runs chunks: parallel_chunks called from a chunk runs serially.
inline thread_local bool in_chunk = false;

// Marks the calling thread as running chunks until the end of the scope.
class chunk_scope {
public:
    chunk_scope() noexcept { in_chunk = true; }
    ~chunk_scope() { in_chunk = outer_; }
    chunk_scope(const chunk_scope&) = delete;
    chunk_scope& operator=(const chunk_scope&) = delete;

private:
    bool outer_ = in_chunk;
};

// One parallel_chunks call: its chunks go to the threads in the order they ask.
class chunk_job {
public:
    using run_chunk = void (*)(void* body, std::size_t chunk);
    chunk_job(unsigned chunks, run_chunk run, void* body) noexcept : chunks_(chunks), run_(run), body_(body) {}

    // Runs chunks until none is left. A thread that arrives after the last was taken touches only
    // the counter, so the job may have returned and its body be gone.
    void work() noexcept {
        for (unsigned k; (k = next_.fetch_add(1, std::memory_order_relaxed)) < chunks_;) {
            try {
                run_(body_, k);
            } catch (...) {
                keep(k, std::current_exception());
            }
            if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks_) done_.notify_all();
        }
    }

    // Waits until every chunk is done, then rethrows the exception of the first chunk (in chunk
    // order, so the same one whatever the threads) that threw.
    void finish() {
        for (unsigned d = done_.load(std::memory_order_acquire); d != chunks_; d = done_.load(std::memory_order_acquire))
            done_.wait(d, std::memory_order_acquire);
        if (error_) std::rethrow_exception(error_);
    }

private:
    void keep(unsigned k, std::exception_ptr e) noexcept {
        const std::lock_guard lock(error_mutex_);
        if (!error_ || k < error_chunk_) error_ = std::move(e), error_chunk_ = k;
    }

    const unsigned chunks_;
    const run_chunk run_;
    void* const body_;
    std::atomic<unsigned> next_{0}, done_{0};
    std::mutex error_mutex_;
    std::exception_ptr error_;
    unsigned error_chunk_ = 0;
};

// size() - 1 workers that sleep between jobs; the calling thread works too.
class thread_pool {
public:
    explicit thread_pool(std::size_t threads) {
        try {
            workers_.reserve(threads - 1);
            for (std::size_t w = 1; w < threads; ++w) workers_.emplace_back([this] { serve(); });
        } catch (...) { // no thread may outlive a failed pool
            stop();
            throw;
        }
    }
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;
    ~thread_pool() { stop(); }

    std::size_t size() const noexcept { return workers_.size() + 1; }

    // Runs the job's chunks on this thread and the workers; returns when all are done.
    void run(const std::shared_ptr<chunk_job>& job) {
        {
            const std::lock_guard lock(m_);
            job_ = job;
            ++generation_;
        }
        wake_.notify_all();
        {
            const chunk_scope scope;
            job->work();
        }
        job->finish();
    }

private:
    void serve() {
        in_chunk = true;
        std::uint64_t seen = 0;
        for (;;) {
            std::shared_ptr<chunk_job> job; // a worker that wakes late keeps a finished job alive
            {
                std::unique_lock lock(m_);
                wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
                if (stopping_) return;
                seen = generation_;
                job = job_;
            }
            job->work();
        }
    }

    void stop() noexcept {
        {
            const std::lock_guard lock(m_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
    }

    std::mutex m_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::uint64_t generation_ = 0;
    std::shared_ptr<chunk_job> job_;
    std::vector<std::thread> workers_;
};

struct thread_settings {
    std::mutex use;                      // held while a job runs on the pool and while it is replaced
    std::atomic<std::size_t> threads{0}; // 0: not read from the environment yet
    std::unique_ptr<thread_pool> pool;   // started by the first parallel call
};

inline thread_settings& settings() {
    static thread_settings s;
    return s;
}

} // namespace detail
#endif

// The number of threads parallel_chunks runs on, the calling thread included (1 in a build
// without threads). Throws qhybrid::error if the environment names an invalid count.
inline std::size_t threads() {
#ifdef QHYBRID_SERIAL
    return 1;
#else
    auto& s = detail::settings();
    std::size_t n = s.threads.load(std::memory_order_relaxed);
    if (n == 0) {
        std::size_t unset = 0;
        n = detail::default_threads();
        if (!s.threads.compare_exchange_strong(unset, n)) n = unset;
    }
    return n;
#endif
}

// Sets the number of threads (0: the default, read from the environment again); waits for a job
// another thread is running. Not from inside a chunk. No effect in a build without threads.
inline void set_threads(std::size_t n) {
    require(n <= max_threads, [&] {
        return "set_threads(" + std::to_string(n) + "): at most " + std::to_string(max_threads) + " threads";
    });
#ifndef QHYBRID_SERIAL
    require(!detail::in_chunk, [] { return std::string("set_threads: called from inside parallel_chunks"); });
    if (n == 0) n = detail::default_threads();
    auto& s = detail::settings();
    const std::lock_guard lock(s.use);
    s.threads.store(n, std::memory_order_relaxed);
    if (s.pool && s.pool->size() != n) s.pool.reset();
#endif
}

// Calls body(chunk, begin, end) for each of the chunk_count(n) chunks; chunk k covers
// [n k / c, n (k + 1) / c). Chunks run concurrently, in any order, each on one thread (scratch
// shared by the chunks of a thread can be thread_local). If body throws, the caller gets the exception of the first chunk, in chunk order, that threw (later
// chunks may or may not have run). Serial inside a chunk, and while another thread's call holds
// the pool.
template <class Body>
void parallel_chunks(std::size_t n, Body&& body) {
    const std::size_t chunks = chunk_count(n);
    auto run = [&](std::size_t k) { body(k, n * k / chunks, n * (k + 1) / chunks); };
#ifndef QHYBRID_SERIAL
    if (chunks > 1 && !detail::in_chunk && threads() > 1) {
        auto& s = detail::settings();
        if (const std::unique_lock lock(s.use, std::try_to_lock); lock) {
            if (!s.pool) s.pool = std::make_unique<detail::thread_pool>(threads());
            using run_type = decltype(run);
            s.pool->run(std::make_shared<detail::chunk_job>(
                unsigned(chunks), [](void* r, std::size_t k) { (*static_cast<run_type*>(r))(k); }, &run));
            return;
        }
    }
    const detail::chunk_scope scope; // as on the pool: nested calls serial, set_threads refused
#endif
    for (std::size_t k = 0; k < chunks; ++k) run(k);
}

} // namespace qhybrid
