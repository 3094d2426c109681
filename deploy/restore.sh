#!/usr/bin/env bash
# Restore an Antar backup made by deploy/backup.sh into an EMPTY database and photo
# folder. It refuses a database that holds any table and a non-empty photo folder:
# a restore never mixes with, or overwrites, live data.
#
#   createdb -O antar antar_restored     # as the PostgreSQL superuser
#   DATABASE_URL=postgres://antar@.../antar_restored MEDIA_ROOT=/srv/media \
#     deploy/restore.sh /var/backups/antar/antar-2026-12-04T023000Z
#
# Run it as the application's user: the restored tables belong to the role of
# DATABASE_URL (owners and grants of the old server are not replayed). The database is
# restored in one transaction, all or nothing. Then prove the audit chain intact with
# the original AUDIT_CHECKPOINT_KEY (and DATA_ENCRYPTION_KEY to read photos):
#   DATABASE_URL=... manage.py audit_verify
# shellcheck source=deploy/backup-common.sh
. "$(dirname "$0")/backup-common.sh"

[ $# -eq 1 ] || die "usage: restore.sh BACKUP_FOLDER (made by deploy/backup.sh)"
src=$1
read_target # the target database must be empty: checked below
[ -f "$src/SHA256SUMS" ] || die "$src holds no SHA256SUMS: not a backup folder"

(cd "$src" && sha256sum --check --quiet --strict SHA256SUMS) ||
  die "$src does not match its checksums: the backup is damaged"

# Tables, sequences, views of any schema but PostgreSQL's own.
relations=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$db" \
  --command="SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\_toast%'")
[ "$relations" = 0 ] || die "the target database is not empty ($relations relations): refused"
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  die "MEDIA_ROOT $media is not empty: refused"
fi

pg_restore --dbname="$db" --no-owner --no-privileges --exit-on-error \
  --single-transaction "$src/database.dump"
mkdir -p "$media"
tar --extract --file="$src/media.tar" --directory="$media" --no-same-owner
echo "restored $src; now run: manage.py audit_verify (with this DATABASE_URL)"
