#!/usr/bin/env bash
# The command-line contract of `signalbox test-pattern` (exit codes, outputs, --batch).
# usage: test_pattern_cli.sh SIGNALBOX TESTS_DIR
set -u
SB=$1
DIR=$2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name expected_status expected_stdout command...
    local name=$1 want_rc=$2 want_out=$3
    shift 3
    local out rc
    out=$("$@" 2>"$tmp/err")
    rc=$?
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: status $rc (want $want_rc), stdout '$out' (want '$want_out'), stderr: $(cat "$tmp/err")"
    fi
}

check match 0 true "$SB" test-pattern --pattern '{"source":["aws.ec2"]}' --event '{"source":"aws.ec2"}'
check no-match 1 false "$SB" test-pattern --pattern '{"source":["aws.ec2"]}' --event '{"source":"aws.s3"}'
check bad-pattern 2 "" "$SB" test-pattern --pattern '{"source":[{"prefx":"a"}]}' --event '{}'
check bad-event 2 "" "$SB" test-pattern --pattern '{"source":["a"]}' --event '{"source":'
check no-args 2 "" "$SB" test-pattern
check unknown-arg 2 "" "$SB" test-pattern --pattern '{}' --event '{}' --frobnicate x

# the error names the operator, the field path and line:column
"$SB" test-pattern --pattern $'{\n  "detail": {\n    "x": [{"prefx": "a"}]\n  }\n}' --event '{}' 2>"$tmp/err"
if grep -q '<pattern>:3:12: field "detail.x": unknown operator "prefx"' "$tmp/err"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL error-position: $(cat "$tmp/err")"
fi

# @FILE arguments
printf '{"detail":{"n":[{"numeric":[">",10]}]}}' >"$tmp/p.json"
printf '{"detail":{"n":11}}' >"$tmp/e.json"
check at-file 0 true "$SB" test-pattern --pattern @"$tmp/p.json" --event @"$tmp/e.json"
check missing-file 2 "" "$SB" test-pattern --pattern @"$tmp/nope.json" --event '{}'

# --batch: one answer per line, in order, without stopping at bad lines
printf '%s\n' '{"pattern":{"a":["x"]},"event":{"a":"x"}}' 'not json' \
    '{"pattern":{"a":[{"numeric":[">",5,"<",1]}]},"event":{"a":3}}' \
    '{"pattern":{"a":["x"]},"event":{"a":"y"},"other":1}' '{"event":{}}' >"$tmp/batch.jsonl"
"$SB" test-pattern --batch - <"$tmp/batch.jsonl" >"$tmp/batch.out"
rc=$?
got=$(cut -c1-6 "$tmp/batch.out" | tr '\n' ' ')
if [ $rc = 0 ] && [ "$got" = "true error: error: false error: " ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL batch: status $rc, got '$got'"
    cat "$tmp/batch.out"
fi

# --batch over the conformance corpus and our own cases: every answer as expected
for f in "$DIR/conformance/cases.jsonl" "$DIR/conformance/extra_cases.jsonl"; do
    grep -o '"match":[a-z]*' "$f" | cut -d: -f2 >"$tmp/want"
    "$SB" test-pattern --batch "$f" >"$tmp/got"
    if [ "$(wc -l <"$tmp/want")" -gt 0 ] && diff -q "$tmp/want" "$tmp/got" >/dev/null; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL batch over $f:"
        diff "$tmp/want" "$tmp/got" | head -20
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
