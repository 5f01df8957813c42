#pragma once
// qhybrid's data layer: CSV, scaling, splits.
#include "qhybrid/data/csv.hpp"
#include "qhybrid/data/scaling.hpp"
#include "qhybrid/data/split.hpp"
