#!/usr/bin/env bash
# Lints the OpenAPI document that the build writes (quarkus.smallrye-openapi.store-schema-directory, the same
# document /q/openapi serves) with Redocly CLI, installed from the committed package-lock.json. Exits non-zero on any
# problem: redocly.yaml raises every warning to an error. Usage: deploy/openapi/lint.sh [document], after a build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
doc="${1:-$here/../../target/openapi/openapi.json}"

echo "== OpenAPI document lint (Redocly CLI, deploy/openapi)"
if [ ! -f "$doc" ]; then
    echo "no OpenAPI document at $doc: build the service first (./mvnw package)" >&2
    exit 1
fi
doc="$(realpath "$doc")"
if ! command -v npm >/dev/null; then
    echo "npm not found: the lint needs Node.js 20.19+ (or 22.12+) with npm" >&2
    exit 1
fi
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
# No telemetry and no update check: this machine reaches package registries only.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    ./node_modules/.bin/redocly lint "$doc" --config redocly.yaml
