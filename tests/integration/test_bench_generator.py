"""The benchmark generator (bench/generate.py) still fits the schema: a tiny programme into a temporary SQLite file.

Nothing here is timed; `make bench` measures. The generator runs in its own process because it binds the
application's tables to its own database.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_generator_small_scale_produces_the_expected_rows(tmp_path: Path) -> None:
    db = tmp_path / "bench.sqlite"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--url", f"sqlite:///{db}", "--scale", "0.001"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    meta = json.loads(done.stdout[done.stdout.index("{"):])
    assert (meta["participants"], meta["visits"], meta["plan_items"], meta["mentors"]) == (50, 1000, 500, 2)
    with sqlite3.connect(db) as conn:
        count = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                 for t in ("participant", "visit", "plan_item", "prison", "app_user", "appointment")}
        heavy_visits = conn.execute(
            "SELECT COUNT(*) FROM visit WHERE participant = ?", (meta["heavy_participant_id"],)
        ).fetchone()[0]
        leads = conn.execute(
            "SELECT COUNT(DISTINCT participant) FROM mentor_assignment WHERE role = 'lead' AND valid_to IS NULL"
        ).fetchone()[0]
        attendees = conn.execute("SELECT COUNT(*) FROM visit_attendee").fetchone()[0]
    assert count == {"participant": 50, "visit": 1000, "plan_item": 500, "prison": 12, "app_user": 2 + 1 + 12,
                     "appointment": 49}
    assert heavy_visits >= 150  # the dense case the feed, PDF and slot finder figures use
    assert leads == 50  # every case has a current lead mentor
    assert attendees >= 1000  # every visit has its lead mentor attending (and a co-mentor sometimes)
    # run again at the same scale: recognised, nothing regenerated
    again = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--url", f"sqlite:///{db}", "--scale", "0.001"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert "nothing to do" in again.stdout
