#!/usr/bin/env bash
# Installs what the tests need beyond the build tools: Debian's Chromium and ChromeDriver,
# PostgreSQL server binaries, a Java runtime for the Nu Html Checker, and axe-core and
# vnu-jar (the checker) from npm (kept out of git).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

cd "$(dirname "$0")/../tests/browser"
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "==> installing axe-core and vnu-jar from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi
