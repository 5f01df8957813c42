// SPDX-License-Identifier: Apache-2.0
#pragma once
// The device side of embedded inference: embedded::network and its fixed-shape layers. No heap,
// no exceptions, no RTTI and no SIMD library, so a microcontroller's toolchain builds it; the
// exporter that writes a trained model as such a network (embedded/export.hpp) runs on the host.
#include "qhybrid/embedded/layers.hpp"
#include "qhybrid/embedded/network.hpp"
