# pare-base/debian:bookworm — Debian 12 minbase, the root of every pare-base image.
# Docker Hub is unreachable where pare's CI runs, so the root filesystem comes from
# mmdebstrap (see ../provision-engine.sh), which also puts in:
#   - the host's CA bundle, as /etc/ssl/certs/ca-certificates.crt and (to survive
#     update-ca-certificates) /usr/local/share/ca-certificates/pare-host-bundle.crt,
#     so containers can reach the npm registry through the host's TLS proxy;
#   - apt-docker.conf as /etc/apt/apt.conf.d/docker-clean (official images' apt settings).
# A single ADD keeps it one layer, like the official debian images.
FROM scratch
ADD rootfs.tar /
CMD ["bash"]
