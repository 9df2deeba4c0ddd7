# The two commands of the README, plus the benchmarks. Each prepares .venv on first use.
PY := .venv/bin/python

.PHONY: demo test bench clean

demo:
	@bash scripts/setup.sh demo
	$(PY) demos/classify_moons.py
	$(PY) demos/neuron_graph.py

test:
	@bash scripts/setup.sh test
	$(PY) -m pytest

bench:
	@bash scripts/setup.sh bench
	$(PY) benchmarks/bench_scalar.py

clean:
	rm -rf .venv output .pytest_cache .hypothesis
