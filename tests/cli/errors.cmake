# The qhybrid CLI on bad input: one line on stderr and exit code 2 each time, before any long work
# (a training run would print its epochs), and no input overwritten.
#   cmake -DCLI=path/to/qhybrid -DDATA=data/folder -DWORK=scratch/folder -DOTHER_MODEL=weights.qhw -P errors.cmake
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/not_a_model.qhw "hello")
execute_process(COMMAND ${CLI} train --model cnn --epochs 1 --data ${DATA} --out ${WORK}/cnn.qhw
                RESULT_VARIABLE code OUTPUT_QUIET ERROR_QUIET)
if(NOT code EQUAL 0)
    message(FATAL_ERROR "training a small model failed (${code})")
endif()
file(SHA256 ${WORK}/cnn.qhw model_before)
foreach(case
        "eval;${WORK}/missing.qhw"
        "eval;${WORK}/not_a_model.qhw"
        "eval;${OTHER_MODEL}"
        "detect;${WORK}/cnn.qhw;${WORK}/not_a_model.qhw"
        "detect;${WORK}/cnn.qhw;${WORK}/missing.wav"
        "export;${WORK}/cnn.qhw;${WORK}/no/such/dir/x.hpp"
        "train;--model;cnn;--data;${WORK}/no-data;--out;${WORK}/x.qhw"
        "train;--model;cnn;--data;${DATA};--out;${WORK}/no/such/dir/x.qhw"
        "train;--model;cnn;--data;${DATA};--out;${WORK}"
        "train;--model;cnn;--data;${DATA};--epochs;0;--out;${WORK}/x.qhw"
        "train;--model;cnn;--data;${DATA};--seed;-1;--out;${WORK}/x.qhw"
        "train;--model;cnn;--data;${DATA};--seed;18446744073709551616;--out;${WORK}/x.qhw"
        "train;--model;cnn;--blocks;24;--data;${DATA};--out;${WORK}/x.qhw"
        "train;--model;qt-cnn;--blocks;13;--data;${DATA};--out;${WORK}/x.qhw"
        "train;--model;cnn;--data;${DATA};--out;${DATA}/deep-voice/DATASET-balanced.csv"
        "export;${WORK}/cnn.qhw;${WORK}/cnn.qhw"
        "eval;${WORK}/cnn.qhw;--data;${DATA};--seed;abc"
        "detect;${WORK}/cnn.qhw;${WORK}")
    execute_process(COMMAND ${CLI} ${case} RESULT_VARIABLE code ERROR_VARIABLE err OUTPUT_QUIET)
    string(STRIP "${err}" err)
    string(FIND "${err}" "\n" newline)
    if(NOT code EQUAL 2 OR NOT newline EQUAL -1 OR err STREQUAL "")
        message(FATAL_ERROR "qhybrid ${case}: exit ${code}, stderr:\n${err}")
    endif()
    message(STATUS "qhybrid ${case}: ${err}")
endforeach()
file(SHA256 ${WORK}/cnn.qhw model_after)
if(NOT model_before STREQUAL model_after)
    message(FATAL_ERROR "a failed command changed ${WORK}/cnn.qhw")
endif()
