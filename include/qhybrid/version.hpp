// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's version, MAJOR.MINOR.PATCH. CMake reads these three lines for the package version
// (find_package(qhybrid 0.1)), so this header is the only place it is written.
#define QHYBRID_VERSION_MAJOR 0
#define QHYBRID_VERSION_MINOR 1
#define QHYBRID_VERSION_PATCH 0

#define QHYBRID_VERSION_STRING_(a, b, c) #a "." #b "." #c
#define QHYBRID_VERSION_STRING_EXPANDED_(a, b, c) QHYBRID_VERSION_STRING_(a, b, c)
// "0.1.0"
#define QHYBRID_VERSION QHYBRID_VERSION_STRING_EXPANDED_(QHYBRID_VERSION_MAJOR, QHYBRID_VERSION_MINOR, QHYBRID_VERSION_PATCH)
