-- wrk script: POST /events with one EventBridge-shaped event per request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"source":"bench.orders","detail-type":"OrderPlaced","detail":{"order":"o-1","total":250,"currency":"EUR"}}'
local delay_ms = tonumber(os.getenv("SB_DELAY_MS") or "0")
function delay() return delay_ms end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
end
