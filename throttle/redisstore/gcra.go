package redisstore

import "github.com/redis/go-redis/v9"

// gcra is one step of the generic cell rate algorithm, run atomically by
// Redis, so that replicas deciding at the same moment never both spend the
// last request of a bucket.
//
// The bucket is stored as its theoretical arrival time (TAT): the instant,
// in microseconds since the Unix epoch, at which it would be full again.
// A request at now moves the TAT one emission interval (1/rate) later; it
// is allowed when the new TAT lies no more than burst intervals ahead of
// now, which admits the same requests as a token bucket of that rate and
// burst. The key expires when the bucket is full again, as an absent key
// and a full bucket mean the same, so Redis holds a key only while it
// matters.
//
// KEYS[1] is the bucket. ARGV[1] is now and ARGV[2] the emission interval,
// both in microseconds; ARGV[3] is the burst. The reply is {1, 0} for an
// allowed request, or {0, wait} with the microseconds until one would be.
// The TAT is written with 17 significant digits, so that it reads back
// exactly.
var gcra = redis.NewScript(`
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local next_tat = tat + interval
local allow_at = next_tat - burst * interval
if now < allow_at then
  return {0, math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.17g', next_tat),
  'PX', math.ceil((next_tat - now) / 1000))
return {1, 0}
`)
