// SPDX-License-Identifier: Apache-2.0
#pragma once
// Work over the processes of a job (MPI with the qhybrid::mpi target, one process without):
// sweeps of independent items with checkpoints, a robustness study cut into blocks of rows,
// data-parallel training, and the codec that moves
// results as bytes.
#include "qhybrid/dist/codec.hpp"
#include "qhybrid/dist/data_parallel.hpp"
#include "qhybrid/dist/ordered_sum.hpp"
#include "qhybrid/dist/study.hpp"
#include "qhybrid/dist/sweep.hpp"
#include "qhybrid/dist/world.hpp"
