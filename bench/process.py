"""Speed and memory of `xinqu process` on generated articles with planted near-duplicates.

    python -m bench.process                    # 10k and 100k, baseline at 10k
    python -m bench.process --sizes 20000 --baseline 0

Articles are built from the sentences of the labelled set (real news), so their
characters and phrasing are realistic; 10 % of them are reposts of another article
(a lead added, the tail trimmed, traditional characters, numbers changed). Each
measurement runs in its own process: the figure for memory is that process's peak
resident set (Python, numpy and scikit-learn included). The baseline computes the
exact Jaccard index (and containment) of every pair of shingle sets, with the same
thresholds, in blocks of a sparse matrix product.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from xinqu.resources import labelled_data

ROOT = Path(__file__).resolve().parents[1]
DATA = labelled_data()
REPOST_SHARE = 0.10
SOURCES = [
    ("pudong", "浦东新区", "浦东新区官网"),
    ("liangjiang", "两江新区", "两江新区官网"),
    ("xixian", "西咸新区", "西咸新区官网"),
    ("tianfu", "天府新区", "天府新区官网"),
    ("portal", "其他", "综合新闻网"),
]


def sentences() -> list[str]:
    out = []
    for line in DATA.read_text("utf-8").splitlines():
        row = json.loads(line)
        out += [s for s in re.split(r"(?<=[。！？；])", row["text"]) if len(s) >= 12]
    return out


def generate(db: Path, n: int, seed: int = 1) -> list[tuple[int, int]]:
    """Write n articles into a new store at db; return the planted (original, repost) ids."""
    import opencc
    from sqlalchemy import insert

    from xinqu.store.articles import Article, content_hash
    from xinqu.store.base import open_store

    rng = random.Random(seed)
    pool = sentences()
    s2t = opencc.OpenCC("s2t")
    store = open_store(f"sqlite:///{db}")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    planted: list[tuple[int, int]] = []
    for i in range(1, n + 1):
        name, area, site = rng.choice(SOURCES)
        if rows and rng.random() < REPOST_SHARE:
            original = rng.choice(rows[-5000:])
            text = str(original["text"])
            kind = rng.randrange(4)
            if kind == 0:
                text = "本报讯（记者 王晗）" + rng.choice(pool) + text
            elif kind == 1:
                text = text[: int(len(text) * rng.uniform(0.7, 0.9))]
            elif kind == 2:
                text = s2t.convert(text)
            else:
                text = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=3)
            title = "转载：" + str(original["title"])
            planted.append((int(original["id"]), i))  # type: ignore[arg-type]
        else:
            body = rng.sample(pool, rng.randint(6, 14))
            body = [s.replace("亿元", f"{rng.randint(2, 900)}亿元", 1) for s in body]
            text = "\n".join(body)
            title = rng.choice(pool)[:30]
        when = start + timedelta(minutes=i)
        url = f"https://{name}.example.gov.cn/a/{i}.html"
        rows.append(
            dict(id=i, canonical_url=url, url=url, source=name, area=area, site_name=site,
                 title=title, published_at=when, text=text, html="", source_line=None,
                 list_url=None, content_hash=content_hash(text), first_seen=when, last_seen=when,
                 updated_at=None)
        )  # fmt: skip
    with store.session() as session:
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(Article), rows[chunk : chunk + 5000])
    store.dispose()
    return planted


def grouped_pairs(db: Path) -> dict[int, int]:
    from sqlalchemy import select

    from xinqu.store.base import open_store
    from xinqu.store.processing import ArticleProcessing

    store = open_store(f"sqlite:///{db}")
    with store.session() as session:
        groups = dict(
            session.execute(select(ArticleProcessing.article_id, ArticleProcessing.group_id)).all()
        )
    store.dispose()
    return groups


def run_processing(db: Path) -> dict[str, float]:
    from xinqu.app import App

    app = App(data_dir=db.parent)
    config = app.config.model_copy(
        update={
            "settings": app.config.settings.model_copy(update={"database_url": f"sqlite:///{db}"})
        }
    )
    app.__dict__["config"] = config
    import logging

    from xinqu.process import _classifier

    logging.basicConfig(level=logging.DEBUG, format="%(message)s", stream=sys.stderr)
    for noisy in ("alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    _classifier(app)  # trained once and cached, as in service; not part of the figure
    started = time.perf_counter()
    report = __import__("xinqu.process", fromlist=["run_process"]).run_process(app)
    seconds = time.perf_counter() - started
    app.close()
    return {"seconds": seconds, "articles": report.articles, "groups": report.groups}


def run_baseline(db: Path) -> dict[str, object]:
    """All pairs, exact Jaccard/containment of the same shingle sets, same thresholds."""
    import numpy as np
    from scipy import sparse
    from sqlalchemy import select

    from xinqu.process.dedupe import DedupeParams, UnionFind
    from xinqu.process.minhash import shingle_hashes
    from xinqu.process.normalize import codes, letters
    from xinqu.store.articles import Article
    from xinqu.store.base import open_store

    params = DedupeParams()
    store = open_store(f"sqlite:///{db}")
    with store.session() as session:
        articles = session.execute(select(Article.id, Article.text).order_by(Article.id)).all()
    store.dispose()
    started = time.perf_counter()
    sets = [shingle_hashes(letters(codes(text)), params.shingle) for _, text in articles]
    vocab, inverse = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), [s.size for s in sets])
    matrix = sparse.csr_matrix(
        (np.ones(rows.size, dtype=np.float32), (rows, inverse)), shape=(len(sets), vocab.size)
    )
    sizes = np.array([s.size for s in sets], dtype=np.float64)
    uf = UnionFind()
    ids = [a for a, _ in articles]
    block = 500
    for lo in range(0, len(sets), block):
        inter = (matrix[lo : lo + block] @ matrix.T).toarray()
        a_sizes = sizes[lo : lo + block, None]
        union = a_sizes + sizes[None, :] - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        small = np.minimum(a_sizes, sizes[None, :])
        containment = np.divide(inter, small, out=np.zeros_like(inter), where=small > 0)
        hit = (jaccard >= params.jaccard) | (
            (containment >= params.containment) & (small >= params.min_shingles)
        )
        for i, j in zip(*np.nonzero(hit), strict=True):
            if lo + i < j:
                uf.union(ids[lo + i], ids[j])
    seconds = time.perf_counter() - started
    groups = {i: uf.find(i) for i in ids}
    return {"seconds": seconds, "articles": len(ids), "groups": groups}


def child(mode: str, db: Path) -> None:
    result: dict[str, object] = (
        run_processing(db) if mode == "process" else run_baseline(db)  # type: ignore[assignment]
    )
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(mode: str, db: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.process", "--child", mode, str(db)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    stages = [line for line in out.stderr.splitlines() if line.startswith("process: ")]
    if stages:
        print("    " + ", ".join(line.removeprefix("process: ") for line in stages))
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def recall(planted: list[tuple[int, int]], groups: dict[int, int]) -> float:
    hit = sum(1 for a, b in planted if groups.get(a) is not None and groups[a] == groups[b])
    return hit / len(planted) if planted else 1.0


def extra_pairs(planted: list[tuple[int, int]], groups: dict[int, int]) -> int:
    """Articles grouped with something they are not a planted repost of."""
    truth = {}
    for a, b in planted:
        truth[b] = truth.get(a, a)
    root = {i: truth.get(i, i) for i in groups}
    members: dict[int, set[int]] = {}
    for i, g in groups.items():
        members.setdefault(g, set()).add(root[i])
    return sum(len(m) - 1 for m in members.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--baseline", type=int, default=10_000, help="0: no baseline")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sizes = sorted(set(args.sizes + ([args.baseline] if args.baseline else [])))
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            db = Path(tmp) / f"bench-{n}.db"
            planted = generate(db, n)
            print(f"n={n}: {len(planted)} planted reposts")
            if n in args.sizes:
                r = measure("process", db)
                groups = grouped_pairs(db)
                print(
                    f"  xinqu process: {r['seconds']:.1f} s, {n / float(r['seconds']):,.0f} "
                    f"articles/s, peak RSS {r['peak_mb']:.0f} MB, near-dup recall "
                    f"{recall(planted, groups):.3f}, extra grouped {extra_pairs(planted, groups)}"
                )
            if n == args.baseline:
                b = measure("baseline", db)
                bgroups = {int(k): int(v) for k, v in dict(b["groups"]).items()}  # type: ignore[arg-type]
                print(
                    f"  all-pairs exact Jaccard: {b['seconds']:.1f} s, "
                    f"{n / float(b['seconds']):,.0f} articles/s, peak RSS {b['peak_mb']:.0f} MB, "
                    f"near-dup recall {recall(planted, bgroups):.3f}, "
                    f"extra grouped {extra_pairs(planted, bgroups)}"
                )


if __name__ == "__main__":
    main()
