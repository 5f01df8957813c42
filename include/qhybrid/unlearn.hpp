// SPDX-License-Identifier: Apache-2.0
#pragma once
// Unlearning: strategies over a trained network, and the evaluation a privacy claim needs.
#include "qhybrid/unlearn/class_set.hpp"
#include "qhybrid/unlearn/dampening.hpp"
#include "qhybrid/unlearn/evaluation.hpp"
#include "qhybrid/unlearn/finetuning.hpp"
#include "qhybrid/unlearn/importance.hpp"
#include "qhybrid/unlearn/membership.hpp"
#include "qhybrid/unlearn/metrics.hpp"
#include "qhybrid/unlearn/probe.hpp"
#include "qhybrid/unlearn/qpaudioeraser.hpp"
#include "qhybrid/unlearn/relearn.hpp"
#include "qhybrid/unlearn/retrain.hpp"
#include "qhybrid/unlearn/scrub.hpp"
#include "qhybrid/unlearn/strategy.hpp"
