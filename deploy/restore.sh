#!/usr/bin/env bash
# Restore one instance from an archive of deploy/backup.sh. Stop the app servers first:
#   systemctl stop 'danhgia@*'; deploy/restore.sh /var/backups/danhgia/danhgia-….tar [--force]; systemctl start danhgia@1 danhgia@2
# Without --force it refuses a database that has tables or a non-empty evidence folder.
set -euo pipefail
ARCHIVE="${1:?tệp sao lưu (.tar)}"
shift
ENV_FILE="${ENV_FILE:-/etc/danhgia/danhgia.env}"
APP_DIR="${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
set -a
# shellcheck disable=SC1090
[ -f "$ENV_FILE" ] && . "$ENV_FILE"
set +a
ARCHIVE="$(realpath "$ARCHIVE")"
cd "$APP_DIR"
.venv/bin/flask --app run restore "$ARCHIVE" "$@"
.venv/bin/flask --app run setup   # brings an older archive's schema up to this version
