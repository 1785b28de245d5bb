# Stand-in for a company's private Node toolchain image: acme/node-toolchain:18.
# No catalogue knows it, which is the point of the example that uses it
# (examples/node-private-base). Built from Debian 12's packages on
# pare-base/node:bookworm (nodejs 18 and npm) as such images usually are:
# build-essential and python3 for native addons, git and ssh for git
# dependencies, and the tools CI jobs and developers reach for, installed with
# apt's recommended packages, about 0.85 GB.
# (--force-unsafe-io: dpkg skips fsync, a third faster here; the files are the same.)
ARG BASE=pare-base/node:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y -o Dpkg::Options::=--force-unsafe-io \
      build-essential python3 python3-dev pkg-config git openssh-client curl ca-certificates \
      jq less procps vim-tiny unzip zip rsync tzdata libssl-dev \
 && rm -rf /var/lib/apt/lists/*
LABEL org.opencontainers.image.vendor="ACME" \
      org.opencontainers.image.title="node-toolchain" \
      org.opencontainers.image.version="18"
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/pare-host-bundle.crt \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /workspace
CMD ["bash"]
