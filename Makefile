# The two commands a newcomer needs: `make run` and `make test`. Each builds .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test chat lint bench bench-quick install clean manifest-schema

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: $(STAMP)
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

bench: $(STAMP)
	$(BIN)/govbot nlu build
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/govbot nlu build
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) var build *.egg-info
