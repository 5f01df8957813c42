# The library's own dependencies, shared by the build tree and by find_package(qhybrid).
if(CMAKE_FIND_PACKAGE_NAME)            # included from qhybrid-config.cmake
    include(CMakeFindDependencyMacro)
    find_dependency(xsimd 8.1)
    find_dependency(Boost 1.74)
    find_dependency(nlohmann_json 3.11)
    if(QHYBRID_PARALLEL)
        find_dependency(Threads)
    endif()
    if(QHYBRID_MPI)
        find_dependency(MPI 3.0 COMPONENTS CXX)
    endif()
else()
    find_package(xsimd 8.1 REQUIRED)
    find_package(Boost 1.74 REQUIRED)  # Boost.Hana is header-only: Boost::headers
    find_package(nlohmann_json 3.11 REQUIRED)  # device calibrations (quantum/device.hpp)
    if(QHYBRID_PARALLEL)
        find_package(Threads REQUIRED)  # the worker pool of core/parallel.hpp: Threads::Threads
    endif()
    if(QHYBRID_MPI)
        find_package(MPI 3.0 REQUIRED COMPONENTS CXX)  # dist/ across processes: MPI::MPI_CXX
    endif()
endif()
if(TARGET xsimd AND NOT TARGET xtl)
    # Debian's xsimd export links a bare "xtl" (ld: cannot find -lxtl); xtl is only used under
    # XSIMD_ENABLE_XTL_COMPLEX, which qhybrid does not use.
    set_property(TARGET xsimd PROPERTY INTERFACE_LINK_LIBRARIES "")
endif()
