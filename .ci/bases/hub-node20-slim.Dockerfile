# Stand-in for Docker Hub's node:20.20-bookworm-slim, which cannot be pulled in
# CI. pare's own image builds on it: pare needs Node 20.19 or later, and the
# other node stand-ins carry Debian 12's nodejs 18. Like the official image it
# is debian:bookworm-slim with a release build of Node in /usr/local (node, npm
# and npx), a `node` user and group (uid/gid 1000), docker-entrypoint.sh as
# ENTRYPOINT and CMD ["node"]. The Node build is the CI machine's own (copied
# into the build context by provision-engine.sh, which rebuilds this image when
# that Node changes); the official image downloads the same kind of build from
# nodejs.org, which CI cannot reach.
ARG BASE=pare-base/debian:bookworm-slim
FROM ${BASE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && printf '%s\n' \
      '#!/bin/sh' \
      'set -e' \
      '# An option or something that is not a program on PATH: run it with node.' \
      'if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then' \
      '  set -- node "$@"' \
      'fi' \
      'exec "$@"' \
      > /usr/local/bin/docker-entrypoint.sh \
 && chmod 755 /usr/local/bin/docker-entrypoint.sh \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/pare-host-bundle.crt \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
