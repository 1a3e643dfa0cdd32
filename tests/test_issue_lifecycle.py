"""What the editor relies on (issue 15.1–15.3, 13.1): a sent issue never changes, exports
never build, readers get only their sections, no story twice, a bounded 其他动态.

Everything runs through the real CLI, the real outbox transport and the real web
server on 127.0.0.1; only the clock is fixed (XINQU_NOW).
"""

from __future__ import annotations

import json
import random
import re
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from scheduler.cli import main
from xinqu.app import App
from xinqu.config import load_config
from xinqu.errors import ConfigError
from xinqu.issue.build import DuplicateStoryError, assemble, check_no_story_twice
from xinqu.mail.editions import Editions
from xinqu.process import Candidate, candidates_by_section
from xinqu.store.articles import Article, ArticleRecord, save_article
from xinqu.store.issues import Issue, issue_by_number
from xinqu.web import make_server

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")
SEED = Path(__file__).parent / "fixtures" / "issue" / "seed_articles.json"
STORIES: list[dict[str, str]] = json.loads(SEED.read_text(encoding="utf-8"))
#: Which of the seed's stories the editor puts into reform (the rest: industry).
REFORM = {5, 7, 8}


@pytest.fixture
def app(make_config: Any, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    config = make_config(
        [
            {
                "name": "demo",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": ["https://example.gov.cn/"],
            }
        ],
        digest={"max_items_per_section": 3, "max_items_per_area": 1},
    )
    application = App(config_dir=config, data_dir=tmp_path / "data")
    yield application
    application.close()


def cli(app: App, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(
        main, ["--config", str(app.config_dir), "--data", str(app.data_dir), *args]
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def store(app: App, stories: list[dict[str, str]], day: date = date(2026, 11, 20)) -> None:
    with app.store.session() as session:
        for n, story in enumerate(stories):
            save_article(
                session,
                ArticleRecord(
                    url=f"https://example.gov.cn/{day:%Y%m}/{n}.html",
                    source="demo",
                    area=story["area"],
                    site_name=f"{story['area']}官网",
                    title=story["title"],
                    published_at=datetime(day.year, day.month, day.day, 9, tzinfo=TZ).replace(
                        minute=n % 60, second=n // 60 % 60
                    ),
                    text=story["text"],
                ),
            )


def sort_seed(app: App, reform: set[int]) -> None:
    """Process, then the editor sets each seed story's section."""
    cli(app, "process")
    listed = cli(app, "articles", "list").stdout.splitlines()
    for line in listed:  # section names in Chinese or English, as the editor types them
        article_id = int(line.split()[0])
        shown = json.loads(cli(app, "articles", "show", str(article_id), "--json").stdout)
        n = int(shown["url"].rsplit("/", 1)[1].removesuffix(".html"))
        cli(
            app,
            "articles",
            "set-section",
            str(article_id),
            "改革创新" if n in reform else "industry",
        )


def subscribe(app: App, email: str, *sections: str) -> None:
    cli(app, "subscribers", "add", email, *(a for s in sections for a in ("--section", s)))


def outbox(app: App) -> dict[str, EmailMessage]:
    mails = {}
    for path in sorted((app.data_dir / "outbox").glob("*.eml")):
        msg: EmailMessage = message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[assignment]
        mails[str(msg["To"])] = msg
    return mails


def body(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.fixture
def web(app: App) -> Iterator[str]:
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read()
        return data


def test_a_sent_issue_never_changes_and_exports_never_build(
    app: App, web: str, tmp_path: Path
) -> None:
    store(app, STORIES)
    sort_seed(app, REFORM)
    built = cli(app, "digest", "build").stdout
    assert built.startswith("issue 1 ") and built.rstrip().endswith("; built")
    for n in range(4):
        subscribe(app, f"reader{n}@example.org")
    cli(app, "digest", "send")
    web_copy = fetch(f"{web}/issues/1")
    with app.store.session() as session:
        frozen = issue_by_number(session, 1)
        assert frozen is not None
        content = frozen.content
        carried = json.loads(content)["sections"][0]["items"][0]["url"]
        assert web_copy == frozen.web_copy.replace(
            "XINQU-UNSUBSCRIBE-URL", "http://localhost:8000/unsubscribe"
        ).encode("utf-8")
    exported = cli(app, "digest", "export", "--issue", "1", "--format", "html").stdout_bytes
    assert exported == web_copy

    # The editor takes a carried article out and asks for a rebuild: refused, in one line.
    ids = {
        json.loads(cli(app, "articles", "show", line.split()[0], "--json").stdout)["url"]: line
        for line in cli(app, "articles", "list").stdout.splitlines()
    }
    cli(app, "articles", "set-section", ids[carried].split()[0], "out")
    refused = cli(app, "digest", "build", "--rebuild", code=2)
    assert refused.stderr.count("\n") == 1
    assert "issue 1 is sent and is never rebuilt" in refused.stderr
    assert "--corrects 1" in refused.stderr
    assert "sent, unchanged" in cli(app, "digest", "build").stdout
    assert fetch(f"{web}/issues/1") == web_copy
    with app.store.session() as session:
        again = issue_by_number(session, 1)
        assert again is not None and again.content == content

    # Exporting any format creates nothing; the list shows the one issue as sent.
    pdf = tmp_path / "x.pdf"
    cli(app, "digest", "export", "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    listed = cli(app, "digest", "list").stdout.splitlines()
    assert len(listed) == 2 and listed[1].split()[:2] == ["1", "sent"]
    assert "2026-11-11…2026-11-24" in listed[1]

    # A correction is a new issue that says what it corrects.
    correction = cli(app, "digest", "build", "--corrects", "1").stdout
    assert correction.startswith("issue 2 ") and "corrects issue 1" in correction
    with app.store.session() as session:
        second = issue_by_number(session, 2)
        assert second is not None and second.corrects == 1
        assert "本期为第1期的更正版" in second.text
        assert carried not in second.content
        assert (second.since, second.until) == (date(2026, 11, 11), date(2026, 11, 24))
    listed = cli(app, "digest", "list").stdout.splitlines()
    assert [row.split()[:2] for row in listed[1:]] == [["1", "sent"], ["2", "draft"]]
    assert listed[2].endswith("corrects 1")
    assert fetch(f"{web}/issues/1") == web_copy


def test_readers_get_only_their_sections(app: App) -> None:
    store(app, STORIES)
    sort_seed(app, REFORM)
    cli(app, "digest", "build")
    subscribe(app, "all@example.org")
    subscribe(app, "industry@example.org", "industry")
    subscribe(app, "reform@example.org", "改革创新")
    assert cli(app, "digest", "list").stdout.splitlines()[1].split()[:2] == ["1", "draft"]
    cli(app, "digest", "approve", "--issue", "1", "--editor", "li")
    assert cli(app, "digest", "list").stdout.splitlines()[1].split()[:2] == ["1", "approved"]
    preview = cli(app, "digest", "send", "--dry-run", "--to", "industry@example.org")
    cli(app, "digest", "send")
    assert cli(app, "digest", "list").stdout.splitlines()[1].split()[:2] == ["1", "sent"]
    mails = outbox(app)
    assert set(mails) == {"all@example.org", "industry@example.org", "reform@example.org"}
    with app.store.session() as session:
        issue = session.get(Issue, 1)
        assert issue is not None
        content = json.loads(issue.content)
        whole_text = issue.text
    headlines = {
        s["key"]: [i["headline"] for i in s["items"]] + [m["headline"] for m in s["more"]]
        for s in content["sections"]
    }
    assert headlines["industry"] and headlines["reform"]
    texts = {to: body(m) for to, m in mails.items()}
    assert len(set(texts.values())) == 3, "three choices, three different mails"
    assert texts["all@example.org"].replace(
        texts["all@example.org"].split("退订")[-1], ""
    ) == whole_text.replace(whole_text.split("退订")[-1], "")
    for reader, mine, other, title in (
        ("industry@example.org", "industry", "reform", "改革创新"),
        ("reform@example.org", "reform", "industry", "产业发展"),
    ):
        text, html = texts[reader], body(mails[reader], "html")
        assert all(h in text for h in headlines[mine])
        assert not any(h in text or h in html for h in headlines[other])
        for heading in (f"\n{title}\n", f"【{title}】", f"（本期无{title}内容）"):
            assert heading not in text, "contents and sections: only the reader's"
        assert f">{title}<" not in html and f">{title} · 其他动态<" not in html
        assert "本版收录您订阅的栏目" in text and "本版收录您订阅的栏目" in html
    items = len(content["sections"][0]["items"])
    assert f"产业发展{items}篇" in texts["industry@example.org"]

    # The preview is that reader's exact mail (only the Date header may differ).
    previewed: EmailMessage = message_from_bytes(preview.stdout_bytes, policy=default)  # type: ignore[assignment]
    sent = mails["industry@example.org"]
    assert previewed["Message-ID"] == sent["Message-ID"]
    assert body(previewed) == body(sent) and body(previewed, "html") == body(sent, "html")


def test_a_reader_whose_sections_are_all_empty_gets_nothing(app: App) -> None:
    store(app, STORIES)
    sort_seed(app, set())
    cli(app, "digest", "build")
    subscribe(app, "industry@example.org", "产业发展")
    subscribe(app, "reform@example.org", "reform")
    none = cli(app, "digest", "send", "--dry-run", "--to", "reform@example.org", code=2)
    assert none.stderr == (
        "xinqu: reform@example.org gets no mail of issue 1: their sections (reform) "
        "are empty in it\n"
    )
    cli(app, "digest", "send")
    assert set(outbox(app)) == {"industry@example.org"}


def test_an_edition_is_rendered_once_per_choice_of_sections(app: App) -> None:
    store(app, STORIES)
    sort_seed(app, REFORM)
    cli(app, "digest", "build")
    with app.store.session() as session:
        issue = session.get(Issue, 1)
        assert issue is not None
        editions = Editions(app.config.settings, issue)
        readers: list[list[str] | None] = [None, ["industry"], ["reform"]] * 5
        readers += [["industry", "reform"], ["reform", "industry"], ["nosuch", "reform"]]
        mails = [editions.for_reader(chosen) for chosen in readers]
        assert editions.rendered == 2, "the whole issue is frozen; two partial editions"
        assert mails[0].text == issue.text and mails[-3].html == issue.html
        assert mails[1] is mails[4] and mails[2] is mails[-1]


def _article(n: int, title: str, *, url: str = "", area: str = "贵安新区") -> Article:
    return Article(
        id=n,
        url=url or f"https://www.gaxq.gov.cn/{n}.html",
        source="guian",
        area=area,
        site_name=f"{area}官网",
        title=title,
        text=f"{title}。11月20日，项目签约，总投资{n}亿元。",
        published_at=datetime(2026, 11, 20, 9, tzinfo=TZ),
    )


def test_no_story_twice_whatever_the_classifier_and_caps_did() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "config")
    one = _article(1, "贵安新区大数据产业规模完成387亿元")
    other_member = _article(2, "大数据产业规模突破387亿元 贵安再上台阶", area="贵安新区")
    twin = [_article(10 + n, "赣江新区签订合作协议", area=f"区{n}") for n in range(4)]
    fillers = [_article(20 + n, f"项目{n}开工建设", area=f"地{n}") for n in range(8)]
    candidates = {
        # The same story group offered to both sections, under different representatives.
        "industry": [Candidate(one, "industry", group=(1, 2)), *fillers[:6], *twin[:2]],
        "reform": [
            Candidate(other_member, "reform", group=(2, 1)),
            *[Candidate(t, "reform") for t in twin[2:]],
            *[Candidate(f, "reform") for f in fillers[6:]],
        ],
    }
    candidates["industry"] = [
        c if isinstance(c, Candidate) else Candidate(c, "industry") for c in candidates["industry"]
    ]
    content, chosen = assemble(
        config,
        number=3,
        issue_date=date(2026, 11, 25),
        since=date(2026, 11, 11),
        until=date(2026, 11, 24),
        candidates=candidates,
    )
    entries = [
        entry for s in content["sections"] for kind in ("items", "more") for entry in s[kind]
    ]
    titles = [e["headline"] for e in entries]
    urls = [e["url"] for e in entries]
    assert len(titles) == len(set(titles)) and len(urls) == len(set(urls))
    assert sum("387" in t for t in titles) == 1, "one story group, one place"
    assert sum("签订合作协议" in t for t in titles) == 1, "one headline, once"
    assert len(chosen) == len({c.candidate.article.id for c in chosen})

    broken = json.loads(json.dumps(content))
    broken["sections"][1]["more"].append(dict(broken["sections"][0]["items"][0]))
    with pytest.raises(DuplicateStoryError, match="both in industry items and reform more"):
        check_no_story_twice(broken)


def distinct_stories(count: int) -> list[dict[str, str]]:
    """``count`` different stories: each a seeded draw of the seed texts' sentences,
    so dedupe keeps them apart and the classifier sees real words."""
    rng = random.Random(13)
    sentences = [
        part for story in STORIES for part in re.split(r"(?<=[。；！？])", story["text"]) if part
    ]
    areas = sorted({story["area"] for story in STORIES})
    return [
        {
            "area": areas[n % len(areas)],
            "title": f"{areas[n % len(areas)]}第{n}批{rng.choice(['产业', '改革', '项目'])}"
            f"{rng.choice(['签约', '开工', '投产', '获批'])}{rng.randint(2, 90)}个",
            "text": "".join(rng.sample(sentences, 4))
            + f"（编号{n}，投资{rng.randint(1, 900)}亿元）",
        }
        for n in range(count)
    ]


def test_one_readers_mail_stays_small_from_a_store_of_thousands(
    make_config: Any, frozen_now: str, tmp_path: Path
) -> None:
    config = make_config(
        [
            {
                "name": "demo",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": ["https://example.gov.cn/"],
            }
        ]
    )
    app = App(config_dir=config, data_dir=tmp_path / "data")
    try:
        store(app, distinct_stories(2000))
        cli(app, "process")
        cli(app, "digest", "build")
        subscribe(app, "one@example.org", "industry")
        cli(app, "digest", "send")
        [raw] = list((app.data_dir / "outbox").glob("*.eml"))
        assert raw.stat().st_size < 200_000
        with app.store.session() as session:
            issue = session.get(Issue, 1)
            assert issue is not None
            sections = json.loads(issue.content)["sections"]
            web_copy = issue.web_copy
        industry = next(s for s in sections if s["key"] == "industry")
        assert len(industry["more"]) == 15 and industry["more_total"] > 500
        text = body(outbox(app)["one@example.org"])
        rest = industry["more_total"] - 15
        assert f"另有 {rest} 条，见网页版：http://localhost:8000/issues/1#industry-more" in text
        assert web_copy.count('class="more-item"') == sum(s["more_total"] for s in sections)
        assert "另有" not in web_copy
    finally:
        app.close()


def test_the_cap_is_validated(make_config: Any) -> None:
    folder = make_config([], digest={"max_more_per_section": -1})
    with pytest.raises(ConfigError, match="max_more_per_section"):
        load_config(folder)


def test_candidates_read_only_the_columns_an_issue_uses(app: App) -> None:
    store(app, STORIES)
    cli(app, "process")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(app.store.engine, "before_cursor_execute", record)
    try:
        with app.store.session() as session:
            found = candidates_by_section(
                session,
                ["industry", "reform"],
                datetime(2026, 11, 1, tzinfo=TZ),
                datetime(2026, 11, 30, tzinfo=TZ),
            )
    finally:
        event.remove(app.store.engine, "before_cursor_execute", record)
    assert sum(map(len, found.values())) >= 8
    article_reads = [s for s in statements if "FROM articles" in s]
    assert article_reads and not any("articles.html" in s for s in article_reads)
    assert sum("articles.text" in s for s in statements) == 1, "the window is read once"
