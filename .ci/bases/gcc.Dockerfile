# pare-base/gcc:bookworm — C/C++ toolchain; libc6-dev carries libc.a, so -static works.
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc g++ libc6-dev make \
 && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
