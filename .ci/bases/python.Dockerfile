# pare-base/python:bookworm — Python 3.11 with venv and pip, the builder image.
# (PyPI is unreachable in CI; examples use the standard library.)
ARG BASE=pare-base/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
