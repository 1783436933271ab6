"""The worker pool's job lanes: national reports on the first worker, cards first on the others."""
from __future__ import annotations

import threading
from pathlib import Path

from dmaf_analysis.batch import ReportJob
from dmaf_analysis.batch._kernels import DEFAULT_PRELOAD
from dmaf_analysis.batch._pool import _JobLanes


def _job(key: str, kind: str) -> ReportJob:
    return ReportJob(key, kind, key, key, Path("nb.ipynb"), {}, Path(f"{key}.ipynb"), Path(f"{key}.html"))


def _jobs():
    return [_job("c1", "city"), _job("overview", "overview"), _job("c2", "city"), _job("trends", "trends"),
            _job("c3", "city")]


def test_first_worker_takes_the_national_reports_then_the_cards():
    lanes = _JobLanes(_jobs())
    taken = [lanes.take(national_first=True) for _ in range(6)]
    assert [j.key if j else None for j in taken] == ["overview", "trends", "c1", "c2", "c3", None]


def test_other_workers_take_the_cards_first_then_what_national_reports_are_left():
    lanes = _JobLanes(_jobs())
    assert lanes.take(national_first=True).key == "overview"
    taken = [lanes.take(national_first=False).key for _ in range(4)]
    assert taken == ["c1", "c2", "c3", "trends"]
    assert lanes.take(national_first=False) is None and lanes.take(national_first=True) is None


def test_lanes_hand_out_every_job_exactly_once_across_threads():
    jobs = [_job(f"c{i}", "city" if i % 7 else "overview") for i in range(500)]
    lanes = _JobLanes(jobs)
    seen: list[str] = []
    lock = threading.Lock()

    def work(first: bool) -> None:
        while (job := lanes.take(national_first=first)) is not None:
            with lock:
                seen.append(job.key)

    threads = [threading.Thread(target=work, args=(i == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(j.key for j in jobs)


def test_kernels_preload_only_what_a_card_uses():
    # the national reports import the statistics and plotting stack themselves, on the kernel that runs them
    assert "dmaf_analysis.card" in DEFAULT_PRELOAD and "pandas" in DEFAULT_PRELOAD
    assert not {"dmaf_analysis.national", "dmaf_analysis.stats", "seaborn", "scipy.stats"} & set(DEFAULT_PRELOAD)
