# Sourced by deploy/backup.sh and deploy/restore.sh: strict mode, private files, and
# the database and photo folder both work on (DATABASE_URL, MEDIA_ROOT as in settings).
set -euo pipefail
umask 077 # the dump holds personal data: only its owner may read it

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Sets db and media from the environment, or dies saying what is missing.
read_target() {
  db=${DATABASE_URL:-}
  media=${MEDIA_ROOT:-${ANTAR_VAR_DIR:+$ANTAR_VAR_DIR/media}}
  case $db in
    postgres://* | postgresql://*) ;;
    *) die "DATABASE_URL must name the PostgreSQL database (postgres://...)" ;;
  esac
  [ -n "$media" ] || die "set MEDIA_ROOT (or ANTAR_VAR_DIR) to the photo folder"
}
