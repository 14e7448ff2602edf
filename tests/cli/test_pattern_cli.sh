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

# --explain with one pattern: the first field that failed and why
check explain-range 1 $'false\ndetail.n: 7 is not in the range >= 10' \
    "$SB" test-pattern --explain --pattern '{"detail":{"n":[{"numeric":[">=",10]}]}}' --event '{"detail":{"n":7}}'
check explain-missing 1 $'false\nsource: missing' \
    "$SB" test-pattern --explain --pattern '{"source":["a"],"x":["y"]}' --event '{"x":"y"}'
check explain-one-of 1 $'false\ndetail.state: "running" is not one of ["stopped","terminated"]' \
    "$SB" test-pattern --explain --pattern '{"detail":{"state":["stopped","terminated"]}}' --event '{"detail":{"state":"running"}}'
check explain-type 1 $'false\nn: "7" is not in the range > 0 and <= 5 (it is a string; numeric tests pass numbers only)' \
    "$SB" test-pattern --explain --pattern '{"n":[{"numeric":[">",0,"<=",5]}]}' --event '{"n":"7"}'
check explain-array 1 $'false\nip: no value of ["10.1.2.3","192.168.0.1"] is an IP address in 172.16.0.0/12' \
    "$SB" test-pattern --explain --pattern '{"ip":[{"cidr":"172.16.0.0/12"}]}' --event '{"ip":["10.1.2.3","192.168.0.1"]}'
check explain-mixed 1 $'false\nk: "zz" passes none of: prefix "a", suffix "b" (ignoring case), wildcard "x*y"' \
    "$SB" test-pattern --explain --pattern '{"k":[{"prefix":"a"},{"suffix":{"equals-ignore-case":"B"}},{"wildcard":"x*y"}]}' --event '{"k":"zz"}'
check explain-anything-but 1 $'false\nk: "test-1" is excluded by anything-but prefix "test-"' \
    "$SB" test-pattern --explain --pattern '{"k":[{"anything-but":{"prefix":"test-"}}]}' --event '{"k":"test-1"}'
check explain-absent 1 $'false\nk: 1 is present, but the pattern needs the field absent ({"exists": false})' \
    "$SB" test-pattern --explain --pattern '{"k":[{"exists":false}]}' --event '{"k":1}'
check explain-object 1 $'false\ndetail: is an object, and patterns test values (name a field inside it)' \
    "$SB" test-pattern --explain --pattern '{"detail":[{"exists":true}]}' --event '{"detail":{"a":1}}'
check explain-or 1 $'false\nb: 2 is not 3' \
    "$SB" test-pattern --explain --pattern '{"$or":[{"a":["x"]},{"b":[3]}]}' --event '{"b":2}'
# array consistency: the simple explainer would match; the matcher's verdict stands
check explain-unavailable 1 $'false\nexplanation unavailable (the explainer\'s simple evaluator disagrees with the matcher, whose verdict stands; see array consistency in docs/patterns.md)' \
    "$SB" test-pattern --explain --pattern '{"a":{"b":[1],"c":[4]}}' --event '{"a":[{"b":1,"c":2},{"b":3,"c":4}]}'
check explain-match 0 true "$SB" test-pattern --explain --pattern '{"a":["x"]}' --event '{"a":"x"}'
check json-false 1 '{"match":false,"explanation":{"field":"source","message":"source: missing"}}' \
    "$SB" test-pattern --format json --explain --pattern '{"source":["a"]}' --event '{}'
check json-true 0 '{"match":true}' "$SB" test-pattern --format json --pattern '{"source":["a"]}' --event '{"source":"a"}'
check stdin-event 0 true sh -c "echo '{\"source\":\"a\"}' | \"\$0\" test-pattern --pattern '{\"source\":[\"a\"]}' --event -" "$SB"

# --rules DIR: every rule of the event's bus, the real matcher's verdict, and --explain
mkdir -p "$tmp/rules"
cat >"$tmp/rules/a.yaml" <<'YAML'
Name: ec2-stopped
EventPattern:
  source: ["aws.ec2"]
  detail:
    state: ["stopped", "terminated"]
