# Stand-in for a company's private "platform" Python image, the kind a platform
# team publishes for every service to build on:
# registry.acme.internal/platform/python-base:3.11. No catalogue knows it, which
# is the point of the examples that use it (examples/python-private-base).
# Built from Debian 12's packages as such images usually are: Python 3.11 with
# pip, venv and headers, a C toolchain and the -dev libraries wheels are built
# against, git, ssh, curl and a few tools for debugging in the container,
# installed with apt's recommended packages, about 0.8 GB. On
# pare-base/python:bookworm, which already has python3, pip and venv.
# (--force-unsafe-io: dpkg skips fsync, a third faster here; the files are the same.)
ARG BASE=pare-base/python:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y -o Dpkg::Options::=--force-unsafe-io \
      python3 python3-pip python3-venv python3-dev python3-setuptools python3-wheel \
      build-essential pkg-config git openssh-client curl ca-certificates \
      libpq-dev libssl-dev libffi-dev libxml2-dev libxslt1-dev zlib1g-dev libjpeg62-turbo-dev \
      sqlite3 jq less procps vim-tiny unzip tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home --shell /bin/bash app
LABEL org.opencontainers.image.vendor="ACME" \
      org.opencontainers.image.title="platform/python-base" \
      org.opencontainers.image.version="3.11"
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 LANG=C.UTF-8
WORKDIR /srv
CMD ["python3"]
