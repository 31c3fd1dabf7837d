# Chorus: the two commands are `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo

.PHONY: run test bench deps portal build rust-test lint portal-test e2e clean

## make run: install what is missing, build the portal and the binary, start Chorus with the
## demo business on a private PostgreSQL (unless DATABASE_URL is set).
run: deps portal
	$(CARGO) build --release -p chorus-api
	./target/release/chorus serve --demo

## make test: formatting, lints, every Rust test against real PostgreSQL, portal unit tests and
## the browser tests.
test: lint rust-test portal-test e2e
	@echo "make test: all checks passed"

deps:
	@infra/install-deps.sh

portal: deps
	cd portal && npm run build

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# --s3: moto_server, the local S3 the media-store tests run against (they fail without it).
rust-test:
	@infra/install-deps.sh --s3
	$(CARGO) test --workspace; status=$$?; infra/test-pg-stop.sh; exit $$status

portal-test: deps
	cd portal && npm test
	cd portal && npm run build

e2e:
	@infra/install-deps.sh --browser
	$(CARGO) build -p chorus-api
	infra/e2e.sh

## make bench: the load benchmarks; writes docs/performance.md.
bench:
	$(CARGO) build --release -p chorus-api -p chorus-loadtests
	./target/release/chorus-loadtests --chorus ./target/release/chorus --report docs/performance.md

clean:
	$(CARGO) clean
	rm -rf portal/dist portal/node_modules .chorus
