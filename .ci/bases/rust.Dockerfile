# pare-base/rust:bookworm — Debian's rustc and cargo (crates.io is unreachable in CI,
# so examples use std only). libc6-dev comes with them, so crt-static links.
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends rustc cargo libc6-dev \
 && rm -rf /var/lib/apt/lists/*
ENV CARGO_HOME=/usr/local/cargo CARGO_NET_OFFLINE=true
CMD ["bash"]
