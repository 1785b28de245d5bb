package flags

import "testing"

func TestDefaultsParse(t *testing.T) {
	s := Defaults()
	if s.Version == 0 || len(s.Flags) == 0 {
		t.Fatalf("empty defaults: %+v", s)
	}
	for i := 1; i < len(s.Flags); i++ {
		if s.Flags[i-1].Key > s.Flags[i].Key {
			t.Fatalf("not sorted at %d", i)
		}
	}
}

func TestBucketStable(t *testing.T) {
	if Bucket("a", "u-1") != Bucket("a", "u-1") {
		t.Fatal("bucket changes between calls")
	}
	counts := [2]int{}
	for i := 0; i < 10000; i++ {
		b := Bucket("checkout.new-payment-page", "u-"+itoa(i))
		if b < 0 || b > 99 {
			t.Fatalf("bucket %d", b)
		}
		if b < 25 {
			counts[0]++
		} else {
			counts[1]++
		}
	}
	if counts[0] < 2200 || counts[0] > 2800 {
		t.Fatalf("25%% rollout reached %d of 10000", counts[0])
	}
}

func TestEvaluate(t *testing.T) {
	f := Flag{Key: "x", Environments: map[string]int{"staging": 100, "production": 0}, Allow: []string{"vip"}}
	cases := []struct {
		env, user string
		want      bool
	}{
		{"staging", "anyone", true},
		{"production", "anyone", false},
		{"production", "vip", true},
		{"development", "anyone", false},
	}
	for _, c := range cases {
		if got := Evaluate(f, c.env, c.user).Enabled; got != c.want {
			t.Errorf("%s/%s: got %v", c.env, c.user, got)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{
		`{"flags":[{"key":""}]}`,
		`{"flags":[{"key":"a"},{"key":"a"}]}`,
		`{"flags":[{"key":"a","environments":{"prod":150}}]}`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
