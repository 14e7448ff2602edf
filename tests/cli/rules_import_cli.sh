#!/usr/bin/env bash
# `signalbox rules import`: the JSON of `aws events list-rules` and `list-targets-by-rule`, as
# the AWS CLI prints it (tests/cli/import/), to rule files; exact reports, files and statuses.
# usage: rules_import_cli.sh SIGNALBOX TESTS_DIR
set -u
SB=$1
DIR=$2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$DIR/cli/import" "$tmp/in"
cd "$tmp" || exit 1

expect() { # name want_rc want_file got_rc got_file
    if [ "$2" = "$4" ] && diff -u "$3" "$5" >"$tmp/diff"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: status $4 (want $2)"
        cat "$tmp/diff"
    fi
}

# a folder of RULE.json files: a schedule and a Lambda and a Step Functions target skipped
"$SB" rules import --rules-json in/list-rules.json --targets-json in/targets --out out >got 2>&1
rc=$?
cat >want <<'OUT'
skipped target "notify-lambda" of rule ec2-state-change: arn:aws:lambda:eu-west-1:123456789012:function:notify-oncall is a Lambda function, which signalbox cannot deliver to (signalbox delivers to SQS, SNS, HTTP(S) and Redis)
wrote out/ec2-state-change.json: rule ec2-state-change (bus default), 1 target
skipped target "fulfil" of rule orders-large: arn:aws:states:eu-west-1:123456789012:stateMachine:fulfil-order is a Step Functions state machine, which signalbox cannot deliver to (signalbox delivers to SQS, SNS, HTTP(S) and Redis)
wrote out/shop.orders-large.json: rule orders-large (bus shop), 2 targets
skipped rule nightly-report: a schedule (cron(0 2 * * ? *)) with no EventPattern; signalbox matches events and has no scheduler
note: rule s3-uploads: no targets (no file in/targets/s3-uploads.json)
wrote out/s3-uploads.json: rule s3-uploads (bus default), 0 targets
check out: 3 rules valid (version VERSION)
imported 3 of 4 rules (1 skipped), 3 targets (2 skipped), 1 note
OUT
sed -i 's/(version [0-9a-f]*)/(version VERSION)/' got
expect "import from a folder" 1 want $rc got

cat >want <<'OUT'
{
  "Name": "orders-large",
  "EventBusName": "shop",
  "State": "DISABLED",
  "EventPattern": {
    "source": ["shop.orders"],
    "detail": {
      "total": [{"numeric": [">", 1000]}],
      "currency": [{"equals-ignore-case": "eur"}]
    }
  },
  "Targets": [
    {
      "Id": "large-orders-topic",
      "Arn": "arn:aws:sns:eu-west-1:123456789012:large-orders",
      "InputTransformer": {
        "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total"},
        "InputTemplate": "{\"order\": <id>, \"total\": <total>}"
      }
    },
    {
      "Id": "orders-fifo",
      "Arn": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
      "SqsParameters": {"MessageGroupId": "orders"}
    }
  ]
}
OUT
expect "a rule file on its bus, pattern as an object" 0 want 0 out/shop.orders-large.json
cat >want <<'OUT'
{
  "Name": "ec2-state-change",
  "Description": "EC2 instances that stop or terminate",
  "EventBusName": "default",
  "State": "ENABLED",
  "EventPattern": {
    "source": ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    "detail": {"state": ["stopped", "terminated"]}
  },
  "Targets": [
    {
      "Id": "ops-queue",
      "Arn": "arn:aws:sqs:eu-west-1:123456789012:ops-events",
      "InputPath": "$.detail",
      "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600},
      "DeadLetterConfig": {"Arn": "arn:aws:sqs:eu-west-1:123456789012:ops-events-dlq"}
    }
  ]
}
OUT
expect "a rule with retry and dead-letter settings" 0 want 0 out/ec2-state-change.json

# the imported rules work: check passes, and test-pattern finds the EC2 rule
"$SB" check out >/dev/null 2>&1
expect "check the output" 0 /dev/null $? /dev/null
"$SB" test-pattern --rules out --event '{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"state":"stopped"}}' >got 2>&1
rc=$?
printf 'match     ec2-state-change\nno match  s3-uploads\nbus default: 1 of 2 enabled rules matched\n' >want
expect "imported rules match" 0 want $rc got

