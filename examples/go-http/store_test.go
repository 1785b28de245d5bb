package main

import "testing"

func TestListByTag(t *testing.T) {
	s := NewStore(defaultItems())
	got := s.List("coffee")
	if len(got) != 2 || got[0].ID != "b2" || got[1].ID != "c3" {
		t.Fatalf("List(coffee) = %+v", got)
	}
}

func TestGetMissing(t *testing.T) {
	s := NewStore(defaultItems())
	if _, ok := s.Get("zz"); ok {
		t.Fatal("Get(zz) found an item")
	}
}
