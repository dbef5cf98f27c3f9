"""Reading the Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) in tests: its entries as
(context, msgid, plural, translations), and the msgids the code asks for, extracted by Django's
``makemessages`` from a throw-away copy of the project (never the real locale directory)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
#: What makemessages reads: every app's Python and the templates (no tests, no bench).
SKIP = {".venv", ".git", "tests", "bench", "locale", "static", "staticfiles", "platform"}


@dataclass
class Entry:
    msgid: str
    context: str | None = None
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid


def parse(path: Path = PO) -> list[Entry]:
    """The entries of a .po file, header excluded. Only the syntax our catalogue uses (and the
    syntax makemessages writes): comments, flags, msgctxt, msgid(_plural), msgstr([n])."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags = ""
    obsolete = False
    last = None

    def flush():
        nonlocal fields, flags, obsolete
        if "msgid" in fields and fields["msgid"]:
            translations = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    context=fields.get("msgctxt"),
                    plural=fields.get("msgid_plural"),
                    translations=translations,
                    fuzzy="fuzzy" in flags,
                    obsolete=obsolete,
                )
            )
        fields, flags, obsolete = {}, "", False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            flags += line
            continue
        elif line.startswith("#") or not line:
            if not line:
                flush()
                last = None
            continue
        if line.startswith('"'):
            fields[last] += ast.literal_eval(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgid" in fields:
            flush()
        last = keyword
        fields[keyword] = ast.literal_eval(value)
    flush()
    return entries


def extracted(workdir: Path) -> list[Entry]:
    """The msgids the code marks for translation, as ``makemessages -l zh_Hans`` finds them in a
    copy of the project under ``workdir`` with an empty locale directory."""
    copy = workdir / "olive"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [
            n
            for n in names
            if (Path(folder) == ROOT and n in SKIP) or n == "__pycache__" or n.endswith(".mo")
        ],
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return parse(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
