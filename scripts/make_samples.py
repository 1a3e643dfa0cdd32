"""Render the seed's nine articles as issue №1 into docs/samples/ (html, txt, json, pdf, png).

The articles come from tests/fixtures/issue/seed_articles.json (made from the
seed bulletin by scripts/seed_articles.py) with the sections the bulletin gave
them; selection, headlines and rendering are the product's own.

    .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinqu.config import Config, load_config
from xinqu.issue.build import assemble, content_json
from xinqu.issue.candidates import Candidate
from xinqu.issue.docx_edition import render_docx
from xinqu.issue.printed import render_pdf
from xinqu.issue.render import render_issue
from xinqu.store.articles import Article
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "issue" / "seed_articles.json"
OUT = ROOT / "docs" / "samples"


def seed_candidates(path: Path = SEED) -> dict[str, list[Candidate]]:
    by_section: dict[str, list[Candidate]] = {}
    for index, row in enumerate(json.loads(path.read_text(encoding="utf-8")), start=1):
        article = Article(
            id=index,
            url=row["url"],
            canonical_url=row["url"],
            source=row["source"],
            area=row["area"],
            site_name=row["site_name"],
            title=row["title"],
            published_at=datetime.fromisoformat(row["published_at"]),
            text=row["text"],
        )
        by_section.setdefault(row["section"], []).append(Candidate(article, row["section"]))
    return by_section


def seed_issue(config: Config) -> dict[str, Any]:
    content, _ = assemble(
        config,
        number=1,
        issue_date=date(2020, 1, 21),
        since=date(2020, 1, 7),
        until=date(2020, 1, 20),
        candidates=seed_candidates(),
    )
    return content


def screenshot(html_file: Path, png: Path, width: int = 800, height: int = 2400) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                html_file.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    config = load_config(ROOT / "config")
    settings = config.settings
    content = seed_issue(config)
    parts = render_issue(settings, content, year_number=1)
    OUT.mkdir(parents=True, exist_ok=True)
    unsubscribe = f"{str(settings.web.base_url).rstrip('/')}/unsubscribe"
    (OUT / "issue-1.json").write_text(content_json(content), encoding="utf-8")
    (OUT / "issue-1.txt").write_text(
        parts.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe), encoding="utf-8"
    )
    html = OUT / "issue-1.html"
    html.write_text(parts.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe), encoding="utf-8")
    (OUT / "issue-1.pdf").write_bytes(render_pdf(settings, content, year_number=1))
    (OUT / "issue-1.docx").write_bytes(render_docx(settings, content, year_number=1))
    if "--no-screenshot" not in sys.argv:
        screenshot(html, OUT / "issue-1.png")
    print(f"samples written to {OUT}")


if __name__ == "__main__":
    main()
