# pare-base/java:bookworm — JDK 17 and Maven from Debian. Maven Central is not
# reachable in CI: builds must work offline (javac/jar, or mvn -o with Debian's
# /usr/share/maven-repo).
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
# The JDK's postinst registers man pages with update-alternatives.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \
 && rm -rf /var/lib/apt/lists/*
CMD ["jshell"]
