# pare-base/jre:bookworm — Java 17 runtime only, on the slim base: the final stage
# for jars built in pare-base/java:bookworm.
ARG BASE=pare-base/debian:bookworm-slim
FROM ${BASE}
# The JRE's postinst registers man pages with update-alternatives; slim has no man dir.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
CMD ["java", "-version"]
