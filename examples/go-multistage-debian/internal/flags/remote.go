package flags

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Fetch downloads a flag set from the flag repository (an HTTPS URL; the
// image carries the CA certificates for it).
func Fetch(ctx context.Context, client *http.Client, url string) (Set, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Set{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Set{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Set{}, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return Set{}, err
	}
	return Parse(data)
}

// Poll refreshes the store from url every interval until ctx ends.
func Poll(ctx context.Context, st *Store, url string, interval time.Duration, logf func(string, ...any)) {
	client := &http.Client{Timeout: 10 * time.Second}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		s, err := Fetch(ctx, client, url)
		switch {
		case err != nil:
			logf("flag refresh failed: %v", err)
		case st.Replace(s):
			logf("flag set version %d loaded (%d flags)", s.Version, len(s.Flags))
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
