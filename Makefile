# The two commands of the README, plus the other lessons and the benchmarks.
# Each prepares .venv on first use (scripts/setup.sh) and is quick after that.
PY := .venv/bin/python
OUT := output

# The lessons, in the order of the story: the first word of each line of demos/lessons.txt.
LESSONS := $(shell sed -n 's/^\([a-z_][a-z0-9_]*\) .*/\1/p' demos/lessons.txt)

# One BLAS thread for the tests too (each lesson sets it for itself): small matrices run faster
# that way, and steadily on a busy machine.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: demo test lessons bench gallery clean

demo:  ## the flagship lesson: a deep ReLU network learns a Gaussian-process sample; plus one neuron's graph
	@bash scripts/setup.sh demo
	$(PY) demos/gp_regression.py --out $(OUT)
	$(PY) demos/neuron.py --out $(OUT)

test:  ## every test: gradients against PyTorch and finite differences, demos, pictures, browser
	@bash scripts/setup.sh test
	$(PY) -m pytest

lessons:  ## every lesson, in the order of the story (demos/lessons.txt)
	@bash scripts/setup.sh demo
	@for demo in $(LESSONS); do \
		echo "== demos/$$demo.py"; $(PY) demos/$$demo.py --out $(OUT) || exit 1; done

bench:  ## interleaved comparisons with micrograd, PyTorch and hand-written NumPy
	@bash scripts/setup.sh bench
	$(PY) benchmarks/bench_scalar.py
	$(PY) benchmarks/bench_tensor.py

gallery:  ## regenerate the README's pictures in docs/images, its gallery and its table of lessons
	@bash scripts/setup.sh demo
	$(PY) scripts/make_gallery.py

clean:
	rm -rf .venv $(OUT) .pytest_cache .hypothesis
