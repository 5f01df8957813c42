// SPDX-License-Identifier: Apache-2.0
#pragma once
// Everything in qhybrid.
#include "qhybrid/audio.hpp"
#include "qhybrid/core.hpp"
#include "qhybrid/data.hpp"
#include "qhybrid/dist.hpp"
#include "qhybrid/embedded.hpp"
#include "qhybrid/embedded/export.hpp"
#include "qhybrid/models.hpp"
#include "qhybrid/nn.hpp"
#include "qhybrid/quantum.hpp"
#include "qhybrid/robust.hpp"
#include "qhybrid/stats.hpp"
#include "qhybrid/unlearn.hpp"
#include "qhybrid/version.hpp"
