# make test: install what the tests need into the current Python environment (an active venv, or python3's),
# start throwaway PostgreSQL and MariaDB servers (installed first if missing), run the tests, stop the servers.
PYTHON ?= python3
PYTEST_ARGS ?=

.PHONY: test install install-test demo bench

install:
	$(PYTHON) -m pip install -q .

install-test:
	$(PYTHON) -m pip install -q -e '.[test]'

test: install-test
	bash tests/with_databases.sh $(PYTHON) -m pytest $(PYTEST_ARGS)

demo: install
	originscan demo

bench:
	$(PYTHON) -m pip install -q -e '.[test,bench]'
	bash tests/with_databases.sh $(PYTHON) -m benchmarks
