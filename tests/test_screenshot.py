"""The HTML edition as a reader sees it: a headless Chromium screenshot, checked by pixels.

Debian's chromium and fonts-noto-cjk are installed by scripts/test; the test is
skipped only where they could not be installed (no apt).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from xinqu.config import SHIPPED_CONFIG_DIR, load_config
from xinqu.issue.render import render_issue
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 800, 1600
PAGE_BACKGROUND = (0xF2, 0xEF, 0xE9)


def _samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts/make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


@pytest.mark.slow
def test_html_edition_renders_visibly_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed and scripts/test could not apt-get it")
    samples = _samples()
    config = load_config(SHIPPED_CONFIG_DIR)
    html = render_issue(config.settings, samples.seed_issue(config), year_number=1).html
    page = tmp_path / "issue.html"
    page.write_text(html.replace(UNSUBSCRIBE_PLACEHOLDER, "#unsubscribe"), encoding="utf-8")
    shot = tmp_path / "issue.png"
    samples.screenshot(page, shot, width=WIDTH, height=HEIGHT)

    image = Image.open(shot).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    pixels = image.load()
    assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50, "blank screenshot"

    # The 640 px page sits centred on the tinted background.
    assert _near(pixels[10, HEIGHT // 2], PAGE_BACKGROUND)
    assert _near(pixels[WIDTH - 10, HEIGHT // 2], PAGE_BACKGROUND)
    assert _near(pixels[WIDTH // 2 - 310, 20], (255, 255, 255))

    # The red masthead is at the top, in the middle.
    red = sum(
        1
        for x in range(WIDTH // 4, 3 * WIDTH // 4)
        for y in range(0, 110)
        if (p := pixels[x, y])[0] > 150 and p[1] < 80 and p[2] < 80
    )
    assert red > 400, f"masthead not visible ({red} red pixels)"

    # Text runs down the page: most bands of rows hold dark (glyph) pixels.
    bands = [
        any(
            sum(pixels[x, y]) < 300
            for y in range(top, top + 40)
            for x in range(WIDTH // 2 - 300, WIDTH // 2 + 300, 2)
        )
        for top in range(120, HEIGHT - 40, 40)
    ]
    assert sum(bands) / len(bands) > 0.8, f"text visible in only {sum(bands)}/{len(bands)} bands"
