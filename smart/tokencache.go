package smart

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// defaultCacheEntries is the number of validated tokens a cache holds when
// the configuration leaves the bound at zero.
const defaultCacheEntries = 10000

// cacheShardCount is the number of independently locked parts of a large
// cache, so that concurrent requests rarely wait for each other.
const cacheShardCount = 16

// evictionSample is how many entries a full shard looks at to choose the
// one to evict.
const evictionSample = 8

// tokenKey is the SHA-256 of a token: the cache never holds the token
// itself, so a memory dump of the cache yields no usable credential.
type tokenKey [sha256.Size]byte

// tokenCache remembers the Grants of validated tokens until a deadline
// that never passes the token's expiry. It holds at most its bound of
// entries; when a shard is full it evicts an expired entry or, failing that,
// the least recently used of a small random sample.
//
// A nil *tokenCache caches nothing. It is safe for concurrent use, and a hit
// does not allocate.
type tokenCache struct {
	shards   []cacheShard
	perShard int
}

// cacheShard is one locked part of a tokenCache.
type cacheShard struct {
	mu      sync.RWMutex
	entries map[tokenKey]*cacheEntry
}

// cacheEntry is one cached Grant. Deadline and lastUsed are Unix
// nanoseconds.
type cacheEntry struct {
	grant    *Grant
	deadline int64
	lastUsed atomic.Int64
}

// newTokenCache returns a cache bounded to size entries, or nil (no cache)
// when size is negative. Zero means the default bound.
func newTokenCache(size int) *tokenCache {
	if size < 0 {
		return nil
	}
	if size == 0 {
		size = defaultCacheEntries
	}

	shards := 1
	if size >= 4*cacheShardCount {
		shards = cacheShardCount
	}
	c := &tokenCache{shards: make([]cacheShard, shards), perShard: size / shards}
	for i := range c.shards {
		c.shards[i].entries = make(map[tokenKey]*cacheEntry)
	}
	return c
}

// hashToken returns the cache key of token. It hashes the string's bytes in
// place: converting a token longer than 32 bytes to a []byte would allocate
// on every request, and sha256.Sum256 only reads its input.
func hashToken(token string) tokenKey {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// shard returns the shard that holds key.
func (c *tokenCache) shard(key *tokenKey) *cacheShard {
	return &c.shards[int(key[0])%len(c.shards)]
}

// get returns the Grant cached under key, or nil when there is none or its
// deadline is not after now.
func (c *tokenCache) get(key *tokenKey, now time.Time) *Grant {
	if c == nil {
		return nil
	}
	s := c.shard(key)

	s.mu.RLock()
	e := s.entries[*key]
	s.mu.RUnlock()

	t := now.UnixNano()
	if e == nil || t >= e.deadline {
		return nil
	}
	if t-e.lastUsed.Load() > int64(time.Second) {
		e.lastUsed.Store(t)
	}
	return e.grant
}

// put caches g under key until deadline. It does nothing when the deadline
// is not after now.
func (c *tokenCache) put(key *tokenKey, g *Grant, deadline, now time.Time) {
	if c == nil || !deadline.After(now) {
		return
	}
	e := &cacheEntry{grant: g, deadline: deadline.UnixNano()}
	e.lastUsed.Store(now.UnixNano())
	s := c.shard(key)

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[*key]; !ok && len(s.entries) >= c.perShard {
		s.evictOne(now.UnixNano())
	}
	s.entries[*key] = e
}

// evictOne removes one entry: the first expired one found in a random
// sample, or else the sample's least recently used. The caller holds the
// write lock.
func (s *cacheShard) evictOne(now int64) {
	var victim tokenKey
	oldest, seen := int64(0), 0
	for k, e := range s.entries {
		if now >= e.deadline {
			delete(s.entries, k)
			return
		}
		if used := e.lastUsed.Load(); seen == 0 || used < oldest {
			victim, oldest = k, used
		}
		if seen++; seen == evictionSample {
			break
		}
	}
	if seen > 0 {
		delete(s.entries, victim)
	}
}

// len returns the number of entries, expired ones included.
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.entries)
		s.mu.RUnlock()
	}
	return n
}
