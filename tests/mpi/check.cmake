# Runs sweep_job under MPIEXEC with 1, 2 and 4 processes (oversubscribed on small machines), then
# an interrupted sweep on 2 processes resumed on 4 from its checkpoint, and requires the results
# files to be identical, byte for byte. -DMPIEXEC=... -DNP_FLAG=... -DJOB=... -DWORK_DIR=...
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run np expect_rc expect_output)
    execute_process(COMMAND ${MPIEXEC} ${NP_FLAG} ${np} ${JOB} ${ARGN}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc STREQUAL expect_rc OR NOT "${out}${err}" MATCHES "${expect_output}")
        message(FATAL_ERROR "mpiexec -np ${np} sweep_job ${ARGN}: exit ${rc} (expected ${expect_rc}), output:\n${out}${err}\n"
                            "expected to match: ${expect_output}")
    endif()
    message(STATUS "-np ${np} ${ARGN}: ${out}")
endfunction()

run(1 0 "1 processes ran 12 of 12 items" ${WORK_DIR}/np1.bin)
foreach(np 2 4)
    run(${np} 0 "${np} processes ran 12 of 12 items" ${WORK_DIR}/np${np}.bin)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/np1.bin ${WORK_DIR}/np${np}.bin RESULT_VARIABLE differ)
    if(differ)
        message(FATAL_ERROR "the results of ${np} processes differ from one process's")
    endif()
endforeach()

# Item 5 fails on 2 processes: rank 1's items after it (7, 9, 11) are not run, nor written.
run(2 1 "item 5 failed: stopped at item 5" ${WORK_DIR}/never.bin ${WORK_DIR}/checkpoint 5)
run(4 0 "4 processes ran 4 of 12 items" ${WORK_DIR}/resumed.bin ${WORK_DIR}/checkpoint)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/np1.bin ${WORK_DIR}/resumed.bin RESULT_VARIABLE differ)
if(differ)
    message(FATAL_ERROR "the resumed sweep's results differ from one process's")
endif()
