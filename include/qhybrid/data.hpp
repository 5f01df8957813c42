// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's data layer: CSV, gzip and IDX, FSDD, scaling, splits (random and cluster hold-out),
// k-means, minibatches, data location.
#include "qhybrid/data/audiomnist.hpp"
#include "qhybrid/data/batches.hpp"
#include "qhybrid/data/cluster_split.hpp"
#include "qhybrid/data/csv.hpp"
#include "qhybrid/data/deep_voice.hpp"
#include "qhybrid/data/domain.hpp"
#include "qhybrid/data/fsdd.hpp"
#include "qhybrid/data/gzip.hpp"
#include "qhybrid/data/idx.hpp"
#include "qhybrid/data/kmeans.hpp"
#include "qhybrid/data/location.hpp"
#include "qhybrid/data/mnist.hpp"
#include "qhybrid/data/robust_covariance.hpp"
#include "qhybrid/data/scaling.hpp"
#include "qhybrid/data/split.hpp"
