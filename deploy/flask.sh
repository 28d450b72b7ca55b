#!/usr/bin/env bash
# `flask --app run …` with the instance's environment: deploy/flask.sh setup | create-admin … | accounts lock-expired …
set -euo pipefail
ENV_FILE="${ENV_FILE:-/etc/danhgia/danhgia.env}"
APP_DIR="${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
set -a
# shellcheck disable=SC1090
[ -f "$ENV_FILE" ] && . "$ENV_FILE"
set +a
cd "$APP_DIR"
exec .venv/bin/flask --app run "$@"
