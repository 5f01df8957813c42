#pragma once
// Execution policies chosen at compile time. An executor calls, around every gate G,
// `crosstalk.before_gate<G>(state)` and `noise.after_gate<G>(state)`; the defaults do nothing,
// and noise models and crosstalk slot in as other policies without changing any caller.
namespace qhybrid::quantum {

struct noiseless {
    static constexpr bool is_noiseless = true;
    template <class Gate, class State>
    void after_gate(State&) const noexcept {}
};

struct no_crosstalk {
    static constexpr bool is_noiseless = true;
    template <class Gate, class State>
    void before_gate(State&) const noexcept {}
};

} // namespace qhybrid::quantum
