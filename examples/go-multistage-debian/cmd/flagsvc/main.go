// flagsvc serves feature flags to the shop's services: the set compiled in
// (internal/flags/defaults.json), or the newest one from FLAGS_REMOTE_URL.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/flagsvc/internal/api"
	"example.com/flagsvc/internal/flags"
)

func main() {
	logger := log.New(os.Stderr, "flagsvc ", log.LstdFlags|log.Lmsgprefix)
	port := getenv("PORT", "8080")

	store := flags.NewStore(flags.Defaults())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if url := os.Getenv("FLAGS_REMOTE_URL"); url != "" {
		interval, err := time.ParseDuration(getenv("FLAGS_REFRESH", "1m"))
		if err != nil {
			logger.Fatalf("FLAGS_REFRESH: %v", err)
		}
		go flags.Poll(ctx, store, url, interval, logger.Printf)
	}

	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           api.Handler(store),
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()

	logger.Printf("listening on :%s with flag set version %d", port, store.Get().Version)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Fatal(err)
	}
}

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
