// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's classical networks: tensors, layers with backward passes, losses, optimizers.
#include "qhybrid/nn/activations.hpp"
#include "qhybrid/nn/batch_norm.hpp"
#include "qhybrid/nn/conv.hpp"
#include "qhybrid/nn/dense.hpp"
#include "qhybrid/nn/dropout.hpp"
#include "qhybrid/nn/feature_scaling.hpp"
#include "qhybrid/nn/flatten.hpp"
#include "qhybrid/nn/layer.hpp"
#include "qhybrid/nn/losses.hpp"
#include "qhybrid/nn/optimizers.hpp"
#include "qhybrid/nn/pool.hpp"
#include "qhybrid/nn/quantum_layer.hpp"
#include "qhybrid/nn/sequential.hpp"
#include "qhybrid/nn/serialize.hpp"
#include "qhybrid/nn/tensor.hpp"
#include "qhybrid/nn/train.hpp"
