// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's hybrid systems, composed of the quantum core and the classical layers.
#include "qhybrid/models/deep_voice_cnn.hpp"
#include "qhybrid/models/deep_voice_data.hpp"
#include "qhybrid/models/fsdd_cnn.hpp"
#include "qhybrid/models/lenet.hpp"
#include "qhybrid/models/nearest_neighbour.hpp"
#include "qhybrid/models/qc_cnn.hpp"
#include "qhybrid/models/qshield.hpp"
#include "qhybrid/models/qshield_backbones.hpp"
#include "qhybrid/models/qshield_encoding.hpp"
#include "qhybrid/models/qshield_fusion.hpp"
#include "qhybrid/models/qt_cnn.hpp"
