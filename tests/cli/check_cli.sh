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

# --format json for tools
"$SB" check --format json "$tmp/bad" >"$tmp/json" 2>/dev/null
grep -q '"valid":false' "$tmp/json" && grep -q '"errors":\["' "$tmp/json" && ok || ko "json: $(cat "$tmp/json")"
"$SB" check --format json "$REPO/rules" | grep -q '"valid":true,"version":"' && ok || ko "json valid"

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
