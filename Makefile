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
        test-backends test-docker \
        build doc-check bench freeze clean schema picture demo

setup:            ## Install system packages, the venv, OpenBao, Docker engine and base image
	bash scripts/setup.sh

test: clean-results lint sanity test-unit  ## Everything: linters, sanity, unit, then two streams side by side
	@echo "=== parallel: test-backends (integration, then compat) beside test-docker (image tests, then Molecule); each stream's output is printed when it ends"
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-backends test-docker
	@$(MAKE) --no-print-directory summary

# The suites against OpenBao and the contract servers (one stream) run beside the Molecule
# scenarios (the other): each keeps about one core busy, and the machines have two.
test-backends:    ## test-integration then test-compat (both run even if the first fails)
	@start=$$(date +%s); rc=0; \
	$(MAKE) --no-print-directory test-integration || rc=1; \
	$(MAKE) --no-print-directory test-compat || rc=1; \
	echo "=== test-backends ended in $$(( $$(date +%s) - start )) s (rc=$$rc)"; exit $$rc

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

test-compat:      ## Unit suite + fleet-apply smoke test on each older ansible-core line (COMPAT_CORES)
	bash scripts/compat-venvs.sh $(COMPAT_CORES)
	@failed=""; for v in $(COMPAT_CORES); do \
	  bin=$(CURDIR)/.venv-core$$v/bin; \
	  for part in unit smoke; do \
	    if [ $$part = unit ]; then args="tests/unit tests/hostile_specs"; else args="tests/integration -m smoke"; fi; \
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
