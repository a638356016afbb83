# Small verbs that mirror CI. A student needs two: `make lab` opens the course, `make test` runs
# every test. Each creates the local virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is installed on its own, first, with the exact pin from pyproject.toml: an unpinned
# torch requirement would make pip download several GB of CUDA packages.
TORCH_PIN := $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')

.PHONY: lab test test-determinism lint format notebooks book slides student doctor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH_PIN)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

lab: $(VENV)/.installed  ## open the course in JupyterLab at its first chapter
	$(BIN)/rnnlab lab

test: $(VENV)/.installed  ## unit tests and every notebook under nbval
	$(BIN)/pytest

test-determinism: $(VENV)/.installed  ## every chapter with 1 and 2 torch threads (~1 min)
	$(BIN)/pytest tests/test_determinism.py --determinism --dist load

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
	rm -rf _build .pytest_cache .hypothesis
