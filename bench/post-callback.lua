-- wrk script: POST a callback request with a random Dutch mobile number; counts answers that are not 201.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_created = 0
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local phone = string.format("061%07d", math.random(0, 9999999))
  return wrk.format(nil, nil, nil, '{"phone":"' .. phone .. '","name":"Bench","window":"asap"}')
end

function response(status, headers, body)
  if status ~= 201 then not_created = not_created + 1 end
end

function done(summary, latency, requests)
  local refused = 0
  for _, thread in ipairs(threads) do refused = refused + thread:get("not_created") end
  io.write(string.format("not_created %d\n", refused))
end
