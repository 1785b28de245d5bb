package main

import (
	"sort"
	"sync"
)

type Item struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Price int      `json:"priceCents"`
	Tags  []string `json:"tags"`
}

type Store struct {
	mu    sync.RWMutex
	items map[string]Item
}

func NewStore(items []Item) *Store {
	s := &Store{items: make(map[string]Item, len(items))}
	for _, it := range items {
		s.items[it.ID] = it
	}
	return s
}

// List returns the items carrying tag (all items when tag is empty), sorted by id
// so that responses are deterministic.
func (s *Store) List(tag string) []Item {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Item{}
	for _, it := range s.items {
		if tag == "" || hasTag(it, tag) {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Store) Get(id string) (Item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[id]
	return it, ok
}

func hasTag(it Item, tag string) bool {
	for _, t := range it.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

func defaultItems() []Item {
	return []Item{
		{ID: "a1", Name: "espresso cup", Price: 450, Tags: []string{"kitchen"}},
		{ID: "b2", Name: "pour-over kettle", Price: 3900, Tags: []string{"kitchen", "coffee"}},
		{ID: "c3", Name: "hand grinder", Price: 5500, Tags: []string{"coffee"}},
	}
}
