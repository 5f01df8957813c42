# qhybrid train --model speaker-cnn / unlearn end to end on FSDD, tiny: the saved speaker CNN
# forgets theo by QPAudioEraser, judged next to the original and the retrained network with LiRA
# against two more; the unlearned weights are saved and evaluate; bad requests are one line and
# exit code 2.
#   cmake -DCLI=path/to/qhybrid -DDATA=data/folder -DWORK=scratch/folder -P unlearn.cmake
include(${CMAKE_CURRENT_LIST_DIR}/helpers.cmake)

run(0 ${CLI} train --model speaker-cnn --epochs 2 --seed 3 --data ${DATA} --out ${WORK}/speakers.qhw)
expect("${out}" "^speaker-cnn: 2 epochs.*test accuracy 0\\.[0-9]+")
run(0 ${CLI} unlearn ${WORK}/speakers.qhw --forget-speaker theo --method qpaudioeraser --epochs 1 --against-retrain --shadows 2
    --max-epochs 1 --relearn-steps 5 --data ${DATA} --out ${WORK}/forgot.qhw)
expect("${out}" "^forgetting speaker theo \\([0-9]+ training recordings; 50 of the 300 test recordings are theirs\\), seed 3;")
expect("${out}" "\n\\| original \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [01]\\.[0-9]+ \\| [01]\\.[0-9]+ \\| [01]\\.[0-9]+ \\| [0-9.]+ \\| [0-9]+\\+? \\| 0\\.0 \\|")
expect("${out}" "\n\\| qpaudioeraser \\| 0\\.00 \\|") # QPAudioEraser's interference removes the class
expect("${out}" "\n\\| retrain \\| 0\\.00 \\|")       # the retrained network never names theo
expect("${out}" "saved .*forgot\\.qhw\n$")
run(0 ${CLI} eval ${WORK}/forgot.qhw --data ${DATA})
expect("${out}" "forgot\\.qhw: 300 test samples, accuracy 0\\.[0-9]+")

run(2 ${CLI} unlearn ${WORK}/speakers.qhw --forget-speaker nobody --data ${DATA})
expect("${err}" "^qhybrid: .*nobody")
run(2 ${CLI} unlearn ${WORK}/speakers.qhw --forget-speaker theo --method forget-harder --data ${DATA})
expect("${err}" "--method forget-harder is none of qpaudioeraser")
run(2 ${CLI} unlearn ${WORK}/speakers.qhw --forget-speaker theo --shadows 1 --data ${DATA})
expect("${err}" "--shadows 1: LiRA needs 2 or more")
run(2 ${CLI} unlearn ${WORK}/speakers.qhw --forget-speaker theo --data ${DATA} --out ${WORK}/speakers.qhw)
expect("${err}" "is also an input of this command")
run(0 ${CLI} train --model qc-baseline --epochs 1 --seed 3 --data ${DATA} --out ${WORK}/digits.qhw)
run(2 ${CLI} unlearn ${WORK}/digits.qhw --forget-speaker theo --data ${DATA})
expect("${err}" "digits\\.qhw: not a speaker CNN; `qhybrid train --model speaker-cnn` makes one")
