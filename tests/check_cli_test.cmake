# raftsim check, end to end: the exit codes DESIGN.md promises (0 linearizable, 1 not, 2 bad input
# or empty history, 4 unknown) on all three formats, and the files --out writes on a violation.
# Run by ctest with -DRAFTSIM=<binary> -DDATA=<porcupine dir> -DWORK=<scratch dir>.
function(expect_exit code)
  execute_process(COMMAND ${RAFTSIM} check ${ARGN} RESULT_VARIABLE result
                  OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT result EQUAL code)
    message(FATAL_ERROR "raftsim check ${ARGN}: exit ${result}, expected ${code}\n${output}${errors}")
  endif()
endfunction()

# The same, and stderr holds `fragment`.
function(expect_message code fragment)
  execute_process(COMMAND ${RAFTSIM} check ${ARGN} RESULT_VARIABLE result
                  OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  string(FIND "${errors}" "${fragment}" found)
  if(NOT result EQUAL code OR found EQUAL -1)
    message(FATAL_ERROR "raftsim check ${ARGN}: exit ${result} (expected ${code}), stderr lacks "
                        "'${fragment}'\n${output}${errors}")
  endif()
endfunction()

file(MAKE_DIRECTORY ${WORK})
set(put_then_get [=[{"version": 1, "model": "kv", "operations": [
  {"client": 0, "op": "put", "key": "a", "value": "x", "invoke_ns": 0, "return_ns": 10, "status": "ok"},
  {"client": 1, "op": "get", "key": "a", "invoke_ns": 20, "return_ns": 30, "status": "ok", "output": "OUTPUT"}]}]=])
string(REPLACE "OUTPUT" "x" good "${put_then_get}")
string(REPLACE "OUTPUT" "stale" bad "${put_then_get}")
file(WRITE ${WORK}/good.json "${good}")
file(WRITE ${WORK}/bad.json "${bad}")
file(WRITE ${WORK}/malformed.json "{\"version\": 1, \"operations\": [\n  {\"client\": 0,, }]}")
file(WRITE ${WORK}/empty.json "")

expect_exit(0 ${WORK}/good.json)
expect_exit(1 ${WORK}/bad.json --out ${WORK}/out)
foreach(written result.json violation.html)
  if(NOT EXISTS ${WORK}/out/${written})
    message(FATAL_ERROR "--out did not write ${written}")
  endif()
endforeach()
expect_exit(2 ${WORK}/malformed.json)
expect_exit(2 ${WORK}/empty.json)
expect_exit(2 ${WORK}/good.json --model cas)  # kv functions are not cas functions
expect_exit(2 ${WORK}/missing.json)
expect_exit(2 ${WORK}/good.json --budget bogus=1)

# A failed cas after a write of its expected value: a violation if it observed, nothing if not.
file(WRITE ${WORK}/failed-cas.json [=[{"version": 1, "model": "cas", "operations": [
  {"client": 0, "op": "write", "value": 1, "invoke_ns": 0, "return_ns": 10, "status": "ok"},
  {"client": 1, "op": "cas", "from": 1, "to": 2, "invoke_ns": 20, "return_ns": 30, "status": "fail"}]}]=])
expect_exit(1 ${WORK}/failed-cas.json)
expect_exit(0 ${WORK}/failed-cas.json --failed-cas ignore)
expect_exit(1 ${WORK}/failed-cas.json --failed-cas observe --initial 5)

if(EXISTS ${DATA}/SOURCE.md)
  expect_exit(0 ${DATA}/jepsen/etcd_002.log)
  expect_exit(1 ${DATA}/jepsen/etcd_000.log --format jepsen)
  expect_exit(2 ${DATA}/jepsen/etcd_095.log)
  expect_message(4 "ran out of the step budget (1000 steps per partition); raise it with --budget steps=N"
                 ${DATA}/jepsen/etcd_057.log --failed-cas observe --nil-read value --budget steps=1000)
  expect_exit(0 ${DATA}/kv/c10-ok.txt --format porcupine-kv)
  expect_exit(1 ${DATA}/kv/c10-bad.txt --no-partition)
else()
  message(STATUS "porcupine data not found at ${DATA}: third-party cases skipped")
endif()
