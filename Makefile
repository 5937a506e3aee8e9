# The two commands a newcomer needs: `make run` and `make test`. Each builds .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test chat lint bench bench-quick install bytecode clean manifest-schema

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The project's own bytecode, written even where PYTHONDONTWRITEBYTECODE is set: without it
# every `govbot serve` compiles its ~200 modules again (about half a second of each start).
# Python reads a .pyc only while it matches its source, so a stale one is never used.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q bot dialogs knowledge storage

run: $(STAMP) bytecode
	$(BIN)/govbot nlu build
	GOVBOT_DEMO_DATA=$${GOVBOT_DEMO_DATA:-1} $(BIN)/govbot serve

chat: $(STAMP)
	$(BIN)/govbot chat

manifest-schema:
	@bash manifest/install-schema.sh

test: $(STAMP) manifest-schema
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot dialogs knowledge storage manifest tests
	$(BIN)/ruff format --check bot dialogs knowledge storage manifest tests
	$(BIN)/mypy

bench: $(STAMP) bytecode
	$(BIN)/govbot nlu build
	$(BIN)/python -m bench

bench-quick: $(STAMP) bytecode
	$(BIN)/govbot nlu build
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) var build *.egg-info
