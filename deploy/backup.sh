#!/usr/bin/env bash
# Daily backup of one instance: the database (pg_dump -Fc) and the evidence folder, in one .tar.
# Usage: deploy/backup.sh [ENV_FILE]   (cron: see README, "Triển khai trên PostgreSQL")
#   BACKUP_DIR  where archives go             (default /var/backups/danhgia)
#   KEEP_DAYS   archives older than this go   (default 30)
#   APP_DIR     the checkout with .venv       (default: this script's parent folder)
set -euo pipefail
ENV_FILE="${1:-${ENV_FILE:-/etc/danhgia/danhgia.env}}"
APP_DIR="${APP_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
set -a
# shellcheck disable=SC1090
[ -f "$ENV_FILE" ] && . "$ENV_FILE"
set +a
BACKUP_DIR="${BACKUP_DIR:-/var/backups/danhgia}"
KEEP_DAYS="${KEEP_DAYS:-30}"
mkdir -p "$BACKUP_DIR"
cd "$APP_DIR"
out="$BACKUP_DIR/danhgia-$(date +%Y%m%d-%H%M%S).tar"
.venv/bin/flask --app run backup --out "$out"
find "$BACKUP_DIR" -maxdepth 1 -name 'danhgia-*.tar' -mtime +"$KEEP_DAYS" -delete
