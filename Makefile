# The two commands of the README, plus the other lessons and the benchmarks.
# Each prepares .venv on first use (scripts/setup.sh) and is quick after that.
PY := .venv/bin/python
OUT := output
LESSONS := $(shell sed -e 's/\#.*//' demos/lessons.txt)  # the story's order, one name a line

# One BLAS thread: the lessons' small matrices run faster that way, steadily on a busy machine,
# and the printed numbers do not depend on how many cores the machine has.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: demo test lessons bench gallery clean

demo:  ## the flagship lesson: a deep ReLU network learns a Gaussian-process sample; plus a computation graph
	@bash scripts/setup.sh demo
	$(PY) demos/gp_regression.py --out $(OUT)
	$(PY) demos/neuron_graph.py --out $(OUT)

test:  ## every test: gradients against PyTorch and finite differences, demos, pictures, browser
	@bash scripts/setup.sh test
	$(PY) -m pytest

lessons:  ## every demo, in the order of the story
	@bash scripts/setup.sh demo
	@for demo in $(LESSONS); do \
		echo "== demos/$$demo.py"; $(PY) demos/$$demo.py --out $(OUT) || exit 1; done

bench:  ## interleaved comparisons with micrograd, PyTorch and hand-written NumPy
	@bash scripts/setup.sh bench
	$(PY) benchmarks/bench_scalar.py
	$(PY) benchmarks/bench_tensor.py

gallery:  ## regenerate the README's pictures in docs/images
	@bash scripts/setup.sh demo
	$(PY) scripts/make_gallery.py

clean:
	rm -rf .venv $(OUT) .pytest_cache .hypothesis
