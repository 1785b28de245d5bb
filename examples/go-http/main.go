// go-http: a tiny inventory service. Standard library only.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	addr := ":" + envOr("PORT", "8080")
	store := NewStore(defaultItems())
	mux := http.NewServeMux()
	mux.HandleFunc("/health", handleHealth)
	mux.HandleFunc("/api/items", store.handleList)
	mux.HandleFunc("/api/items/", store.handleGet)
	log.Printf("go-http listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, logRequests(mux)))
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.Path)
		next.ServeHTTP(w, r)
	})
}
