"""`xinqu sources new NAME URL` against a fixture site on 127.0.0.1: it captures the list
and two articles at their real paths, adds the entry and writes the source's expectation
filled with what the crawler read — the values an editor would have typed (guian's known
ones), so its checks pass at once — into the config folder, or the checkout's tests/."""

from __future__ import annotations

import json
from pathlib import Path

from source_expectations import FILE, checks_of
from support import SITES, run_xinqu

from crawler.genspider import guess_area
from xinqu.config import load_config

ANTIBOT = Path(__file__).parent / "fixtures" / "antibot"
LIST_PATH = "xwdt/gayw/index.html"
ARTICLE_PATHS = [
    "xwdt/gayw/202611/t20261120_90229871.html",
    "xwdt/gayw/202611/t20261124_90231456.html",
]
GUIAN = "https://www.gaxq.gov.cn"


def shipped_style_config(make_config) -> Path:
    """A config folder whose sources.yaml is indented like the shipped one."""
    config = make_config([])
    (config / "sources.yaml").write_text(
        "sources:\n  - name: teda\n    area: 滨海新区\n    site_name: 泰达官网\n"
        "    list_urls:\n      - https://www.teda.gov.cn/channels/3961.html\n",
        "utf-8",
    )
    return config


def failures(folder: Path) -> tuple[int, int]:
    """(failed, passed) of the expectation's checks, as the parametrised test counts them."""
    failed = passed = 0
    for check in checks_of(folder):
        try:
            check.run()
        except AssertionError:
            failed += 1
        else:
            passed += 1
    return failed, passed


def fill_in(expectation: dict, local: str) -> dict:
    """What an editor does: write down what the pages show (here: guian's known values)."""
    known = json.loads((SITES / "guian" / FILE).read_text("utf-8"))
    rows = {row[0].replace(GUIAN, local): row for row in known["lists"][0]["entries"]}
    for listed in expectation["lists"]:
        listed["first_entries"] = [[url, *rows[url][1:]] for url, _, _ in listed["first_entries"]]
    expectation["articles"] = {
        url: known["articles"][url.replace(local, GUIAN)] for url in expectation["articles"]
    }
    return expectation


def test_sources_new_captures_a_site_and_writes_the_values_it_read(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("guian")
    config = shipped_style_config(make_config)
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    url = site.url(LIST_PATH)
    result = run_xinqu(
        config, tmp_path / "data", "sources", "new", "guian2", url, "--family", "trs",
        "--into-repo", "--tests-dir", str(tests_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    source = load_config(config).source("guian2")
    assert (source.area, source.site_name, source.family, source.urls) == (
        "贵安新区",
        "贵安新区",
        "trs",
        [url],
    )
    root = tests_dir / "fixtures" / "sites" / "guian2"
    captured = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert captured == sorted([LIST_PATH, *ARTICLE_PATHS, FILE])
    for path in captured:
        if path != FILE:
            assert (root / path).read_bytes() == (SITES / "guian" / path).read_bytes()

    assert failures(root) == (0, 9)
    expectation = json.loads((root / FILE).read_text("utf-8"))
    assert expectation["config_dir"] == str(config.resolve())
    typed = fill_in(json.loads(json.dumps(expectation)), site.url().rstrip("/"))
    assert expectation["lists"] == typed["lists"]
    assert expectation["articles"] == typed["articles"]

    # An editor's correction is checked like any expectation: a wrong value fails.
    first = next(iter(expectation["articles"].values()))
    first["title"] = first["title"] + "（改）"
    (root / FILE).write_text(json.dumps(expectation, ensure_ascii=False, indent=2), "utf-8")
    assert failures(root) == (1, 8)


def test_sources_new_writes_into_the_config_folder_and_guesses_a_new_area(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("guian")
    config = shipped_style_config(make_config)
    url = site.url(LIST_PATH)
    result = run_xinqu(
        config, tmp_path / "data", "sources", "new", "qinling", url, "--family", "trs",
        "--site-name", "秦岭新区官网",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    source = load_config(config).source("qinling")
    assert (source.area, source.site_name) == ("秦岭新区", "秦岭新区官网")
    root = config / "fixtures" / "sites" / "qinling"
    assert (root / LIST_PATH).read_bytes() == (SITES / "guian" / LIST_PATH).read_bytes()
    assert failures(root) == (0, 9)
    assert not (tmp_path / "tests").exists()


def test_sources_new_does_not_write_the_checkouts_config_without_into_repo(
    site_server, tmp_path, frozen_now
):
    site = site_server("guian")
    shipped = Path(__file__).resolve().parents[1] / "config"
    before = (shipped / "sources.yaml").read_bytes()
    result = run_xinqu(
        shipped, tmp_path / "data", "sources", "new", "x", site.url(LIST_PATH), "--family", "trs"
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"xinqu: {shipped} is the project's shipped configuration")
    assert (shipped / "sources.yaml").read_bytes() == before


def test_guessing_an_area_from_a_sites_name():
    assert guess_area("秦岭新区官网") == "秦岭新区"
    assert guess_area("贵安新区管委会") == "贵安新区"
    assert guess_area("国家级新区发展研究") is None
    assert guess_area("上海市人民政府") is None


def test_sources_new_reports_a_blocked_site_and_writes_nothing(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("ruishu")
    body = (ANTIBOT / "ruishu_412.html").read_bytes()
    site.routes["/index.html"] = lambda: (412, {"Content-Type": "text/html"}, body)
    config = shipped_style_config(make_config)
    before = (config / "sources.yaml").read_bytes()
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    result = run_xinqu(
        config, tmp_path / "data", "sources", "new", "pd", site.url("index.html"),
        "--area", "浦东新区", "--into-repo", "--tests-dir", str(tests_dir),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"xinqu: {site.url('index.html')} answered with a ruishu anti-bot challenge "
        "(HTTP 412); save the pages from a browser into the fixture folder instead"
    )
    assert (config / "sources.yaml").read_bytes() == before
    assert list(tests_dir.iterdir()) == []
