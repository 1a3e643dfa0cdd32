"""Validated configuration: settings.yaml, sources.yaml, sections.yaml and areas.yaml.

Configuration reaches code only as the frozen pydantic objects defined here. Any
mistake is reported as one ``ConfigError`` line naming the file, the key and what
was expected, e.g. ``config/sources.yaml: sources[3].list_urls: expected a
non-empty list of URLs``.
"""

from __future__ import annotations

import os
import re
from datetime import time as dt_time
from datetime import tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from xinqu import resources
from xinqu.errors import ConfigError

SHIPPED_CONFIG_DIR = resources.shipped_config_dir()
SLUG = re.compile(r"^[a-z0-9_]+$")
_M = TypeVar("_M", bound=BaseModel)


class _Strict(BaseModel):
    """Unknown keys are mistakes (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _crontab_days(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler day names.

    APScheduler 3 counts days from Monday = 0, so crontab's ``2`` (Tuesday) would
    silently mean Wednesday there; names are unambiguous in both.
    """
    if field == "*" or field == "?":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            a, b = body.split("-", 1)
            first, last = _day_number(a), _day_number(b)
        else:
            first = _day_number(body)
            last = 6 if step_text else first
        if step < 1 or (first > last and last != 0):
            raise ValueError(f"bad day-of-week field {field!r}")
        last = 7 if last == 0 and first > 0 else last
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _day_number(text: str) -> int:
    if text in _DAY_NAMES:
        return _DAY_NAMES.index(text)
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text) % 7 if int(text) != 7 else 7
    raise ValueError(f"bad day of week {text!r}")


def cron_trigger(value: str, tz: tzinfo | None = None) -> Any:
    """An APScheduler CronTrigger for a crontab line, with crontab's meaning.

    Five fields are standard crontab (minute hour day month day_of_week); six
    fields put a seconds field first, for fast schedules in tests and demos.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"expected 5 fields (or 6 with seconds first), got {len(fields)}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_days(day_of_week),
        timezone=tz,
    )


def _check_cron(value: str) -> str:
    try:
        cron_trigger(value)
    except ValueError as exc:
        raise ValueError(f"expected a cron expression like '0 */6 * * *' ({exc})") from None
    return value


Cron = Annotated[str, Field(min_length=9)]


class BulletinSettings(_Strict):
    title: str = "西咸研究"
    publisher: str = "西咸研究院"
    distribution: dict[str, list[str]] = Field(default_factory=dict)


class DigestSettings(_Strict):
    period_days: int = Field(14, ge=1, le=366)
    max_items_per_section: int = Field(5, ge=1, le=100)
    max_items_per_area: int = Field(1, ge=1, le=100)
    max_more_per_section: int = Field(
        15,
        ge=0,
        le=500,
        description="其他动态 headlines a mail lists per section; the web copy lists them all",
    )
    require_approval: bool = Field(
        False, description="true: the scheduler sends only an issue the editor approved"
    )
    approval_deadline: str | None = Field(
        None,
        description="HH:MM on the issue's day (bulletin time zone): not approved by then, "
        "nothing is sent and the editor is alerted; null: wait for the approval",
    )

    @field_validator("approval_deadline")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None:
            parse_hhmm(value)
        return value

    @property
    def deadline(self) -> dt_time | None:
        """``approval_deadline`` as a time of day, or None."""
        return parse_hhmm(self.approval_deadline) if self.approval_deadline else None


def parse_hhmm(value: str) -> dt_time:
    """``HH:MM`` (24-hour clock) as a time; ValueError in one sentence otherwise."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if match is None:
        raise ValueError(f"expected a time of day as HH:MM (24-hour, e.g. 12:00), got {value!r}")
    return dt_time(int(match[1]), int(match[2]))


