-- wrk script: POST inbound chat messages from 100,000 different customers, each with a unique
-- external id; counts answers that are not 201.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEPT_BENCH_TOKEN")

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  not_created = 0
  counter = 0
  math.randomseed(os.time() + id * 7919)
end

function request()
  counter = counter + 1
  local customer = math.random(0, 99999)
  local body = string.format(
    '{"channel":"chat","external_id":"wrk-%d-%d-%d","from":{"handle":"@klant%d","name":"Klant %d"},"text":"Mijn fiets is kapot, wanneer kan ik langskomen voor de reparatie?"}',
    id, os.time(), counter, customer, customer)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then not_created = not_created + 1 end
end

function done(summary, latency, requests)
  local refused = 0
  for _, thread in ipairs(threads) do refused = refused + thread:get("not_created") end
  io.write(string.format("not_created %d\n", refused))
end
