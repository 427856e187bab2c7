# City Analyst Academy — two commands do all the set-up:
#   make lab    create the environment if needed and open the course in JupyterLab
#   make test   create the environment if needed and run every test (course verification included)

PYTHON ?= python3
HUB_ARGS ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)

LAB_ARGS ?=
# JupyterLab refuses to run as root unless told to (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_ARGS ?=
BENCH_ARGS ?=
GRADING_ARGS ?=
BOOK_ARGS ?=

# Node packages from the npm registry, each pinned by its package-lock.json and installed in the
# repository (nothing global): JupyterHub's proxy for the hub tests, axe-core for the website's
# accessibility tests. Without npm they are not installed, and the tests that need them say so.
PROXY := deploy/proxy/node_modules/.bin/configurable-http-proxy
AXE   := book/node_modules/axe-core/axe.min.js
NODE_TOOLS := $(if $(shell command -v npm),$(PROXY) $(AXE))

.PHONY: help env lab test exercises fingerprints course datasets verify browser lint bench book clean hub hub-env hub-load

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

env: $(STAMP)  ## create or update the environment (.venv)

lab: $(STAMP)  ## open the course in JupyterLab (prints the URL)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url="/lab/tree/README.md" $(ROOT_FLAG) $(LAB_ARGS)

test: $(VENV)/.book-installed $(NODE_TOOLS)  ## run every test, course verification included
	$(BIN)/python -m pytest $(PYTEST_ARGS)

exercises: $(STAMP)  ## regenerate exercises/ from solutions/
	$(BIN)/citykit course build

fingerprints: $(STAMP)  ## refresh the answer fingerprints of every assignment
	$(BIN)/citykit course fingerprint

datasets: $(STAMP)  ## regenerate the sample city in datasets/
	$(BIN)/citykit datasets build

course: $(STAMP)  ## execute every lesson into build/lessons
	$(BIN)/citykit course run

verify: $(STAMP)  ## check every notebook (what `make test` runs, alone)
	$(BIN)/citykit course verify

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@touch $@

# otter run takes about 16 s a submission here, so the busy-machine grading table and the
# 240-submission run compare citykit with nbgrader only. The 240 submissions are the cohort of
# the 16-submission run (the same two assignments) at 15 times its size, idle and busy.
# BENCH_QUICK=1 skips those two runs (about an hour each);
# BENCH_ARGS="--scales 5 10 --skip-course" gives a quick toolkit table.
bench: $(VENV)/.bench-installed  ## benchmarks at city scale (scales 50, 100), printed and in build/bench/
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_imports.py
	$(BIN)/python benchmarks/bench_loads.py
	$(BIN)/python benchmarks/bench_grading.py --students 8 --assignments 2 $(GRADING_ARGS)
	$(BIN)/python benchmarks/bench_grading.py --students 8 --assignments 2 --busy --no-otter $(GRADING_ARGS)
	$(if $(BENCH_QUICK),,$(BIN)/python benchmarks/bench_grading.py --students 120 --assignments 2 --no-otter $(GRADING_ARGS))
	$(if $(BENCH_QUICK),,$(BIN)/python benchmarks/bench_grading.py --students 120 --assignments 2 --busy --no-otter $(GRADING_ARGS))
	$(BIN)/python benchmarks/bench_trusted.py
	$(BIN)/python benchmarks/bench_trusted.py --variant-seed 2027

$(VENV)/.book-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,book]"
	@touch $@

$(AXE): book/package.json book/package-lock.json
	npm ci --prefix book --no-audit --no-fund --loglevel=error
	@touch $@

book: $(VENV)/.book-installed  ## the course website in build/book/html (runs the lessons that changed)
	$(BIN)/python book/build.py $(BOOK_ARGS)

$(PROXY): deploy/proxy/package.json deploy/proxy/package-lock.json
	cd deploy/proxy && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

hub-env: $(STAMP) $(PROXY)  ## install what the trial hub needs (the environment, configurable-http-proxy)

hub: hub-env  ## a trial hub on 127.0.0.1 (instructor, 3 learners; run as root; Ctrl+C removes it)
	$(BIN)/python deploy/trial_hub.py $(HUB_ARGS)

hub-load: hub-env  ## the hub load test at full size (30 learners at once; figures in build/hub-load/)
	CITYKIT_HUB_LOAD_LEARNERS=30 $(BIN)/python -m pytest tests/hub/test_hub_load.py -s $(PYTEST_ARGS)

browser: $(STAMP)  ## drive the course in headless Chromium (lessons, widgets, nbgrader Validate)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:  ## remove build outputs (not the environment)
	rm -rf build _grading .pytest_cache test-artifacts
