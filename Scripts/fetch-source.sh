#!/usr/bin/env bash
# Fetches a Debian source package and unpacks its upstream tarball into Profiles/sources/NAME,
# the folder the matching pipeline profile points at. Idempotent: an unpacked tree is kept.
# Usage: Scripts/fetch-source.sh PACKAGE [SUITE]   (e.g. sqlite3; python3.13 trixie)
# SUITE: a Debian suite to take the source from (a deb-src entry for it is added if there is
# none), and the version: that suite's, never a newer one from another entry; default: this
# system's own suite.
set -euo pipefail
pkg="${1:-}"
suite_arg="${2:-}"
case "$pkg" in
  (''|*[!a-z0-9.+-]*) echo "usage: $0 PACKAGE [SUITE] (a Debian source package name, e.g. sqlite3; python3.13 trixie)" >&2; exit 2;;
esac
case "$suite_arg" in
  (*[!a-z0-9-]*) echo "usage: $0 PACKAGE [SUITE]: SUITE is a Debian suite name such as bookworm or trixie" >&2; exit 2;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/Profiles/sources/$pkg"
if [ -f "$dest/.temper-fetched" ]; then
  echo "source: $pkg already unpacked in $dest"
  exit 0
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# apt-get source needs a deb-src entry; add one for the suite if there is none.
. /etc/os-release
suite="${suite_arg:-${VERSION_CODENAME:?cannot tell the Debian suite from /etc/os-release}}"
has_src() {
  # A one-line "deb-src URI SUITE ..." entry, or a deb822 stanza with deb-src and the suite.
  grep -rqsE "^deb-src[[:space:]].*[[:space:]]$1[[:space:]]" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$1" 'BEGIN{RS=""} /Types:[^\n]*deb-src/ && $0 ~ ("Suites:[^\n]*[ \t]" s "([ \t\n]|$)") {found=1} END{exit !found}' "$f" && return 0
  done
  return 1
}
if ! has_src "$suite"; then
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  # deb822 form with the same Signed-By as Debian's own entries: apt refuses conflicting values.
  name=temper-deb-src.sources
  [ "$suite" = "${VERSION_CODENAME:-}" ] || name="temper-deb-src-$suite.sources"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$suite" "$keyring" | "${sudo_cmd[@]}" tee "/etc/apt/sources.list.d/$name" >/dev/null
  "${sudo_cmd[@]}" apt-get update -q
fi
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
# PACKAGE/SUITE pins the version to that suite's: without it apt takes the newest version across
# every deb-src entry, which may be another release's (and then 404s on a mirror without it).
fetch() { (cd "$download" && apt-get source --download-only -q "$pkg/$suite") >"$download/apt.log" 2>&1; }
if ! fetch; then
  if grep -q "404" "$download/apt.log"; then
    # An index older than the pool: refresh it once and try again.
    "${sudo_cmd[@]}" apt-get update -q >/dev/null 2>&1 || true
    fetch || true
  fi
fi
if ! ls "$download"/*.dsc >/dev/null 2>&1; then
  cat "$download/apt.log" >&2
  if grep -q "404" "$download/apt.log"; then
    echo "error: the archive lists $pkg for $suite, but its pool file is not on the mirror (HTTP 404), even after apt-get update. The mirror may be syncing: try again later, or name another suite (Scripts/fetch-source.sh $pkg SUITE)." >&2
  elif grep -qi "unable to find a source package\|can not find version" "$download/apt.log"; then
    echo "error: $suite has no source package $pkg. Check the name (apt-cache showsrc $pkg), or name the suite that has it (Scripts/fetch-source.sh $pkg SUITE)." >&2
  else
    echo "error: apt-get source $pkg/$suite failed (output above)." >&2
  fi
  exit 1
fi
tarball="$(ls "$download"/*.orig.tar.* 2>/dev/null | head -n 1)"
[ -n "$tarball" ] || { echo "error: no upstream tarball (*.orig.tar.*) in the $pkg source package" >&2; exit 1; }
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
tar -xf "$tarball" -C "$dest.partial" --strip-components=1
touch "$dest.partial/.temper-fetched"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "source: $pkg $(basename "$tarball") unpacked in $dest"