class CrawlSettings(_Strict):
    download_delay: float = Field(1.0, ge=0)
    user_agent: str | None = None
    autothrottle: bool = True
    concurrent_requests_per_domain: int = Field(1, ge=1, le=16)
    timeout_seconds: float = Field(30.0, gt=0)
    retry_times: int = Field(3, ge=0, le=10)
    retry_backoff_seconds: float = Field(
        1.0, ge=0, description="wait before the first retry, doubled for each further one"
    )
    max_pages: int = Field(3, ge=1, le=100)
    max_article_pages: int = Field(
        20,
        ge=1,
        le=200,
        description="pages of one article followed (its continuation pages), the first included",
    )
    max_articles_per_list: int = Field(
        200,
        ge=1,
        le=10000,
        description="new articles fetched from one list page; the rest wait for the next "
        "crawl (a page listing thousands must not hold up every other site)",
    )
    window_days: int = Field(
        30, ge=1, description="articles older than this are not fetched from list pages"
    )
    max_link_attempts: int = Field(
        5,
        ge=1,
        le=100,
        description="an article link failing for a passing reason (5xx, timeout) is tried "
        "in this many crawls, then skipped until --refresh",
    )
    max_page_mb: float = Field(
        10.0,
        gt=0,
        le=1024,
        description="a page larger than this, after decompression, is not read (a gzip bomb "
        "costs no memory); a warning is logged at a quarter of it",
    )
    hang_timeout_seconds: float = Field(1800.0, gt=0)
    redis_url: str | None = Field(
        None,
        pattern=r"^(redis|rediss|unix)://",
        description="a Redis server shared by `xinqu crawl --worker` processes: the crawl is "
        "split over them (crawler/distributed.py); null: one process crawls",
    )
    redis_prefix: str = Field(
        "xinqu", pattern=r"^[A-Za-z0-9_.-]+$", description="keeps installations apart in one Redis"
    )
    worker_lease_seconds: float = Field(
        30.0, gt=0, description="a worker silent this long is dead: its requests go back"
    )
    worker_wait_seconds: float = Field(
        600.0, gt=0, description="a distributed crawl with no worker this long gives up"
    )
    stop_grace_seconds: float = Field(
        10.0, gt=0, description="a stopped crawl gets this long to record its runs, then twice"
    )


class ScheduleSettings(_Strict):
    crawl: Cron = "0 */6 * * *"
    issue: Cron = "0 9 * * 2"
    misfire_grace_seconds: int = Field(3600, ge=1)
    lock_ttl_seconds: int = Field(
        120, ge=3, description="a dead scheduler's locks expire after this (heartbeat: ttl/3)"
    )

    _crawl_ok = field_validator("crawl", "issue")(_check_cron)


class HealthSettings(_Strict):
    """When `xinqu status` and the editor's alert mail flag a source."""

    failures_in_row: int = Field(3, ge=1, description="flag after this many failed runs in a row")
    silent_days: int = Field(
        14, ge=1, description="flag a source that normally yields but found nothing this long"
    )


