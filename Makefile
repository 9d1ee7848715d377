# Two commands do all set-up on a fresh machine (README): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Never let uv download a Python: the intranet and CI machines use the system's 3.11.
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test lint format audit reference demo bench clean

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	uv sync --locked --extra test --python $(PYTHON)
	@touch $@

run: setup
	$(BIN)/python -m app

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict --ignore-missing-imports analytics
	$(BIN)/hadolint Dockerfile

# Known vulnerabilities in the runtime packages of uv.lock (pip-audit; needs the internet,
# says "skipped" without it). CI runs it too (.ci/run).
audit: setup
	.ci/audit.sh

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerates tests/data/reference from R (needs r-base-core r-cran-survival r-cran-mass; CI
# does not: the fixtures are committed).
reference:
	Rscript tests/reference/make_reference.R
	Rscript tests/reference/make_recurrent_reference.R
	Rscript tests/reference/make_level_zph_reference.R
	Rscript tests/reference/make_grouped_cox_reference.R
	Rscript tests/reference/make_logrank_concordance_reference.R
	Rscript tests/reference/make_open_analyses_reference.R
	Rscript tests/reference/make_paper_reference.R
	Rscript tests/reference/make_coxfit_robust_reference.R

# Performance runs (not tests): writes benchmarks/RESULTS.md; R timings when Rscript exists.
bench: setup
	$(BIN)/python -m benchmarks

# Regenerates the shipped synthetic demo cohort (deterministic; the tests check it).
demo: setup
	$(BIN)/python -m analytics.data.demo.generate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
