// SPDX-License-Identifier: Apache-2.0
#pragma once
// A model whose forward pass is a stage that depends on its parameters only, followed by a network
// the rows go through (QT-CNN: the circuit and G generate the CNN's weights, then the CNN runs).
// Training that cuts a minibatch into shards (dist::fit) runs the stage once a step, not once a
// shard:
//
//   nn::layer<T>& rows = model.begin_step(); // the stage; the network it made
//   ... rows.forward and rows.backward on every shard, the gradients of rows' parameters summed ...
//   model.end_step();                        // the stage's backward from those sums, into the
//                                            // model's own parameters' gradients (added)
//
// Between the two calls the model's parameters must not change. rows' parameters are not the
// model's: an optimizer sees only the model's.
#include "qhybrid/nn/layer.hpp"

namespace qhybrid::nn {

template <class T>
class staged {
public:
    virtual ~staged() = default;
    virtual layer<T>& begin_step() = 0;
    virtual void end_step() = 0;
};

} // namespace qhybrid::nn
