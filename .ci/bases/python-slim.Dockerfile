# pare-base/python:slim-bookworm — the runtime for apps and venvs built in
# pare-base/python:bookworm: the same /usr/bin/python3 and full stdlib (venv
# symlinks resolve), but no pip, venv or dev packages, on the slim base.
ARG BASE=pare-base/debian:bookworm-slim
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1
CMD ["python3"]
