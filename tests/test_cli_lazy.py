"""`xinqu --help` loads no command (issue 13: it took 3.9 s, 2.4 s of imports).

The root group knows each command's name, help line and modules from
``scheduler.cli.COMMANDS``; these tests keep that table true to the commands and
prove, by the modules a real child process ends with, that asking for help imports
none of the heavy libraries.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import scheduler.cli
from scheduler.cli import COMMANDS, load_command, main

HEAVY = ("sqlalchemy", "scrapy", "sklearn", "numpy", "scipy", "trafilatura", "weasyprint")


def test_the_table_matches_the_commands():
    for name, (help_line, _) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert command.get_short_help_str(limit=500) == help_line, name


def test_every_command_module_is_in_the_table():
    defined = {}
    for info in pkgutil.iter_modules(scheduler.cli.__path__):
        if info.name == "__main__":
            continue
        module = __import__(f"scheduler.cli.{info.name}", fromlist=["COMMANDS"])
        for command in getattr(module, "COMMANDS", []):
            defined[command.name] = info.name
    assert defined == {name: modules[0] for name, (_, modules) in COMMANDS.items()}


def test_help_lists_every_command_and_imports_nothing_heavy():
    probe = (
        "import sys, json\n"
        "from scheduler.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    *help_lines, loaded = run.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    text = "\n".join(help_lines)
    for name in COMMANDS:
        assert f"  {name} " in text
    assert main.get_command(None, "no-such-command") is None  # type: ignore[arg-type]
