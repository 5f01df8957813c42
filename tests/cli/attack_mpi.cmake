# qhybrid attack under mpirun: a faithful QShield detector (its projection drawn at every call,
# from the attack's stream) attacked by 1 process, by 2 in blocks of 5 rows (5, 5, 2) and by 3
# (blocks of 4) writes the same table, figure for figure. It checks the command's plumbing (every
# process loads, studies its items, rank 0 writes); this QShield's projections barely move its
# verdicts (the table stays the same with its draws left to its own generator), so the draws are
# checked bit for bit by test_robust's dist::study and join_rows tests.
#   cmake -DCLI=qhybrid -DMPIEXEC=mpiexec -DNP_FLAG=-n -DMODEL=qshield.qhw -DDATA=folder -DWORK=scratch -P attack_mpi.cmake
include(${CMAKE_CURRENT_LIST_DIR}/helpers.cmake)
foreach(np 1 2 3)
    set(extra)
    if(np EQUAL 2)
        set(extra --block-rows 5)
    endif()
    run(0 ${MPIEXEC} ${NP_FLAG} ${np} ${CLI} attack ${MODEL} --data ${DATA} --rows 12 --steps 3 --queries 10 --eps 0.1 0.3
        --sweep 0.1 20 --eot 3 --table ${WORK}/np${np} ${extra})
    if(np EQUAL 1)
        expect("${out}" "QShield \\(faithful\\), seed 4\\)\nits quantum branch is detached")
        file(READ ${WORK}/np1_runs.csv runs)
        expect("${runs}" "\nQShield \\(faithful\\),4,0,")
    else()
        execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/np1_runs.csv ${WORK}/np${np}_runs.csv RESULT_VARIABLE differ)
        if(differ)
            file(READ ${WORK}/np${np}_runs.csv other)
            message(FATAL_ERROR "${np} processes (${extra}) wrote another table than 1:\n${runs}\n${other}")
        endif()
    endif()
endforeach()
message(STATUS "the same attack table from 1, 2 and 3 processes")
