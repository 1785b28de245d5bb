// Package api is the HTTP interface of flagsvc.
package api

import (
	"encoding/json"
	"net/http"
	"regexp"

	"example.com/flagsvc/internal/flags"
)

var (
	envName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	userID  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// Handler serves the flag API from the store.
func Handler(st *flags.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/v1/flags", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("GET only"))
			return
		}
		writeJSON(w, http.StatusOK, st.Get())
	})
	mux.HandleFunc("/v1/evaluate", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		env, user := q.Get("env"), q.Get("user")
		if !envName.MatchString(env) || !userID.MatchString(user) {
			writeJSON(w, http.StatusBadRequest, errorBody("env and user are required"))
			return
		}
		set := st.Get()
		decisions := make([]flags.Decision, 0, len(set.Flags))
		for _, f := range set.Flags {
			if key := q.Get("flag"); key != "" && key != f.Key {
				continue
			}
			decisions = append(decisions, flags.Evaluate(f, env, user))
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"version": set.Version,
			"env":     env,
			"user":    user,
			"flags":   decisions,
		})
	})
	return mux
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
