"""The issue: select from the candidates, number, freeze and render.

``build_issue`` is the entry point the CLI and the scheduler call; rendering of
notices (alert, confirm) for the mail package is ``render.render_notice``.
"""

from __future__ import annotations

from xinqu.issue.build import build_issue

__all__ = ["build_issue"]