class SmtpSettings(_Strict):
    host: str = "localhost"
    port: int = Field(25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password_env: str = "XINQU_SMTP_PASSWORD"
    timeout_seconds: float = Field(30.0, gt=0)
    ca_file: str | None = Field(
        None, description="CA bundle to verify the server's certificate (null: the system's)"
    )

    def password(self) -> str | None:
        """The password comes only from the environment, never from a file."""
        return os.environ.get(self.password_env) or None


class MailSettings(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    transport: Literal["outbox", "smtp"] = "outbox"
    from_: str = Field("西咸研究院 <bulletin@example.org>", alias="from")
    reply_to: str | None = None
    editor: str | None = Field(None, description="address for alerts and the editor copy")
    rate_per_second: float = Field(0.0, ge=0, description="0: no limit")
    retries: int = Field(3, ge=0, le=10, description="retries of a 4xx answer, per message")
    retry_backoff_seconds: float = Field(
        5.0, ge=0, description="first wait before a retry; doubles each time"
    )
    list_id: str | None = Field(None, description="List-Id label (null: from the From address)")
    unsubscribe_mailto: str | None = Field(
        None, description="address in List-Unsubscribe's mailto (null: the From address)"
    )
    workers: int = Field(1, ge=1, le=64, description="send processes, each its own SMTP connection")
    claim_seconds: float = Field(
        600.0,
        gt=0,
        description="a send worker's hold on its records; a dead worker's are taken over after it",
    )
    smtp: SmtpSettings = SmtpSettings()

    @model_validator(mode="after")
    def _claims_outlast_a_message(self) -> MailSettings:
        # A record in ``sending`` must not be taken over while its worker still talks
        # to the server: one message takes at most a few SMTP timeouts.
        if self.claim_seconds < 4 * self.smtp.timeout_seconds:
            raise ValueError(
                f"claim_seconds ({self.claim_seconds:g}) must be at least 4 × "
                f"smtp.timeout_seconds ({self.smtp.timeout_seconds:g})"
            )
        return self


class WebSettings(_Strict):
    base_url: AnyHttpUrl = AnyHttpUrl("http://localhost:8000")
    secret_env: str = "XINQU_SECRET"

    def secret(self) -> str | None:
        return os.environ.get(self.secret_env) or None


class Settings(_Strict):
    timezone: str = "Asia/Shanghai"
    database_url: str | None = None
    bulletin: BulletinSettings = BulletinSettings()
    digest: DigestSettings = DigestSettings()
    crawl: CrawlSettings = CrawlSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    health: HealthSettings = HealthSettings()
    mail: MailSettings = MailSettings()
    web: WebSettings = WebSettings()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone like Asia/Shanghai, got {value!r}"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Source(_Strict):
    """One news source: the minimum is name, area, site_name and list_urls."""

    name: str
    area: str = Field(min_length=1)
    site_name: str = Field(min_length=1)
    list_urls: list[AnyHttpUrl] = Field(min_length=1)
    family: str | None = None
    family_options: dict[str, Any] = Field(
        default_factory=dict,
        description="checked against the family's options model (crawler/families) "
        "before a crawl or a check starts",
    )
    enabled: bool = True
    verified: bool = True
    max_pages: int | None = Field(None, ge=1, le=100)
    link_selector: str | None = None
    title_selector: str | None = None
    date_selector: str | None = None
    body_selector: str | None = None
    encoding: str | None = None
    obey_robots: bool = True
    schedule: Cron | None = None
    priority: int = Field(
        0, ge=-10, le=10, description="added to the issue ranking of this source's stories"
    )
    note: str | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"expected a slug of a-z, 0-9 and _, got {value!r}")
        return value

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str | None) -> str | None:
        import codecs

        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"expected a known text encoding, got {value!r}") from None
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else _check_cron(value)

    @property
    def urls(self) -> list[str]:
        return [str(u) for u in self.list_urls]


class SourcesFile(_Strict):
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice")
            seen.add(source.name)
        return self


class Section(_Strict):
    key: str
    title: str = Field(min_length=1)
    description: str | None = None


class ClassifierSettings(_Strict):
    """What an editor can tune in how articles are sorted into sections.

    ``method``: ``svm`` (a calibrated linear SVM over character n-grams), ``model``
    (a logistic regression over hashed character n-grams), both trained from
    ``training_data``; ``rules`` (the weighted keywords below) or ``both`` (the
    logistic regression's probabilities blended with the rules' by ``rules_weight``).
    """

    method: Literal["svm", "model", "rules", "both"] = "model"
    min_confidence: float = Field(
        0.45, ge=0, le=1, description="below this, an industry/reform decision becomes out"
    )
    uncertain_margin: float = Field(
        0.15,
        ge=0,
        le=1,
        description="a decision whose share leads the next section's by less is uncertain",
    )
    title_weight: int = Field(
        2, ge=1, le=10, description="a keyword in the title counts this many times"
    )
    title_share: float = Field(
        0.4,
        gt=0,
        lt=1,
        description="the headline's share of what the model reads, whatever the body's length",
    )
    text_chars: int = Field(400, ge=50, description="how much of the text is read")
    ngram_sizes: list[int] = Field(
        default_factory=lambda: [1, 2, 3], description="character n-gram lengths the model reads"
    )
    regularization: float = Field(10.0, gt=0, description="C of the SVM or the logistic regression")
    rules_weight: float = Field(0.3, ge=0, le=1, description="share of the rules in `both`")
    training_data: Path | None = Field(
        None,
        description="labelled JSONL; null: the shipped set (xinqu/data/classify/labelled.jsonl)",
    )
    out_titles: list[str] = Field(
        default_factory=list, description="regexes: a matching title is always out"
    )
    keywords: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="section (or out) -> keyword -> weight"
    )
    title_priors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="section (or out) -> regexes: a matching (simplified) title leans to it",
    )
    title_prior_weight: float = Field(
        0.0, ge=0, le=1, description="added to a section's share when its title prior matches"
    )

    @field_validator("out_titles")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _check_regex(pattern)
        return value

    @field_validator("title_priors")
    @classmethod
    def _prior_regexes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            for pattern in patterns:
                _check_regex(pattern)
        return value


