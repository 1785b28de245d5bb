# pare-base/golang:bookworm — Debian's Go toolchain (no module proxy is reachable
# in CI, so examples use the standard library only).
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go \
 && rm -rf /var/lib/apt/lists/*
# GOPROXY=off: fail at once instead of timing out on an unreachable proxy.
ENV GOPATH=/go PATH=/go/bin:$PATH GOPROXY=off
WORKDIR /go
CMD ["bash"]
