#!/usr/bin/env bash
# Installs what the tests need beyond the build tools: Debian's Chromium and ChromeDriver,
# PostgreSQL server binaries, a Java runtime for the Nu Html Checker, and from npm (kept
# out of git) axe-core, vnu-jar (the checker) and oidc-provider (a certified OpenID
# provider the sign-in tests run with the machine's Node.js).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

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

cd "$ROOT/tests/browser"
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] \
  || [ ! -f node_modules/oidc-provider/package.json ] || [ ! -f node_modules/jose/package.json ]; then
  echo "==> installing axe-core, vnu-jar and oidc-provider from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

# schemathesis (fuzzes /api/v1 from its OpenAPI document) and fhir.resources (the FHIR R4
# models; 6.4.0 is the last R4 release and needs pydantic 1) from PyPI, in a virtual
# environment the tests own, outside git.
cd "$ROOT"
VENV=target/test-venv
if ! cmp -s tests/tools/requirements.txt "$VENV/requirements.txt" 2>/dev/null; then
  echo "==> installing schemathesis and fhir.resources from PyPI"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/tools/requirements.txt
  cp tests/tools/requirements.txt "$VENV/requirements.txt"
fi
