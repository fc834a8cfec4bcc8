# Counts the results of a suite run elsewhere (another PHP, a chroot) as checks of the matrix,
# each named after its version. Sourced by tests/matrix/run.sh, after tests/lib/common.sh.

# A suite's "ok   what" / "FAIL what" (+ indented details) lines, or its PHP checkers' "ok - what"
# / "FAIL - what: why" (tests/chaos/lib/suite.sh); a suite that ended without
# its RESULT line, or failed without saying what, is one failure more.
relay_suite() { # label log exit_status
    local line details=() failing=""
    report_failing() { [ -n "$failing" ] && fail "$failing" "${details[@]}"; failing="" details=(); }
    while IFS= read -r line; do
        case $line in
            "ok - "*) report_failing; pass "$1: ${line#ok - }" ;;
            "ok   "*) report_failing; pass "$1: ${line#ok   }" ;;
            "FAIL - "*) report_failing; failing="$1: ${line#FAIL - }" ;;
            "FAIL "*) report_failing; failing="$1: ${line#FAIL }" ;;
            "       "*) [ -n "$failing" ] && details+=("${line#       }") ;;
            *) report_failing ;;
        esac
    done < "$2"
    report_failing
    if ! grep -q '^RESULT: [0-9]* passed, 0 failed' "$2" && ! grep -q '^FAIL ' "$2"; then
        fail "$1: ran to its RESULT line (exit status $3)" "$(tail -10 "$2")"
    fi
}

# run-tests.php's result lines ("PASS what [file]", FAIL, BORK, LEAK, SKIP...), which newer
# versions colour and print after a progress counter and a carriage return; no PASS at all means it did not run.
relay_phpt() { # version log
    local line result file
    while IFS= read -r line; do
        result=${line%% *}
        case $result in
            PASS) pass "$1 phpt: ${line#* }" ;;
            SKIP) echo "skip $1 phpt: ${line#* }" ;;
            *) file=${line##*[}; fail "$1 phpt: $line" "diff: ${file%.phpt]*}.diff" ;;
        esac
    done < <(sed -E 's/\x1b\[[0-9;]*m//g; s/.*\r//' "$2" |
        grep -E '^(PASS|SKIP|FAIL|BORK|LEAK|LEAK&FAIL|XFAIL|XLEAK|WARN) .*\[[^]]*\.phpt\] *$')
    grep -q 'PASS' "$2" || fail "$1 phpt: run-tests.php ran" "$(tail -10 "$2")"
}
