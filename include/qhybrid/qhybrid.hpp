#pragma once
// Everything in qhybrid.
#include "qhybrid/core.hpp"
#include "qhybrid/quantum.hpp"
