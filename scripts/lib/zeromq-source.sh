# Fetches Debian's source package of the libzmq this machine has (zeromq3) into a directory,
# through a private apt configuration (a deb-src entry of its own; the machine's apt sources
# are left alone). Sourced by scripts that build from it:
#   src=$(fetch_zeromq_source "$work")
fetch_zeromq_source() {
  local work="$1"
  mkdir -p "$work/etc/sources.list.d" "$work/state/lists/partial" "$work/cache/archives/partial"
  cat > "$work/etc/sources.list.d/src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  local apt=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/etc/sources.list.d" -o "Dir::State=$work/state"
             -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  # The source version of the libzmq installed (libzmq5 comes from zeromq3), e.g. 4.3.4-6.
  local source_version
  source_version=$(dpkg-query -W -f='${source:Version}' libzmq5)
  echo "fetching Debian's zeromq3 $source_version source" >&2
  (cd "$work" && apt-get "${apt[@]}" update -qq && apt-get "${apt[@]}" source -qq "zeromq3=$source_version" >&2)
  local src
  src=$(find "$work" -maxdepth 1 -type d -name "zeromq3-*" | head -n 1)
  [ -n "$src" ] || { echo "apt-get source zeromq3 gave no source tree" >&2; return 2; }
  echo "$src"
}