# files that exist are not overwritten without --force
"$SB" rules import --rules-json in/list-rules.json --targets-json in/targets --out out >got 2>&1
rc=$?
grep -c "it exists (--force overwrites)" got >count
echo 3 >want
expect "no overwrite" 1 want $rc count
grep "^imported" got >last
echo "imported 0 of 4 rules (1 skipped, 3 not written), 3 targets (2 skipped), 1 note" >want
expect "no overwrite summary" 1 want $rc last
"$SB" rules import --rules-json in/list-rules.json --targets-json in/targets --out out --force >/dev/null 2>&1
expect "--force" 1 /dev/null $? /dev/null

# one file mapping rule names to targets; an API destination, a dropped field, and a bad SNS
# ARN that the validation reports with its position in the written file
"$SB" rules import --rules-json in/list-rules.json --targets-json in/targets-map.json --out out2 >got 2>&1
rc=$?
cat >want <<'OUT'
skipped target "partner-api" of rule ec2-state-change: arn:aws:events:eu-west-1:123456789012:api-destination/partner/0a1b2c3d-1111-2222-3333-444455556666 is an API destination, which signalbox cannot deliver to (write its endpoint as an http(s) URL target with HttpParameters and a ConnectionName)
note: rule ec2-state-change, target "stream": KinesisParameters left out (signalbox has no such setting)
wrote out2/ec2-state-change.json: rule ec2-state-change (bus default), 2 targets
note: rule orders-large: no targets (in/targets-map.json has no "orders-large")
wrote out2/shop.orders-large.json: rule orders-large (bus shop), 0 targets
skipped rule nightly-report: a schedule (cron(0 2 * * ? *)) with no EventPattern; signalbox matches events and has no scheduler
wrote out2/s3-uploads.json: rule s3-uploads (bus default), 1 target
out2/s3-uploads.json:16:14: target Arn "arn:aws:sns:eu-west-1:12345:thumbnails" is not a valid SQS or SNS ARN (arn:aws:sqs|sns:REGION:ACCOUNT:NAME, a 12-digit account)
check out2: 1 problem found
imported 3 of 4 rules (1 skipped), 3 targets (1 skipped), 2 notes
OUT
expect "import from a map file" 1 want $rc got

# everything importable: exit 0; standard input; a pattern string that is not JSON
cat >clean.json <<'OUT'
{
    "Rules": [
        {
            "Name": "audit",
            "EventPattern": "{\"source\":[{\"prefix\":\"aws.\"}]}",
            "State": "ENABLED",
            "EventBusName": "default"
        }
    ]
}
OUT
printf '{"audit": {"Targets": [{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:123456789012:audit", "RoleArn": "arn:aws:iam::123456789012:role/x"}]}}' >clean-targets.json
"$SB" rules import --rules-json - --targets-json clean-targets.json --out out3 <clean.json >got 2>&1
rc=$?
sed -i 's/(version [0-9a-f]*)/(version VERSION)/' got
printf '%s\n' "wrote out3/audit.json: rule audit (bus default), 1 target" \
    "check out3: 1 rule valid (version VERSION)" \
    "imported 1 of 1 rule (0 skipped), 1 target (0 skipped), 0 notes" >want
expect "clean import" 0 want $rc got
printf '{"Rules": [{"Name": "broken", "EventPattern": "{\\"source\\": [", "State": "ENABLED"}]}' >broken.json
"$SB" rules import --rules-json broken.json --out out4 >got 2>&1
rc=$?
head -1 got >first
echo 'skipped rule broken: EventPattern is not valid JSON: unexpected end of input (expected a value) (at byte 12)' >want
expect "pattern not JSON" 1 want $rc first

# unreadable or wrong inputs: exit 2, nothing written
"$SB" rules import --rules-json in/targets-map.json --out out5 >got 2>&1
rc=$?
echo 'signalbox rules import: in/targets-map.json is not the output of aws events list-rules (an object with "Rules": [...])' >want
expect "not list-rules output" 2 want $rc got
"$SB" rules import --rules-json nope.json --out out5 >got 2>&1
rc=$?
echo 'signalbox: cannot open nope.json: No such file or directory' >want
expect "missing input" 2 want $rc got
printf '{"Rules": [' >trunc.json
"$SB" rules import --rules-json trunc.json >got 2>&1
rc=$?
echo 'signalbox rules import: trunc.json:1:12: not valid JSON: unexpected end of input (expected a value)' >want
expect "truncated input" 2 want $rc got
"$SB" rules import --targets-json x >got 2>&1
expect "usage" 2 /dev/null $? /dev/null
"$SB" rules frobnicate >/dev/null 2>&1
expect "unknown subcommand" 2 /dev/null $? /dev/null
[ ! -e out5 ] && [ ! -e rules ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL wrote on error"; }

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
