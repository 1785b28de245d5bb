# Stand-in for Docker Hub's node:20-slim and node:16-slim, which cannot be pulled
# in CI: hub-node.Dockerfile's image (Debian 12's nodejs 18 and npm, a `node`
# user, docker-entrypoint.sh) with the exclusions of debian:*-slim applied, as in
# debian-slim.Dockerfile: no docs, man pages or locales, and the dpkg filter
# kept so that packages installed later are slim too. Stripping the node image
# takes seconds, where installing nodejs and npm on the slim base again would
# take minutes. Like the real slim images it has no compilers or git; unlike
# them it carries Debian's npm, which brings node-gyp and python3 (the real
# node:20-slim is about 200 MB, this one about 300 MB).
ARG BASE=node:20
FROM ${BASE} AS strip
RUN printf '%s\n' \
      'path-exclude /usr/share/doc/*' \
      'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' \
      'path-exclude /usr/share/groff/*' \
      'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/lintian/*' \
      'path-exclude /usr/share/linda/*' \
      'path-exclude /usr/share/locale/*' \
      'path-include /usr/share/locale/locale.alias' \
      > /etc/dpkg/dpkg.cfg.d/docker-slim \
 && find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete \
 && find /usr/share/doc -mindepth 1 -type d -empty -delete \
 && rm -rf /usr/share/man/* /usr/share/groff/* /usr/share/info/* /usr/share/lintian/* /usr/share/linda/* \
 && find /usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

# One layer, so the deletions shrink the image; FROM scratch drops the config,
# so it is set again (the same as hub-node's).
FROM scratch
COPY --from=strip / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/pare-host-bundle.crt \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
