// SPDX-License-Identifier: Apache-2.0
#pragma once
// The scalar type of a scalar or of a SIMD batch, without including xsimd: headers that only
// describe gates and plans (gates.hpp, fusion_plan.hpp) stay free of it.
#include <type_traits>

namespace qhybrid::simd {

template <class T>
struct scalar_of {
    using type = T;
};
// An xsimd batch: a value type and an instruction set.
template <class T>
    requires requires {
        typename T::value_type;
        typename T::arch_type;
    }
struct scalar_of<T> {
    using type = typename T::value_type;
};
template <class T>
using scalar_t = typename scalar_of<T>::type;

} // namespace qhybrid::simd
