#!/usr/bin/env bash
# Fetches a Debian source package and unpacks its upstream tarball into Profiles/sources/NAME,
# the folder the matching pipeline profile points at. Idempotent: an unpacked tree is kept.
# Usage: Scripts/fetch-source.sh PACKAGE   (e.g. sqlite3)
set -euo pipefail
pkg="${1:-}"
case "$pkg" in
  (''|*[!a-z0-9.+-]*) echo "usage: $0 PACKAGE (a Debian source package name, e.g. sqlite3)" >&2; exit 2;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/Profiles/sources/$pkg"
if [ -f "$dest/.temper-fetched" ]; then
  echo "source: $pkg already unpacked in $dest"
  exit 0
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# apt-get source needs a deb-src entry; add one for this system's suite if there is none.
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  . /etc/os-release
  suite="${VERSION_CODENAME:?cannot tell the Debian suite from /etc/os-release}"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  # deb822 form with the same Signed-By as Debian's own entries: apt refuses conflicting values.
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$suite" "$keyring" | "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/temper-deb-src.sources >/dev/null
  "${sudo_cmd[@]}" apt-get update -q
fi
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
(cd "$download" && apt-get source --download-only -q "$pkg")
tarball="$(ls "$download"/*.orig.tar.* 2>/dev/null | head -n 1)"
[ -n "$tarball" ] || { echo "error: no upstream tarball (*.orig.tar.*) in the $pkg source package" >&2; exit 1; }
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
tar -xf "$tarball" -C "$dest.partial" --strip-components=1
touch "$dest.partial/.temper-fetched"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "source: $pkg $(basename "$tarball") unpacked in $dest"
