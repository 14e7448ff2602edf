#!/usr/bin/env bash
# `signalbox check` and the settings of `signalbox serve` as ops scripts see them: exit codes,
# one line per rule, errors as FILE:LINE:COLUMN, --format json, --help, unknown settings.
# usage: check_cli.sh SIGNALBOX REPO_DIR
set -u
SB=$1
REPO=$2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# the example rules are valid
out=$("$SB" check "$REPO/rules")
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "ec2-instance-stopped (bus default, ENABLED): 1 target: redis:stream:ec2-stopped" &&
    echo "$out" | grep -q "^2 rules valid" && ok || ko "check rules/: rc=$rc out=$out"

# errors: every problem of every file, with file:line:column, and a non-zero exit
mkdir -p "$tmp/bad"
cat >"$tmp/bad/a.yaml" <<'YAML'
# comment
Name: a
EventPattern:
  detail:
    n: [{ "numeric": [">", 5, "<", 1] }]
Targets:
  - Id: t
    Arn: redis:queue:x
YAML
printf '{"Name": "b", "EventPattern": {"source": ["x"]}, "Targets": [{"Id": "t", "Arn": "https://example.test/h", "Input": "{oops"}]}\n' >"$tmp/bad/b.json"
printf '{"Name": "c", "EventPattern": "{\\"source\\": [1", "Targets": []}\n' >"$tmp/bad/c.json"
printf '{"Rules": [{"Name": "d", "EventPattern": {"s": ["x"]}}, {"Name": "d", "EventPattern": {"s": ["y"]}}]}\n' >"$tmp/bad/d.json"
"$SB" check "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && ok || ko "bad rules: exit $rc"
grep -q "a.yaml:8:10: target Arn \"redis:queue:x\"" "$tmp/err" && ok || ko "arn error: $(cat "$tmp/err")"
grep -q "b.json:1:.*target Input must be valid JSON" "$tmp/err" && ok || ko "input error: $(cat "$tmp/err")"
grep -q "c.json:1:.*EventPattern string is not valid JSON" "$tmp/err" && ok || ko "pattern string: $(cat "$tmp/err")"
grep -q "rule \"d\" is already defined on bus \"default\"" "$tmp/err" && ok || ko "duplicate: $(cat "$tmp/err")"
# a pattern error in a rule file points into the file
printf 'Name: e\nEventPattern:\n  detail:\n    n: [{ "numeric": [">", 5, "<", 1] }]\n' >"$tmp/e.yaml"
"$SB" check "$tmp/e.yaml" 2>"$tmp/err2" >/dev/null
grep -q "e.yaml:4:.*field \"detail.n\".*numeric" "$tmp/err2" && ok || ko "pattern position: $(cat "$tmp/err2")"
# ... also when YAML's lines end in a lone CR or U+2028 (found by fuzz_rules): the byte of the
# error, on the file's line 1 as lines count newlines
printf 'Name: r\rEventPattern:\r  source: [{"prefix": 5}]\r' >"$tmp/cr.yaml"
printf 'Name: r\342\200\250EventPattern:\342\200\250  source: [{"prefix": 5}]\n' >"$tmp/ls.yaml"
"$SB" check "$tmp/cr.yaml" "$tmp/ls.yaml" 2>"$tmp/err3" >/dev/null
grep -q "cr.yaml:1:45: field \"source\": \"prefix\" takes a string" "$tmp/err3" && ok || ko "CR position: $(cat "$tmp/err3")"
grep -q "ls.yaml:1:49: field \"source\": \"prefix\" takes a string" "$tmp/err3" && ok || ko "LS position: $(cat "$tmp/err3")"

