// SPDX-License-Identifier: Apache-2.0
#pragma once
// Adversarial attacks on any differentiable model of the library: threat models, the model
// concept attacks take, the losses they climb; the gradient attacks (FGSM, BIM, PGD, APGD,
// MI-FGSM, VMI-FGSM, DeepFool, Carlini-Wagner L2), the gradient-free ones (Square, SPSA, one-pixel), transfer
// from a surrogate, expectation over transformation for random models and BPDA for parts
// without a gradient; the report with its gradient-masking checks, AutoAttack's compositions, a
// model's whole study (budgets, sweeps, checks); a log-mel classifier seen from the waveform.
#include "qhybrid/robust/apgd.hpp"
#include "qhybrid/robust/attack.hpp"
#include "qhybrid/robust/bpda.hpp"
#include "qhybrid/robust/carlini_wagner.hpp"
#include "qhybrid/robust/deep_voice_waveform.hpp"
#include "qhybrid/robust/deepfool.hpp"
#include "qhybrid/robust/losses.hpp"
#include "qhybrid/robust/model.hpp"
#include "qhybrid/robust/momentum.hpp"
#include "qhybrid/robust/one_pixel.hpp"
#include "qhybrid/robust/pgd.hpp"
#include "qhybrid/robust/report.hpp"
#include "qhybrid/robust/spsa.hpp"
#include "qhybrid/robust/square.hpp"
#include "qhybrid/robust/study.hpp"
#include "qhybrid/robust/suites.hpp"
#include "qhybrid/robust/threat.hpp"
#include "qhybrid/robust/transfer.hpp"
#include "qhybrid/robust/waveform.hpp"