YAML
cat >"$tmp/rules/b.json" <<'JSON'
{"Rules": [
  {"Name": "big-orders", "EventPattern": {"source": ["shop"], "detail": {"n": [{"numeric": [">=", 10]}]}}},
  {"Name": "any-ec2", "EventPattern": {"source": [{"prefix": "aws.ec"}]}},
  {"Name": "old", "State": "DISABLED", "EventPattern": {"source": ["aws.ec2"]}},
  {"Name": "other-bus", "EventBusName": "shop", "EventPattern": {"source": ["shop"]}}
]}
JSON
ev='{"source":"aws.ec2","detail":{"state":"running","n":3}}'
check rules-text 0 $'no match  ec2-stopped\nno match  big-orders\nmatch     any-ec2\ndisabled  old\nbus default: 1 of 3 enabled rules matched' \
    "$SB" test-pattern --rules "$tmp/rules" --event "$ev"
check rules-explain 0 $'no match  ec2-stopped: detail.state: "running" is not one of ["stopped","terminated"]\nno match  big-orders: source: "aws.ec2" is not "shop"\nmatch     any-ec2\ndisabled  old\nbus default: 1 of 3 enabled rules matched' \
    "$SB" test-pattern --rules "$tmp/rules" --event "$ev" --explain
check rules-none 1 $'no match  other-bus: source: missing\nbus shop: 0 of 1 enabled rule matched' \
    "$SB" test-pattern --rules "$tmp/rules" --bus shop --event '{}' --explain
printf '%s' '{"source":"shop","detail":{"n":12}}' >"$tmp/ev.json"
check rules-json 0 "{\"bus\":\"default\",\"matched\":[\"big-orders\"],\"rules\":[{\"name\":\"ec2-stopped\",\"file\":\"$tmp/rules/a.yaml\",\"line\":1,\"state\":\"ENABLED\",\"match\":false,\"explanation\":{\"field\":\"source\",\"message\":\"source: \\\"shop\\\" is not \\\"aws.ec2\\\"\"}},{\"name\":\"big-orders\",\"file\":\"$tmp/rules/b.json\",\"line\":2,\"state\":\"ENABLED\",\"match\":true},{\"name\":\"any-ec2\",\"file\":\"$tmp/rules/b.json\",\"line\":3,\"state\":\"ENABLED\",\"match\":false,\"explanation\":{\"field\":\"source\",\"message\":\"source: \\\"shop\\\" does not start with \\\"aws.ec\\\"\"}},{\"name\":\"old\",\"file\":\"$tmp/rules/b.json\",\"line\":4,\"state\":\"DISABLED\",\"match\":false}]}" \
    "$SB" test-pattern --rules "$tmp/rules" --event @"$tmp/ev.json" --explain --format json
check rules-stdin 0 $'no match  ec2-stopped\nmatch     big-orders\nno match  any-ec2\ndisabled  old\nbus default: 1 of 3 enabled rules matched' \
    sh -c "\"\$0\" test-pattern --rules \"\$1\" --event - <\"\$2\"" "$SB" "$tmp/rules" "$tmp/ev.json"
check rules-unknown-bus 2 "" "$SB" test-pattern --rules "$tmp/rules" --bus nope --event '{}'
grep -q 'no rule of .* is on bus "nope" (buses of the rules: default shop)' "$tmp/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL unknown bus message: $(cat "$tmp/err")"; }
check rules-bad-event 2 "" "$SB" test-pattern --rules "$tmp/rules" --event '{"source":'
grep -q '^signalbox test-pattern: invalid event: ' "$tmp/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL bad event message: $(cat "$tmp/err")"; }
printf 'Name: broken\nEventPattern: {"s": [{"prefx": 1}]}\n' >"$tmp/rules/c.yaml"
check rules-bad-rules 2 "" "$SB" test-pattern --rules "$tmp/rules" --event "$ev"
grep -q 'c.yaml:2:.*unknown operator "prefx"' "$tmp/err" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL bad rules message: $(cat "$tmp/err")"; }
check rules-and-pattern 2 "" "$SB" test-pattern --rules "$tmp/rules" --pattern '{}' --event '{}'
check bus-without-rules 2 "" "$SB" test-pattern --bus x --pattern '{}' --event '{}'
check bad-format 2 "" "$SB" test-pattern --format xml --pattern '{"a":["b"]}' --event '{}'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
