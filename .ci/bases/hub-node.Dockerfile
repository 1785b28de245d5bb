# Stand-in for Docker Hub's node:20 and node:latest, which cannot be pulled in CI.
# It is Debian 12's nodejs (18) and npm, i.e. pare-base/node:bookworm, plus what
# the official full images add that Dockerfiles rely on:
#   - a `node` user and group (uid/gid 1000, home /home/node), for `USER node`
#     and `COPY --chown=node:node`;
#   - /usr/local/bin/docker-entrypoint.sh as ENTRYPOINT, which runs the command
#     with node when its first word is an option (`--version`) or not a program
#     on PATH (`server.js`), and otherwise execs it as it is;
#   - CMD ["node"].
# The real node:20 is about 1.1 GB (it is built on buildpack-deps: compilers,
# git, headers); this one is only Debian's nodejs and npm, about a third of that.
ARG BASE=pare-base/node:bookworm
FROM ${BASE}
RUN groupadd --gid 1000 node \
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
 && chmod 755 /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