def _check_regex(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"expected a regular expression, got {pattern!r} ({exc})") from None


class SectionsFile(_Strict):
    """Sections in bulletin order, plus the classifier's editor-tunable knobs."""

    sections: list[Section] = Field(min_length=1)
    classifier: ClassifierSettings = ClassifierSettings()

    @model_validator(mode="after")
    def _unique_keys(self) -> SectionsFile:
        keys = [s.key for s in self.sections]
        if len(keys) != len(set(keys)):
            raise ValueError("section keys must be unique")
        if "out" in keys:
            raise ValueError("'out' is reserved for articles left out of every section")
        for key in self.classifier.keywords:
            if key not in keys and key != "out":
                raise ValueError(f"classifier.keywords: unknown section {key!r}")
        for key in self.classifier.title_priors:
            if key not in keys and key != "out":
                raise ValueError(f"classifier.title_priors: unknown section {key!r}")
        return self

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    def key_for(self, name: str) -> str | None:
        """A section's key from its key or its title (`reform` or `改革创新`), else None."""
        wanted = name.strip()
        for section in self.sections:
            if wanted.casefold() == section.key.casefold() or wanted == section.title:
                return section.key
        return None

    def spellings(self) -> str:
        """The accepted names, for an error line: `industry (产业发展), reform (改革创新)`."""
        return ", ".join(f"{s.key} ({s.title})" for s in self.sections)


class AreaEntry(_Strict):
    """One new area: the names and places that say a story is about it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    names: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    short: list[str] = Field(
        default_factory=list, description="too ambiguous to decide an area; headline check only"
    )
    not_: list[str] = Field(
        default_factory=list, alias="not", description="phrases containing a name that are not it"
    )

    @field_validator("names", "aliases", "short", "not_")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        for term in value:
            if not term.strip() or term != term.strip():
                raise ValueError(f"expected names without surrounding spaces, got {term!r}")
        return value

    @property
    def terms(self) -> list[str]:
        """What decides the area: its names and its aliases."""
        return [*self.names, *self.aliases]


class AreasFile(_Strict):
    """areas.yaml: each new area's names and aliases, and how a story's area is decided."""

    several: str = Field("多个新区", min_length=1)
    several_markers: list[str] = Field(default_factory=list)
    lead_chars: int = Field(200, ge=0, le=5000)
    street_suffixes: list[str] = Field(default_factory=list)
    areas: dict[str, AreaEntry] = Field(min_length=1)
    left_out: dict[str, str] = Field(default_factory=dict)

    @field_validator("areas")
    @classmethod
    def _consistent(cls, value: dict[str, AreaEntry]) -> dict[str, AreaEntry]:
        owner: dict[str, str] = {}
        for area, entry in value.items():
            if not area.endswith("新区") or len(area) < 4:
                raise ValueError(f"an area's name ending in 新区 as the key, got {area!r}")
            for term in entry.terms:
                if owner.get(term, area) != area:
                    raise ValueError(
                        f"each alias under one area: {term!r} is under {owner[term]} and {area}"
                    )
                owner[term] = area
        for area, entry in value.items():
            known = [*entry.terms, *entry.short]
            for phrase in entry.not_:
                if phrase in owner:
                    raise ValueError(f"{area}.not: {phrase!r} is an alias of {owner[phrase]}")
                if not any(term in phrase for term in known):
                    raise ValueError(
                        f"{area}.not: {phrase!r} should contain one of {area}'s names or aliases"
                    )
        return value

    @model_validator(mode="after")
    def _several_is_not_an_area(self) -> AreasFile:
        if self.several in self.areas:
            raise ValueError(f"several: {self.several!r} is also an area")
        return self


class Config(BaseModel):
    """Everything loaded from one configuration folder."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    directory: Path
    settings: Settings
    sources: tuple[Source, ...]
    sections: SectionsFile
    areas: AreasFile

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"unknown source {name!r} (known: {known})")

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


