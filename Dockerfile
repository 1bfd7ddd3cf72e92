# syntax=docker/dockerfile:1
# Built the way Airbyte builds its Python connectors today (docker-images/Dockerfile.python-connector in Airbyte's
# repository): installed on Airbyte's Python connector base image (Python 3.11) in a build stage, copied into a clean
# one, run as the base image's non-root `airbyte` user (uid 1000), the entrypoint the connector's console script.
# The versions come from constraints.txt (bin/lock), so a rebuild installs what CI tested. unit_tests/test_packaging.py
# runs this file's COPY and `pip install` lines in a fresh venv (there is no Docker engine where the tests run).
FROM docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73 AS builder

WORKDIR /airbyte/integration_code
COPY constraints.txt setup.py ./
COPY source_zendesk_support ./source_zendesk_support
RUN pip install --no-cache-dir --no-warn-script-location --constraint constraints.txt .

FROM docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

WORKDIR /airbyte/integration_code
COPY --from=builder /usr/local /usr/local
USER airbyte

ENV AIRBYTE_ENTRYPOINT="source-zendesk-support"
ENTRYPOINT ["source-zendesk-support"]

LABEL io.airbyte.name=zendesk-support-airbyte-source
LABEL io.airbyte.version=0.1.0
