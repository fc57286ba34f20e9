# Sourced by the build, run and test scripts: the settings Leptos reads when the server
# and the WASM are compiled and when the server starts. The same values everywhere, so
# the test build reuses the release build's artifacts instead of compiling them again.
export LEPTOS_OUTPUT_NAME=digiparat LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" \
  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 \
  LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false
