-- wrk script: PutEvents with 10 entries per request (AWS JSON 1.1), as the AWS SDKs send it;
-- the same load as perf/ingest, here delivered to an SQS target.
-- Optional pacing: set SB_DELAY_MS to wait that long between requests on each connection.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSEvents.PutEvents"
local entries = {}
for i = 1, 10 do
  entries[#entries + 1] = string.format(
    '{"Source":"bench.orders","DetailType":"OrderPlaced","Detail":"{\\"order\\":\\"o-%d\\",\\"total\\":%d,\\"currency\\":\\"EUR\\",\\"items\\":[{\\"sku\\":\\"A-1\\",\\"qty\\":2}]}","Resources":["arn:aws:shop:eu-west-1:123456789012:order/o-%d"]}',
    i, i * 100, i)
end
wrk.body = '{"Entries":[' .. table.concat(entries, ",") .. ']}'
local delay_ms = tonumber(os.getenv("SB_DELAY_MS") or "0")
function delay() return delay_ms end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
end
