# Small verbs that mirror CI. A student needs two: `make lab` opens the course, `make test` runs
# every test. Each creates the local virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The exact versions the stored outputs are made with (pip constraints; pyproject.toml has the
# ranges). torch is installed on its own, first, with the lock's pin: an unpinned torch
# requirement would make pip download several GB of CUDA packages.
LOCK := requirements/lock.txt
TORCH_PIN := $(shell grep -E '^torch==' $(LOCK))
# CI's second environment: the newest tested torch (the CUDA build from the package index, about
# 3.5 GB; it runs on the CPU), with rnnlab installed from its wheel next to it.
NEXT_TORCH := torch==2.14.1
NEXT := .venv-torch-next
WHEEL := dist/rnnlab-0.1.0-py3-none-any.whl

.PHONY: lab test test-determinism test-install test-grading test-torch-next test-hub wheel lint \
	format notebooks book slides student doctor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH_PIN)"
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@

lab: $(VENV)/.installed  ## open the course in JupyterLab at its first chapter
	$(BIN)/rnnlab lab

test: $(VENV)/.installed  ## unit tests and every notebook under nbval
	$(BIN)/pytest

test-determinism: $(VENV)/.installed  ## every chapter with 1 and 2 torch threads (~1 min)
	$(BIN)/pytest tests/test_determinism.py --determinism --dist load

test-grading: $(VENV)/.installed  ## rnnlab nbgrader, then nbgrader's own generate/autograde (~2 min)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[grade]"
	RNNLAB_TEST_GRADING=1 $(BIN)/pytest tests/test_grading.py -n 0

test-install: $(VENV)/.installed  ## build the wheel, install it next to torch, run chapter 01
	$(BIN)/pytest tests/test_install.py --install -n 0

wheel: $(WHEEL)  ## the installable course, dist/rnnlab-*.whl (carries the notebooks)

$(WHEEL): $(VENV)/.installed setup.py MANIFEST.in book.yml $(wildcard rnnlab/*.py rnnlab/*/*.py \
		notebooks/*.ipynb docs/*)
	rm -rf dist build
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

# torch 2.14.1 first and alone, then rnnlab's wheel with the lock's other versions; the torch that
# was there must be left alone (checked after the install).
$(NEXT)/.torch:
	rm -rf $(NEXT)
	$(PYTHON) -m venv $(NEXT)
	$(NEXT)/bin/python -m pip install --quiet "$(NEXT_TORCH)"
	$(NEXT)/bin/python -m pip freeze | grep -E '^torch==' > $@

$(NEXT)/.installed: $(NEXT)/.torch $(WHEEL) $(LOCK)
	grep -v -E '^torch==' $(LOCK) > $(NEXT)/constraints.txt
	$(NEXT)/bin/python -m pip install --quiet -c $(NEXT)/constraints.txt "$(WHEEL)[dev]"
	$(NEXT)/bin/python -m pip install --quiet --no-deps --force-reinstall "$(WHEEL)"
	$(NEXT)/bin/python -m pip freeze | grep -E '^torch==' | diff $(NEXT)/.torch - \
		|| { echo "installing rnnlab changed torch"; exit 1; }
	touch $@

test-torch-next: $(NEXT)/.installed  ## unit tests and notebooks under torch 2.14.1, rnnlab from the wheel
	$(NEXT)/bin/pytest tests notebooks --ignore=tests/test_browser.py --ignore=tests/test_browser_lab.py
	RNNLAB_INSTALLED_PYTHON=$(NEXT)/bin/python $(NEXT)/bin/pytest tests/test_install.py --install -n 0

# issue 21, a class on a JupyterHub: the students' environment of hub/requirements.txt installed
# for real in a fresh venv (torch first, with the lock's pins; the file without its one line for
# PyTorch's CPU index, which these machines cannot reach), rnnlab's wheel built there as
# hub/postBuild does, and the hub's own parts: jupyterhub-idle-culler (PyPI) and
# configurable-http-proxy (npm). Its Python is the system's: the students' servers run as other
# users, who cannot reach an interpreter under root's home (pyenv's, for example).
HUB := .venv-hub
HUB_PYTHON ?= /usr/bin/python3
$(HUB)/.deps: hub/requirements.txt $(LOCK)
	rm -rf $(HUB)
	$(HUB_PYTHON) -m venv $(HUB)
	$(HUB)/bin/python -m pip install --quiet -c $(LOCK) "$(TORCH_PIN)"
	grep -v -E '^--extra-index-url' hub/requirements.txt > $(HUB)/requirements.txt
	$(HUB)/bin/python -m pip install --quiet -r $(HUB)/requirements.txt
	$(HUB)/bin/python -m pip install --quiet -c $(HUB)/requirements.txt "jupyterhub-idle-culler==2.0.0"
	npm install --silent --no-audit --no-fund --prefix $(HUB)/npm "configurable-http-proxy@5.3.0"
	touch $@

# rnnlab itself, rebuilt when the course changes (the dependencies above stay).
$(HUB)/.installed: $(HUB)/.deps setup.py MANIFEST.in book.yml \
		$(wildcard rnnlab/*.py rnnlab/*/*.py notebooks/*.ipynb)
	rm -rf $(HUB)/dist
	$(HUB)/bin/python -m pip wheel --quiet --no-deps --no-build-isolation -w $(HUB)/dist .
	rm -rf build
	$(HUB)/bin/python -m pip install --quiet --no-deps --force-reinstall $(HUB)/dist/rnnlab-*.whl
	touch $@

test-hub: $(VENV)/.installed $(HUB)/.installed  ## a real JupyterHub, 20 students at once (~4 min)
	$(BIN)/pytest tests/test_hub_env.py tests/test_hub.py --hub -n 0 -v

lint: $(VENV)/.installed  ## ruff over rnnlab/, tests/ and the notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

notebooks: $(VENV)/.installed  ## maintainers: re-execute every notebook on a fresh kernel, in place
	$(BIN)/rnnlab execute notebooks/[0-9]*.ipynb

book: $(VENV)/.installed  ## the course as a website, _build/html/index.html
	$(BIN)/rnnlab book

slides: $(VENV)/.installed  ## reveal.js decks that work offline, _build/slides/
	$(BIN)/rnnlab slides

student: $(VENV)/.installed  ## student copies without the solutions, student/
	$(BIN)/rnnlab student student

doctor: $(VENV)/.installed  ## check this environment and print the fixes
	$(BIN)/rnnlab doctor

clean:
	rm -rf _build .pytest_cache .hypothesis build dist
