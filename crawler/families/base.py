"""The CMS-family interface: how a platform lists, pages and presents its news.

A family is code shared by every site on one platform; a site is data (a source
entry naming ``family:``). The generic family works on any plain-HTML list page;
platform families override only what their platform does differently (a JSON list
API, an embedded XML datastore, a known pagination scheme, known selectors).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict
from scrapy import FormRequest, Request
from scrapy.http import JsonRequest, Response

from crawler.extract.article import ArticleSelectors, ExtractedArticle, extract_article
from crawler.extract.jsonlist import DataPost
from crawler.extract.listing import (
    ListEntry,
    discover_entries,
    find_data_posts,
    find_data_urls,
    find_next_pages,
    json_data,
)
from crawler.extract.pagination import next_form
from xinqu.config import Source


@dataclass(frozen=True)
class ListPage:
    """What one list response holds.

    ``next_urls`` are further pages of the list (followed while they yield new
    links). ``data_urls`` hold *this* page's own entries when the response was only
    a shell naming them (an HTML page whose list comes from a JSON data source);
    they are fetched as the same page. ``data_posts`` are list APIs the shell POSTs
    to (a form, JSON or not), fetched as the same page too; their next page is the
    form's page field plus one.
    """

    entries: list[ListEntry]
    next_urls: list[str] = field(default_factory=list)
    data_urls: list[str] = field(default_factory=list)
    data_posts: list[DataPost] = field(default_factory=list)


def _number_as_text(value: Any) -> Any:
    """YAML reads ``sid: 200011`` as a number; the platform's ids are text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: A platform id (channel, site id), given in YAML quoted or not.
Code = Annotated[str, BeforeValidator(_number_as_text)]


#: The ``meta`` key carrying the :class:`DataPost` a list response answers.
POST_META = "list_post"


def _posted(response: Response) -> DataPost | None:
    """The list API post a response answers (None for a GET, or a response in hand)."""
    post = response.request.meta.get(POST_META) if response.request is not None else None
    return post if isinstance(post, DataPost) else None


def _post_request(post: DataPost) -> Request:
    meta = {POST_META: post}
    if post.as_json:
        return JsonRequest(post.url, data=post.form, meta=meta)
    return FormRequest(post.url, formdata=post.form, meta=meta)


class FamilyOptions(BaseModel):
    """A family's ``family_options:``, every key declared, so a typo is an error.

    A family with options subclasses this and names the subclass as its
    ``options``; the family without any takes none (any key is an error).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def of(cls, source: Source) -> Self:
        """The source's options (checked before the crawl by ``crawler.families.family_for``)."""
        return cls.model_validate(source.family_options)


class Family:
    """Default behaviour; subclasses override what their platform does differently."""

    name = "generic"
    #: What ``family_options:`` this platform takes.
    options: ClassVar[type[FamilyOptions]] = FamilyOptions
    #: Selectors a platform is known to use, tried before automatic extraction.
    article_selectors = ArticleSelectors()

    def list_requests(self, source: Source, url: str, **meta: object) -> Iterable[Request]:
        """The request(s) that fetch the first page of one configured list URL."""
        yield Request(url, meta=dict(meta))

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        entries = discover_entries(response, source, tz, now)
        if _posted(response) is not None:  # a POSTed list API's answer
            return ListPage(entries=entries)
        shell = not source.link_selector
        return ListPage(
            entries=entries,
            next_urls=find_next_pages(response, source),
            data_urls=find_data_urls(response, entries) if shell else [],
            data_posts=find_data_posts(response, entries) if shell else [],
        )

    def data_requests(self, page: ListPage) -> list[Request]:
        """The requests for a shell page's own entries: GETs of ``data_urls``, and the
        POSTs of ``data_posts`` (their post carried in ``meta`` for the next page)."""
        requests = [Request(url) for url in page.data_urls]
        requests += [_post_request(post) for post in page.data_posts]
        return requests

    def next_requests(self, response: Response, page: ListPage, source: Source) -> list[Request]:
        """The request(s) for the list's next page: GETs of ``next_urls`` unless the
        platform pages some other way (a POST to a data proxy or a JSON API); after
        a POSTed list API's answer, the same POST with its page field plus one."""
        post = _posted(response)
        if post is not None:
            form = next_form(post.form, json_data(response), len(page.entries))
            return [_post_request(replace(post, form=form))] if form else []
        return [Request(url) for url in page.next_urls]

    def selectors(self, source: Source) -> ArticleSelectors:
        return ArticleSelectors(
            title=source.title_selector or self.article_selectors.title,
            date=source.date_selector or self.article_selectors.date,
            body=source.body_selector or self.article_selectors.body,
        )

    def parse_article(
        self, response: Response, source: Source, tz: tzinfo, now: datetime
    ) -> ExtractedArticle:
        return extract_article(
            response.text, response.url, tz=tz, selectors=self.selectors(source), now=now
        )
