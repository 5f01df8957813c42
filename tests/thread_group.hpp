// SPDX-License-Identifier: Apache-2.0
#pragma once
// The processes of an MPI job simulated by threads, for dist/'s tests without mpirun: a
// thread_group is a dist::communicator whose collectives wait until every member has given its
// bytes; on_processes(n, body) runs body(group) on n threads.
#include <qhybrid/core/error.hpp>
#include <qhybrid/dist/world.hpp>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace simulated {

// Processes simulated by threads: a collective waits until every member has given its bytes.
struct meeting {
    explicit meeting(std::size_t n) : slots(n) {}
    std::mutex m;
    std::condition_variable cv;
    std::size_t arrived = 0, round = 0;
    std::vector<std::vector<std::string>> slots, gathered; // [member][part]
};

class thread_group {
public:
    thread_group(std::shared_ptr<meeting> m, std::size_t rank) : m_(std::move(m)), rank_(rank) {}
    std::size_t rank() const { return rank_; }
    std::size_t size() const { return m_->slots.size(); }
    std::vector<std::string> all_gather(std::string_view mine) const {
        const auto all = exchange({std::string(mine)});
        std::vector<std::string> out;
        for (const auto& parts : all) out.push_back(parts.at(0));
        return out;
    }
    std::vector<std::string> all_to_all(const std::vector<std::string>& parts) const {
        qhybrid::require(parts.size() == size(), [] { return std::string("thread_group::all_to_all: one part per process"); });
        const auto all = exchange(parts);
        std::vector<std::string> out;
        for (const auto& from : all) out.push_back(from.at(rank_));
        return out;
    }

private:
    // Every member's parts, on every member.
    std::vector<std::vector<std::string>> exchange(std::vector<std::string> parts) const {
        std::unique_lock lock(m_->m);
        const std::size_t round = m_->round;
        m_->slots[rank_] = std::move(parts);
        if (++m_->arrived == size()) {
            m_->gathered = m_->slots, m_->arrived = 0, ++m_->round;
            m_->cv.notify_all();
        } else
            m_->cv.wait(lock, [&] { return m_->round != round; });
        return m_->gathered; // the next round cannot overwrite it before this member arrives there
    }

    std::shared_ptr<meeting> m_;
    std::size_t rank_;
};
static_assert(qhybrid::dist::communicator<thread_group>);

// Runs body(group) on `processes` threads; returns each one's result or its error message.
template <class Body>
auto on_processes(std::size_t processes, Body body) {
    using R = decltype(body(std::declval<const thread_group&>()));
    auto m = std::make_shared<meeting>(processes);
    std::vector<std::optional<R>> results(processes);
    std::vector<std::string> errors(processes);
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < processes; ++p)
        threads.emplace_back([&, p] {
            try {
                results[p] = body(thread_group(m, p));
            } catch (const qhybrid::error& e) {
                errors[p] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    return std::pair{std::move(results), std::move(errors)};
}

} // namespace simulated
