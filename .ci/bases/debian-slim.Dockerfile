# pare-base/debian:bookworm-slim — the minbase image without docs, man pages and
# locales, the same exclusions as the official debian:*-slim images. The dpkg
# filter stays in the image so packages installed later are slim too.
ARG BASE=pare-base/debian:bookworm
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

# Copying the stripped tree into scratch makes it one layer, so the deletions above
# actually shrink the image instead of hiding files under whiteouts.
FROM scratch
COPY --from=strip / /
CMD ["bash"]
