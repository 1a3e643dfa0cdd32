"""The section classifier: the seed issue's nine articles, the editor's knobs, explanations."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from xinqu.config import ClassifierSettings, load_config
from xinqu.errors import ConfigError
from xinqu.process import features
from xinqu.process.classify import Classifier, SvmModel, build_classifier
from xinqu.resources import labelled_data

DATA = labelled_data()
ROWS = [json.loads(line) for line in DATA.read_text("utf-8").splitlines()]
SEED = [r for r in ROWS if r["source"].startswith("shared/seed")]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    sections = load_config().sections
    cache = tmp_path_factory.mktemp("models")
    return build_classifier(sections.classifier, sections.keys, cache_dir=cache)


def test_the_labelled_set_is_real_split_once_and_large_enough() -> None:
    assert len(ROWS) >= 150
    assert {r["split"] for r in ROWS} == {"train", "dev", "test"}
    assert all(r["url"] and r["title"] and r["text"] for r in ROWS)
    assert len(SEED) == 9 and all(r["split"] == "test" for r in SEED)
    assert len({r["url"] for r in ROWS}) == len(ROWS)


def test_every_split_but_the_seed_follows_the_url_rule() -> None:
    """The split is a function of the URL (README.md), so no item can move to another."""

    def split(url: str) -> str:
        bucket = int(hashlib.sha1(url.encode()).hexdigest()[:8], 16) % 100
        return "train" if bucket < 60 else "dev" if bucket < 80 else "test"

    moved = [r["id"] for r in ROWS if r not in SEED and r["split"] != split(r["url"])]
    assert moved == []


@pytest.mark.parametrize("row", SEED, ids=[r["title"][:12] for r in SEED])
def test_seed_articles_land_in_their_bulletin_section(classifier: Classifier, row: dict) -> None:
    """Each lands in its section, or the classifier says it is unsure and names the
    section as the runner-up, so the editor sees it flagged (the innovation-service
    story 两江新区打造科技企业成长“洼地” sits on the industry/reform boundary)."""
    (decision,) = classifier.classify([(row["title"], row["text"])])
    assert decision.reason
    if decision.section != row["label"]:
        assert decision.uncertain and decision.runner_up == row["label"], decision.reason


def test_most_seed_articles_are_certain_and_right(classifier: Classifier) -> None:
    decisions = classifier.classify([(r["title"], r["text"]) for r in SEED])
    right = [d for d, r in zip(decisions, SEED, strict=True) if d.section == r["label"]]
    assert len(right) >= 8


def test_meeting_full_of_reform_words_is_out(classifier: Classifier) -> None:
    title = "西咸新区召开党工委（扩大）会议 传达学习全会精神"
    text = (
        "会议传达学习了全会精神。会议强调，要深化改革、扩大开放，以改革创新精神推动高质量发展，"
        "持续优化营商环境，坚持创新驱动，切实把思想和行动统一到决策部署上来。"
    )
    (decision,) = classifier.classify([(title, text)])
    assert decision.section == "out"


def test_an_out_title_pattern_overrides_the_text(classifier: Classifier) -> None:
    settings = classifier.settings.model_copy(update={"out_titles": ["招聘"]})
    forced = Classifier(settings, ["industry", "reform"], classifier.model)
    (decision,) = forced.classify([("新区产业公司招聘公告", "签约项目总投资100亿元，产业集群。")])
    assert decision.section == "out"
    assert "招聘" in decision.reason


def test_rules_alone_explain_with_keywords() -> None:
    settings = load_config().sections.classifier.model_copy(update={"method": "rules"})
    rules = build_classifier(settings, ["industry", "reform"])
    (decision,) = rules.classify([("新区12个项目集中签约", "总投资34.8亿元，项目将于明年开工。")])
    assert decision.section == "industry"
    assert "签约" in decision.reason


def test_model_is_cached_and_rebuilt_when_the_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS[:40]), "utf-8")
    settings = ClassifierSettings(method="model", training_data=data)
    build_classifier(settings, ["industry", "reform"], cache_dir=tmp_path / "models")
    first = sorted(p.name for p in (tmp_path / "models").iterdir())
    build_classifier(settings, ["industry", "reform"], cache_dir=tmp_path / "models")
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == first
    data.write_text(data.read_text("utf-8") + "\n" + json.dumps(ROWS[41], ensure_ascii=False))
    build_classifier(settings, ["industry", "reform"], cache_dir=tmp_path / "models")
    assert len(list((tmp_path / "models").iterdir())) == 2


def test_a_keyword_for_an_unknown_section_is_a_config_error(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[1] / "config"
    for name in ("settings.yaml", "sources.yaml"):
        (tmp_path / name).write_text((shipped / name).read_text("utf-8"), "utf-8")
    sections = yaml.safe_load((shipped / "sections.yaml").read_text("utf-8"))
    sections["classifier"]["keywords"]["weather"] = {"台风": 1.0}
    (tmp_path / "sections.yaml").write_text(yaml.safe_dump(sections, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError, match=r"sections.yaml.*unknown section 'weather'"):
        load_config(tmp_path)


def test_a_title_prior_leans_towards_its_section_and_says_so(classifier: Classifier) -> None:
    item = ("新區優化營商環境 企業開辦一日辦結", "企业到窗口办理登记，一个半小时拿到营业执照。")
    plain = classifier.settings.model_copy(update={"title_prior_weight": 0.0})
    leaning = classifier.settings.model_copy(
        update={"title_prior_weight": 0.6, "title_priors": {"reform": ["营商环境"]}}
    )
    (before,) = Classifier(plain, ["industry", "reform"], classifier.model).classify([item])
    (after,) = Classifier(leaning, ["industry", "reform"], classifier.model).classify([item])
    assert "title prior" not in before.reason
    assert after.section == "reform"
    assert "title prior reform '营商环境'" in after.reason
    if before.section == "reform":
        assert after.score > before.score


def test_a_title_prior_for_an_unknown_section_is_a_config_error(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[1] / "config"
    for name in ("settings.yaml", "sources.yaml"):
        (tmp_path / name).write_text((shipped / name).read_text("utf-8"), "utf-8")
    sections = yaml.safe_load((shipped / "sections.yaml").read_text("utf-8"))
    sections["classifier"]["title_priors"] = {"sport": ["足球"]}
    (tmp_path / "sections.yaml").write_text(yaml.safe_dump(sections, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError, match=r"sections.yaml.*unknown section 'sport'"):
        load_config(tmp_path)


def test_an_out_title_prior_is_accepted_and_leans_out(classifier: Classifier) -> None:
    """docs/labels.md: a visit headline is out; the shipped priors say so for `out`."""
    assert "out" in load_config().sections.classifier.title_priors
    item = ("市领导到新区调研重点项目建设", "察看项目进展，要求加快建设进度，优化营商环境。")
    plain = classifier.settings.model_copy(update={"title_prior_weight": 0.0})
    (before,) = Classifier(plain, ["industry", "reform"], classifier.model).classify([item])
    (after,) = classifier.classify([item])
    assert after.section == "out" and "title prior out '调研" in after.reason
    if before.section == "out":
        assert after.score > before.score


def _title_part(classifier: Classifier, title: str, text: str) -> float:
    """The length of the title block's part of an article's vector (the vector has length 1)."""
    model = classifier.model
    assert model is not None
    if isinstance(model, SvmModel):
        assert model.vectorizers is not None
        x = model.vectors([(title, text)])
        title_columns = len(model.vectorizers[0].vocabulary_)
        return float(np.linalg.norm(x[:, :title_columns].toarray()))
    stream = features.reading(title, text, classifier.settings.text_chars)
    batch = features.batch([stream], classifier.settings.ngram_sizes)
    x = model.vectors(batch, 1)
    title_only = features.counts(batch, 1, batch.in_title(batch.starts))
    return float(np.linalg.norm(x[:, title_only.indices].toarray()))


def test_the_headline_keeps_its_share_however_long_the_body(classifier: Classifier) -> None:
    # title and body share no character, so the title's columns are its block alone
    title = "金普新区跨境电商产业发展势头强劲"
    sentence = "大连视点山水科技有限公司设立体验店，经销美国、俄罗斯、泰国、韩国商品。"
    short = _title_part(classifier, title, sentence)
    long = _title_part(classifier, title, sentence * 40)
    assert short > 0.2
    assert long == pytest.approx(short, rel=0.05)


def test_a_keyword_in_the_title_counts_title_weight_times() -> None:
    settings = load_config().sections.classifier.model_copy(
        update={"method": "rules", "title_weight": 3, "keywords": {"industry": {"签约": 1.0}}}
    )
    rules = build_classifier(settings, ["industry", "reform"]).rules
    streams = [
        features.reading("新区项目签约", "今天签约。", 400),
        features.reading("", "签约", 400),
    ]
    scores, _ = rules.scores(features.batch(streams), 2)
    assert scores[:, 0].tolist() == [4.0, 1.0]


def test_the_reason_names_words_not_single_characters(classifier: Classifier) -> None:
    title = "滨海新区生物制造产业创新联合体正式成立"
    text = "联合体由二十家企业和高校组成，将建设共性技术平台，推动科技成果转化。"
    (decision,) = classifier.classify([(title, text)])
    named = re.findall(r"“([^”]+)”", decision.reason.split(";")[0])
    assert len(named) == 5
    assert all(len(n) > 1 for n in named)
    assert not any(a != b and a in b for a in named for b in named), named


def test_the_reason_names_no_bare_number(classifier: Classifier) -> None:
    title = "广州市南沙区人民政府关于印发南沙区促进低空经济高质量发展若干措施的通知"
    text = (
        "各镇人民政府、街道办事处，区政府各部门：现将《南沙区促进低空经济高质量发展若干措施》"
        "印发给你们，请认真贯彻执行。对低空经济企业落户给予最高500万元奖励，"
        "支持无人机研发制造项目。"
    )
    (decision,) = classifier.classify([(title, text)])
    named = re.findall(r"“([^”]+)”", decision.reason.split(";")[0])
    assert len(named) == 5 and all(n.strip("0") for n in named), named


def test_a_close_call_is_uncertain_and_names_the_runner_up(classifier: Classifier) -> None:
    """Uncertain is exactly: the share leads the runner-up by less than uncertain_margin,
    or an industry/reform call fell under min_confidence; out_titles matches are certain."""
    s = classifier.settings
    rows = [r for r in ROWS if r["split"] == "test"]
    decisions = classifier.classify([(r["title"], r["text"]) for r in rows])
    for d in decisions:
        if d.reason.startswith("title matches out_titles"):
            assert not d.uncertain
            continue
        assert d.runner_up is not None and d.runner_up != d.section
        weak = f"< min_confidence {s.min_confidence}" in d.reason
        assert d.uncertain == (weak or d.margin < s.uncertain_margin)
        assert d.margin >= 0 and ("uncertain:" in d.reason) == (d.uncertain and not weak)
    assert 0 < sum(d.uncertain for d in decisions) < len(decisions)


def test_pinyin_left_by_a_copying_site_is_not_read() -> None:
    """`新區(qū)` reads as `新区`: the annotation is copy junk, not n-grams of the story."""
    clean = features.fold("國務院關于同意設立福州新區的批復")
    junk = features.fold("國務(wù)院關(guān)于同意設(shè)立福州新區(qū)的批復(fù)")
    assert np.array_equal(clean, junk)
    assert features.clean("南(nán)沙 (2019) GDP(亿元)") == "南沙 (2019) GDP(亿元)"


def test_out_titles_match_the_folded_title(classifier: Classifier) -> None:
    (decision,) = classifier.classify([("瀋北新區", "瀋北新區是瀋陽市下轄的一個市轄區。")])
    assert decision.section == "out" and decision.reason.startswith("title matches out_titles")
