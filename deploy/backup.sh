#!/usr/bin/env bash
# Back up Antar: the PostgreSQL database and the proof photos, into one dated folder.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/var/lib/antar/media deploy/backup.sh DEST
#
# Writes DEST/antar-<UTC time>/ holding
#   database.dump  pg_dump's custom format (restore with deploy/restore.sh)
#   media.tar      MEDIA_ROOT as it is: photos are Fernet-encrypted files
#   INFO           what this is and which keys it needs
#   SHA256SUMS     checksums of the three files above (`sha256sum -c SHA256SUMS`)
# and prints that folder's path. Any failure exits non-zero and leaves no folder.
#
# NOT in the backup, keep them separately (a password safe, not next to the backups):
# DATA_ENCRYPTION_KEY (without it the photos and passport numbers of this backup can
# never be read again) and AUDIT_CHECKPOINT_KEY (audit_verify checks the checkpoints'
# signatures with it). MEDIA_ROOT defaults to $ANTAR_VAR_DIR/media, as in settings.
# The nightly run is deploy/systemd/antar-backup.timer; README "Backups and restore".
# shellcheck source=deploy/backup-common.sh
. "$(dirname "$0")/backup-common.sh"

[ $# -eq 1 ] || die "usage: backup.sh DEST (a folder for the dated backups)"
dest=$1
read_target
[ -d "$media" ] || die "MEDIA_ROOT $media is not a folder"

name=antar-$(date -u +%Y-%m-%dT%H%M%SZ)
work=$dest/.$name.partial
mkdir -p "$dest"
mkdir "$work"
# A failed run leaves nothing that could be mistaken for a backup.
discard_partial() {
  local status=$?
  [ "$status" -eq 0 ] || rm -rf "$work"
  exit "$status"
}
trap discard_partial EXIT

# The database first, then the photos: a photo uploaded in between is only an extra
# file in the tar, whereas the other order could miss a photo the dump refers to.
pg_dump --format=custom --file="$work/database.dump" --dbname="$db"
pg_restore --list "$work/database.dump" >/dev/null # the archive reads back
# No compression: encrypted photos do not shrink.
tar --create --file="$work/media.tar" --directory="$media" .

cat >"$work/INFO" <<EOF
Antar backup $name
Made by deploy/backup.sh with $(pg_dump --version).
Restore: deploy/restore.sh <this folder> into an EMPTY database, then
manage.py audit_verify. Not in here, kept separately: DATA_ENCRYPTION_KEY (photos
and passport numbers are encrypted with it) and AUDIT_CHECKPOINT_KEY.
EOF
(cd "$work" && sha256sum database.dump media.tar INFO >SHA256SUMS)
mv --no-target-directory "$work" "$dest/$name"
echo "$dest/$name"