# --format json for tools: files, rules, and each error split into file, line, column, rule
# and message (exactly); exit status as in text
(cd "$tmp" && "$SB" check --format json bad missing.yaml >json 2>jerr)
rc=$?
cat >"$tmp/want" <<'JSON'
{"valid":false,"version":null,"files":["bad/a.yaml","bad/b.json","bad/c.json","bad/d.json"],"rules":[{"name":"a","file":"bad/a.yaml","line":2,"valid":false},{"name":"b","file":"bad/b.json","line":1,"valid":false},{"name":"c","file":"bad/c.json","line":1,"valid":false},{"name":"d","file":"bad/d.json","line":1,"valid":true},{"name":"d","file":"bad/d.json","line":1,"valid":false}],"errors":[{"file":"bad/a.yaml","line":8,"column":10,"rule":"a","message":"target Arn \"redis:queue:x\": Redis targets are redis:stream:KEY, redis:list:KEY or redis:publish:CHANNEL"},{"file":"bad/b.json","line":1,"column":116,"rule":"b","message":"target Input must be valid JSON text: expected a string key in object"},{"file":"bad/c.json","line":1,"column":31,"rule":"c","message":"EventPattern string is not valid JSON: unterminated array (at line 1, column 14 of the string)"},{"file":"missing.yaml","line":null,"column":null,"rule":null,"message":"cannot read: No such file or directory"},{"file":"bad/d.json","line":1,"column":null,"rule":"d","message":"rule \"d\" is already defined on bus \"default\" at bad/d.json:1"}]}
JSON
[ $rc = 1 ] && diff "$tmp/want" "$tmp/json" && [ ! -s "$tmp/jerr" ] && ok || ko "json errors: rc=$rc $(cat "$tmp/json" "$tmp/jerr")"
# a pattern error inside a Rules list names its rule
printf '{"Rules": [\n{"Name": "p", "EventPattern": {"s": ["x"]}},\n{"Name": "q", "EventPattern": {"s": [{"prefx": "y"}]}}]}\n' >"$tmp/list.json"
(cd "$tmp" && "$SB" check --format json list.json >json2)
cat >"$tmp/want2" <<'JSON'
{"valid":false,"version":null,"files":["list.json"],"rules":[{"name":"p","file":"list.json","line":2,"valid":true},{"name":"q","file":"list.json","line":3,"valid":false}],"errors":[{"file":"list.json","line":3,"column":39,"rule":"q","message":"field \"s\": unknown operator \"prefx\" (known: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr)"}]}
JSON
diff "$tmp/want2" "$tmp/json2" && ok || ko "json pattern error: $(cat "$tmp/json2")"
(cd "$REPO" && "$SB" check --format json rules) | sed 's/"version":"[0-9a-f]*"/"version":"V"/' >"$tmp/json3"
cat >"$tmp/want3" <<'JSON'
{"valid":true,"version":"V","files":["rules/ec2-instance-stopped.json","rules/orders-large.yaml"],"rules":[{"name":"ec2-instance-stopped","bus":"default","state":"ENABLED","file":"rules/ec2-instance-stopped.json","line":1,"valid":true,"targets":[{"id":"audit-stream","kind":"redis-stream","arn":"redis:stream:ec2-stopped"}]},{"name":"orders-large","bus":"default","state":"ENABLED","file":"rules/orders-large.yaml","line":2,"valid":true,"targets":[{"id":"large-orders","kind":"redis-list","arn":"redis:list:orders-large"}]}],"errors":[]}
JSON
diff "$tmp/want3" "$tmp/json3" && ok || ko "json valid"
"$SB" check --format yaml "$REPO/rules" >/dev/null 2>&1; [ $? = 2 ] && ok || ko "bad format"

# gating a rules repository in CI: any error, or a path that does not exist, fails the step
"$SB" check "$REPO/rules" >/dev/null 2>&1 && ok || ko "valid repo fails"
"$SB" check "$REPO/rules" "$tmp/e.yaml" >/dev/null 2>&1; [ $? = 1 ] && ok || ko "one bad file among good ones"
"$SB" check "$tmp/nope" >/dev/null 2>"$tmp/e7"; [ $? = 1 ] && grep -q "nope: cannot read" "$tmp/e7" && ok || ko "missing path"
"$SB" check >/dev/null 2>&1; [ $? = 2 ] && ok || ko "no path"

# serve: --help lists every setting with its variable and default; unknown settings are errors
"$SB" serve --help >"$tmp/help"
for s in rules listen redis account region drain-timeout http-timeout max-body log-level; do
    grep -q -- "--$s" "$tmp/help" || ko "help lacks --$s"
done
grep -q "SIGNALBOX_DRAIN_TIMEOUT" "$tmp/help" && grep -q "redis://127.0.0.1:6379" "$tmp/help" && ok || ko "help: $(cat "$tmp/help")"
"$SB" serve --frobnicate 1 2>"$tmp/e1"; [ $? = 2 ] && grep -q "unknown flag --frobnicate" "$tmp/e1" && ok || ko "unknown flag: $(cat "$tmp/e1")"
SIGNALBOX_FROB=1 "$SB" serve 2>"$tmp/e2"; [ $? = 2 ] && grep -q "unknown environment variable SIGNALBOX_FROB" "$tmp/e2" && ok || ko "unknown env: $(cat "$tmp/e2")"
printf 'listen: 127.0.0.1:1\nbogus: 2\n' >"$tmp/cfg.yaml"
"$SB" serve --config "$tmp/cfg.yaml" 2>"$tmp/e3"; [ $? = 2 ] && grep -q "cfg.yaml:2:1: unknown setting \"bogus\"" "$tmp/e3" && ok || ko "unknown key: $(cat "$tmp/e3")"
"$SB" serve --redis http://x 2>"$tmp/e4"; [ $? = 2 ] && grep -q "redis URL must be" "$tmp/e4" && ok || ko "redis url: $(cat "$tmp/e4")"
"$SB" serve --drain-timeout soon 2>"$tmp/e5"; [ $? = 2 ] && grep -q "not a duration" "$tmp/e5" && ok || ko "duration: $(cat "$tmp/e5")"
# rules that do not load stop the start with the reason
"$SB" serve --rules "$tmp/bad" --listen 127.0.0.1:0 --redis redis://127.0.0.1:1 >"$tmp/o6" 2>"$tmp/e6"; rc=$?
[ $rc = 1 ] && grep -q "cannot be loaded" "$tmp/e6" && ok || ko "bad rules at start: rc=$rc $(cat "$tmp/e6")"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
