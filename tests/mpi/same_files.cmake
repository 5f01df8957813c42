# Runs PROGRAM ARGS --out DIR under MPIEXEC with 1 and 2 processes and requires the FILES it writes
# to be identical, byte for byte. -DMPIEXEC=... -DNP_FLAG=... -DPROGRAM=... -DARGS="..." (one
# string) -DFILES="a.csv b.csv" -DWORK_DIR=...
separate_arguments(ARGS UNIX_COMMAND "${ARGS}")
separate_arguments(FILES UNIX_COMMAND "${FILES}")
file(REMOVE_RECURSE ${WORK_DIR})
foreach(np 1 2)
    execute_process(COMMAND ${MPIEXEC} ${NP_FLAG} ${np} ${PROGRAM} ${ARGS} --out ${WORK_DIR}/np${np}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "mpiexec -np ${np} ${PROGRAM}: exit ${rc}\n${out}${err}")
    endif()
endforeach()
foreach(f ${FILES})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/np1/${f} ${WORK_DIR}/np2/${f} RESULT_VARIABLE differ)
    if(differ)
        message(FATAL_ERROR "${f}: 2 processes wrote another file than 1")
    endif()
endforeach()
string(JOIN " " shown ${FILES})
message(STATUS "the same ${shown} from 1 and 2 processes")
