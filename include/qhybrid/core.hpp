// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's foundation: errors, aligned storage, SIMD aliases, the seeded generator, whole-file
// reading, deterministic work splitting over a pool of threads.
#include "qhybrid/core/aligned.hpp"
#include "qhybrid/core/error.hpp"
#include "qhybrid/core/file.hpp"
#include "qhybrid/core/parallel.hpp"
#include "qhybrid/core/rng.hpp"
#include "qhybrid/core/simd.hpp"
