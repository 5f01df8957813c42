// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's quantum core: states, gates, circuits, ansatze, observables, execution, gradients.
#include "qhybrid/quantum/angle.hpp"
#include "qhybrid/quantum/ansatz.hpp"
#include "qhybrid/quantum/channels.hpp"
#include "qhybrid/quantum/circuit.hpp"
#include "qhybrid/quantum/composite_gates.hpp"
#include "qhybrid/quantum/density_matrix.hpp"
#include "qhybrid/quantum/executor.hpp"
#include "qhybrid/quantum/gates.hpp"
#include "qhybrid/quantum/noise.hpp"
#include "qhybrid/quantum/observables.hpp"
#include "qhybrid/quantum/policies.hpp"
#include "qhybrid/quantum/statevector.hpp"
#include "qhybrid/quantum/trajectory.hpp"
