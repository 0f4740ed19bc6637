-- wrk script: a new C2C token per request (fills the embed cache), up to 100,000 distinct tokens
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  if n > 100000 then n = 100000 end
  return wrk.format(nil, nil, nil, '{"token":"c2c_fill' .. string.format("%08d", n) .. 'abcdef"}')
end
