// Package flags holds the flag set and evaluates flags for a user.
package flags

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"sync"
)

//go:embed defaults.json
var defaultSet []byte

// Flag is one feature flag: a rollout percentage per environment, and users
// who always get it.
type Flag struct {
	Key          string         `json:"key"`
	Description  string         `json:"description"`
	Environments map[string]int `json:"environments"`
	Allow        []string       `json:"allow,omitempty"`
}

// Set is a versioned list of flags, as stored in defaults.json or served by the
// remote flag repository.
type Set struct {
	Version int    `json:"version"`
	Flags   []Flag `json:"flags"`
}

// Parse decodes and checks a flag set.
func Parse(data []byte) (Set, error) {
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return Set{}, fmt.Errorf("flag set: %w", err)
	}
	seen := map[string]bool{}
	for _, f := range s.Flags {
		if f.Key == "" {
			return Set{}, errors.New("flag set: a flag without a key")
		}
		if seen[f.Key] {
			return Set{}, fmt.Errorf("flag set: %s twice", f.Key)
		}
		seen[f.Key] = true
		for env, pct := range f.Environments {
			if pct < 0 || pct > 100 {
				return Set{}, fmt.Errorf("flag set: %s: rollout %d%% in %s", f.Key, pct, env)
			}
		}
	}
	sort.Slice(s.Flags, func(i, j int) bool { return s.Flags[i].Key < s.Flags[j].Key })
	return s, nil
}

// Defaults is the flag set compiled into the binary.
func Defaults() Set {
	s, err := Parse(defaultSet)
	if err != nil {
		panic(err)
	}
	return s
}

// Store is the current flag set, replaced as a whole on refresh.
type Store struct {
	mu  sync.RWMutex
	set Set
}

func NewStore(s Set) *Store { return &Store{set: s} }

func (st *Store) Get() Set {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.set
}

// Replace installs a newer set; older or equal versions are ignored.
func (st *Store) Replace(s Set) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.Version <= st.set.Version {
		return false
	}
	st.set = s
	return true
}

// Bucket places a user in 0..99 for a flag: stable across restarts and hosts,
// independent between flags.
func Bucket(flagKey, userID string) int {
	h := fnv.New32a()
	h.Write([]byte(flagKey))
	h.Write([]byte{0})
	h.Write([]byte(userID))
	return int(h.Sum32() % 100)
}

// Decision says whether a user gets a flag, and why.
type Decision struct {
	Key     string `json:"key"`
	Enabled bool   `json:"enabled"`
	Reason  string `json:"reason"`
}

// Evaluate decides one flag for a user in an environment.
func Evaluate(f Flag, env, userID string) Decision {
	for _, u := range f.Allow {
		if u == userID {
			return Decision{f.Key, true, "allow-list"}
		}
	}
	pct, ok := f.Environments[env]
	switch {
	case !ok || pct == 0:
		return Decision{f.Key, false, "off in " + env}
	case pct == 100:
		return Decision{f.Key, true, "on in " + env}
	}
	b := Bucket(f.Key, userID)
	return Decision{f.Key, b < pct, fmt.Sprintf("bucket %d, rollout %d%%", b, pct)}
}
