// SPDX-License-Identifier: Apache-2.0
#pragma once
// Statistics for honest tables: Student's t and binomial distributions, t intervals over seeds,
// paired tests (paired t, McNemar), the chance check for failed runs, and the seed table that
// prints and writes them.
#include "qhybrid/stats/distributions.hpp"
#include "qhybrid/stats/interval.hpp"
#include "qhybrid/stats/paired.hpp"
#include "qhybrid/stats/seed_table.hpp"