#: Where each file's keys are documented (an unknown key's message points there).
_REFERENCE = {
    "settings.yaml": "the shipped config/settings.yaml, which lists every key",
    "sources.yaml": "docs/sources.md",
    "sections.yaml": "the shipped config/sections.yaml",
    "areas.yaml": "docs/areas.md",
}


def _describe(
    path: Path,
    exc: ValidationError,
    *,
    within: str = "",
    unknown: str | None = None,
) -> str:
    """One line for the first problem: file, key, what was expected.

    ``within``: where in the file the validated part sits (``sources[0] (pudong).family_options``)
    when only a part of it was validated; ``unknown``: the message for an unknown key.
    """
    first = exc.errors()[0]
    where = _loc(tuple(first["loc"]))
    if within:
        where = within if where == "(top level)" else f"{within}.{where}"
    message = first["msg"].removeprefix("Value error, ")
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    if first["type"] == "extra_forbidden":
        reference = _REFERENCE.get(path.name, _REFERENCE["settings.yaml"])
        message = unknown or f"unknown key (check the spelling against {reference})"
    elif first["type"] == "missing":
        message = "required key is missing"
    else:
        message = f"expected {message[0].lower()}{message[1:]}" if message else "invalid"
        message = message.replace("expected expected", "expected")
    return f"{path}: {where}: {message}{extra}"


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error.

    Plain YAML keeps the last one silently: a second ``mail:`` block would drop the
    first one's ``transport: smtp`` and nobody would get mail.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:
                continue
            if first != key_node.start_mark.line + 1:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice (lines {first} and "
                    f"{key_node.start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: expected UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{path}:{line} not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def invalid_part(path: Path, exc: ValidationError, within: str, unknown: str) -> ConfigError:
    """The one-line error for a part of ``path`` validated after loading (e.g. a
    source's ``family_options``, whose model belongs to the family's code)."""
    return ConfigError(_describe(path, exc, within=within, unknown=unknown))


def _validate(model: type[_M], path: Path, data: dict[str, Any]) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from None


def load_sources(path: Path) -> SourcesFile:
    return _validate(SourcesFile, path, _read_yaml(path))


def load_areas(path: Path) -> AreasFile:
    return _validate(AreasFile, path, _read_yaml(path))


def load_config(directory: Path | str | None = None) -> Config:
    """Load and validate the files of a configuration folder.

    ``settings.yaml`` is optional (every key has a default); ``sources.yaml`` and
    ``sections.yaml`` are required; without ``areas.yaml`` the shipped one is used.
    """
    folder = Path(directory or os.environ.get("XINQU_CONFIG") or SHIPPED_CONFIG_DIR)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: configuration folder not found")
    settings_path = folder / "settings.yaml"
    settings_data = _read_yaml(settings_path) if settings_path.exists() else {}
    settings = _validate(Settings, settings_path, settings_data)
    sources = load_sources(folder / "sources.yaml")
    sections = _validate(
        SectionsFile, folder / "sections.yaml", _read_yaml(folder / "sections.yaml")
    )
    areas_path = folder / "areas.yaml"
    if not areas_path.exists():
        areas_path = SHIPPED_CONFIG_DIR / "areas.yaml"
    return Config(
        directory=folder,
        settings=settings,
        sources=tuple(sources.sources),
        sections=sections,
        areas=load_areas(areas_path),
    )
