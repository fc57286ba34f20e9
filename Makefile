.PHONY: run test bench

run: ## build (release) and serve on 127.0.0.1:3000, data under ./data/
	scripts/run.sh

test: ## every test: unit, SQLite + PostgreSQL integration, headless Chromium
	scripts/test.sh

bench: ## criterion benches (results go to BENCHMARKS.md by hand)
	cargo bench --bench scoring
