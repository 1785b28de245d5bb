# pare-base/node:bookworm — Debian's nodejs and npm. The npm registry is reached
# through the host's TLS proxy, whose CA is in the bundle the base image carries.
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/pare-host-bundle.crt \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
CMD ["node"]
