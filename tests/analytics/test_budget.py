"""The computation budget (analytics.budget): the engine's loops stop at the deadline and its
large work arrays are refused before they are allocated (issue 17: gunicorn's timeout does not
stop a threaded worker's request, so the engine has to)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from analytics.budget import TOO_LARGE, BudgetExceeded, budget, check_deadline, check_memory
from analytics.reports.report import build_report
from analytics.stats.cox.engine import fit_cox
from analytics.stats.cox.firth import fit_firth


def _data(n: int, p: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    time_ = rng.exponential(10.0, size=n)
    event = (rng.random(n) < 0.6).astype(float)
    return time_, event, x


def test_no_budget_means_no_limit():
    check_deadline()
    check_memory(10**12)


def test_the_deadline_passes_and_the_block_ends():
    with budget(0.0, None):
        time.sleep(0.001)
        with pytest.raises(BudgetExceeded) as raised:
            check_deadline()
    assert str(raised.value) == TOO_LARGE
    assert raised.value.reason == "time"
    check_deadline()  # outside the block: unlimited again


def test_the_budget_belongs_to_its_thread():
    seen = []
    with budget(0.0, 8):
        worker = threading.Thread(target=lambda: seen.append(check_memory(10**9)))
        worker.start()
        worker.join()
    assert seen == [None]


def test_a_cox_fit_stops_at_the_deadline():
    t, e, x = _data(2000, 4)
    fit_cox(t, e, x)  # fine without a budget
    with budget(0.0, None), pytest.raises(BudgetExceeded):
        fit_cox(t, e, x)


def test_a_fit_firth_stops_at_the_deadline():
    t, e, x = _data(300, 3)
    with budget(0.0, None), pytest.raises(BudgetExceeded):
        fit_firth(t, e, x)


def test_a_wide_cox_model_on_many_rows_is_refused_before_allocating():
    # 40 columns on 100 000 rows: four (1 + 40 + 1600) x 100 000 float arrays, 5.2 GB.
    t, e, _ = _data(100_000, 1)
    x = np.zeros((100_000, 40))
    x[np.arange(100_000), np.arange(100_000) % 40] = 1.0
    started = time.perf_counter()
    with budget(None, 512 * 1024**2), pytest.raises(BudgetExceeded) as raised:
        fit_cox(t, e, x[:, 1:])
    assert raised.value.reason == "memory (Cox model)"
    assert time.perf_counter() - started < 2.0


def test_a_small_model_fits_within_the_same_memory_budget():
    t, e, x = _data(5000, 5)
    with budget(None, 512 * 1024**2):
        assert np.isfinite(fit_cox(t, e, x).beta).all()


def test_the_report_stops_at_the_deadline(demo):
    with budget(0.0, None), pytest.raises(BudgetExceeded):
        build_report(demo, group_by="sex", covariates=("sex", "age_at_rtx"))


def test_the_too_large_answer_has_spanish():
    from i18n.language import translate_message, using_language

    with using_language("es"):
        assert translate_message(TOO_LARGE) == (
            "Demasiado grande para este servidor: restrinja la cohorte o elija menos niveles."
        )
