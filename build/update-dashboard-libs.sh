#!/usr/bin/env bash
# Re-fetches the dashboard's third-party files at their pinned versions from the npm registry (`npm pack`: the published
# tarball, no install, no scripts run) and copies the built files and licences into src/Envoy.AspNetCore/Dashboard/wwwroot/lib/.
# The files are committed: building Envoy needs neither node nor the network. To move to a new version, change the pin here,
# run this script, update THIRD-PARTY-NOTICES.md and docs/dashboard.md, and look at the pages that use the library.
set -euo pipefail

MERMAID_VERSION=12.4.0
UPLOT_VERSION=1.6.32

root="$(cd "$(dirname "$0")/.." && pwd)"
lib="$root/src/Envoy.AspNetCore/Dashboard/wwwroot/lib"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { # name version → unpacked into $work/name
  local name="$1" version="$2"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  mkdir -p "$work/$name"
  tar -xzf "$work/$name-$version.tgz" -C "$work/$name" --strip-components=1
  local got
  got="$(node -p "require('$work/$name/package.json').version")"
  [ "$got" = "$version" ] || { echo "expected $name $version, got $got" >&2; exit 1; }
}

fetch mermaid "$MERMAID_VERSION"
cp "$work/mermaid/dist/mermaid.min.js" "$lib/mermaid.min.js"
cp "$work/mermaid/LICENSE" "$lib/mermaid.LICENSE.txt"

fetch uplot "$UPLOT_VERSION"
cp "$work/uplot/dist/uPlot.iife.min.js" "$lib/uPlot.iife.min.js"
cp "$work/uplot/dist/uPlot.min.css" "$lib/uPlot.min.css"
cp "$work/uplot/LICENSE" "$lib/uPlot.LICENSE.txt"

echo "mermaid $MERMAID_VERSION and uPlot $UPLOT_VERSION copied to $lib"
(cd "$root" && git status --short -- "$lib")
