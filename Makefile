# agentfleet.hashistack — set-up and test entry points (see README).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/pytest
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Older ansible-core lines tested by `make test-compat` (venv .venv-core<v>, pins in
# requirements-compat-<v>.txt); the newest line (2.19) is the main $(VENV).
COMPAT_CORES ?= 2.17 2.18

# Molecule scenarios run by `make test` (each is a directory under molecule/).
MOLECULE_SCENARIOS ?= $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
# How many scenarios run at once (each has its own containers and network; the longest
# are listed first by MOLECULE_ORDER so the two lanes end close together).
MOLECULE_JOBS ?= 2
MOLECULE_ORDER := vault_cluster site consul_cluster nomad_cluster vault_single
MOLECULE_SCENARIOS := $(foreach s,$(MOLECULE_ORDER),$(filter $(s),$(MOLECULE_SCENARIOS))) $(filter-out $(MOLECULE_ORDER),$(MOLECULE_SCENARIOS))

.PHONY: setup test summary clean-results lint ansible-lint changelog-lint sanity test-unit test-integration test-compat test-molecule \
        test-docker stream-1 stream-2 \
        build doc-check bench freeze clean schema picture demo

setup:            ## Install system packages, the venv, OpenBao, Docker engine and base image
	bash scripts/setup.sh

test: clean-results  ## Everything, in two streams side by side (STREAM_1, STREAM_2); the total time at the end
	@echo "=== two streams side by side: [$(STREAM_1)] beside [$(STREAM_2)]; each stream's output is printed when it ends"
	@start=$$(date +%s); rc=0; \
	$(MAKE) --no-print-directory -j2 -k --output-sync=target stream-1 stream-2 || rc=1; \
	$(MAKE) --no-print-directory summary || rc=1; \
	echo "=== make test ended in $$(( $$(date +%s) - start )) s (rc=$$rc)"; exit $$rc

# The machines have two cores: each stream keeps about one busy (a Molecule scenario
# alone takes more than one). The checks run inside the streams (lint before the unit
# suite, sanity before the Docker tests), so no core waits for them; the targets of a
# stream all run even when one fails, and each prints its time.
STREAM_1 ?= lint test-unit test-integration test-compat
STREAM_2 ?= sanity test-docker

stream-1 stream-2:
	@rc=0; for t in $(if $(filter stream-1,$@),$(STREAM_1),$(STREAM_2)); do \
	  start=$$(date +%s); \
	  if $(MAKE) --no-print-directory $$t; then r=passed; else r=FAILED; rc=1; fi; \
	  echo "=== $$t $$r in $$(( $$(date +%s) - start )) s"; \
	done; exit $$rc

clean-results:
	rm -rf build/junit

lint: ansible-lint changelog-lint doc-check  ## Linters

ansible-lint:
	$(BIN)/ansible-lint --profile production $(wildcard roles playbooks molecule)

changelog-lint:   ## Changelog fragments are well-formed (antsibull-changelog)
	$(BIN)/antsibull-changelog lint

doc-check:        ## Collection builds, and ansible-doc renders every module
	bash scripts/doc-check.sh

sanity:           ## ansible-test sanity, offline, in a scratch copy
	bash scripts/sanity.sh

test-unit:        ## Fast tests: pure Python, contract servers, the hostile-spec suite
	$(PYTEST) tests/unit tests/hostile_specs -q --junitxml=build/junit/unit.xml

test-integration: ## ansible-playbook against OpenBao and the contract servers (not the Docker-bound tests)
	$(PYTEST) tests/integration -q -m "not docker" --junitxml=build/junit/integration.xml

test-docker:      ## Integration tests that need the Docker engine (agent images, registry), then Molecule
	bash scripts/ensure-docker.sh
	@rc=0; start=$$(date +%s); \
	$(PYTEST) tests/integration -q -m docker --junitxml=build/junit/docker.xml || rc=1; \
	echo "=== docker-bound integration tests ended in $$(( $$(date +%s) - start )) s (rc=$$rc)"; \
	$(MAKE) --no-print-directory test-molecule || rc=1; exit $$rc

test-compat:      ## Unit suite (less tests/unit/support: test infrastructure, stdlib only) + fleet-apply smoke test on each older ansible-core line (COMPAT_CORES)
	bash scripts/compat-venvs.sh $(COMPAT_CORES)
	@failed=""; for v in $(COMPAT_CORES); do \
	  bin=$(CURDIR)/.venv-core$$v/bin; \
	  for part in unit smoke; do \
	    if [ $$part = unit ]; then args="tests/unit tests/hostile_specs --ignore=tests/unit/support"; else args="tests/integration -m smoke"; fi; \
	    echo "=== ansible-core $$v: $$part ($$bin/pytest $$args)"; start=$$(date +%s); \
	    if PATH=$$bin:$$PATH $$bin/pytest $$args -q --junitxml=build/junit/compat-$$v-$$part.xml; \
	    then echo "=== ansible-core $$v: $$part passed in $$(( $$(date +%s) - start )) s"; \
	    else echo "=== ansible-core $$v: $$part FAILED in $$(( $$(date +%s) - start )) s"; failed="$$failed $$v/$$part"; fi; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "=== test-compat failed:$$failed"; exit 1; fi

test-molecule:    ## Roles in systemd containers, MOLECULE_JOBS at a time (starts Docker, builds the image if missing)
	bash scripts/ensure-docker.sh
	rm -f build/junit/molecule.txt
	bash scripts/molecule-parallel.sh $(MOLECULE_JOBS) $(MOLECULE_SCENARIOS)

summary:          ## One closing line over the last test run (junit files + molecule log)
	@$(BIN)/python scripts/test_summary.py build/junit

schema:           ## Regenerate docs/fleet-spec.schema.json from fleet/schema.py (a unit test fails when stale)
	$(BIN)/python scripts/fleet_schema.py

picture:          ## Regenerate the example fleet's picture (Mermaid) in README.md (a unit test fails when stale)
	$(BIN)/python scripts/readme_picture.py

demo:             ## Render the example fleet offline; with Docker, build the reference agent and render the fleet that runs it
	VENV=$(VENV) bash scripts/demo.sh

build:            ## Build the collection tarball into build/
	mkdir -p build && $(BIN)/ansible-galaxy collection build --force --output-path build .

bench:            ## Benchmarks (print figures; never part of `make test`)
	@for b in benchmarks/*.py; do echo "=== $$b"; $(BIN)/python $$b || exit 1; done

freeze:           ## Regenerate constraints.txt from the venv
	{ echo '# Transitive pins: pip freeze of the project venv (regenerate with `make freeze`).'; \
	  $(BIN)/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf build .pytest_cache .hypothesis
