"""plotly.js as the app serves it: the bundle from the ``plotly`` package, and its stylesheet.

plotly.js writes its own CSS rules into a ``<style>`` element at load, which the app's Content
Security Policy (``style-src 'self'``) refuses. It skips that step when the page already has an
element ``#plotly.js-style-global.no-inline-styles``; base.html links that id to
``static/vendor/plotly.css``, extracted here from the very bundle that is served, so the rules
are the library's own. A test compares the file with a fresh extraction: after upgrading plotly,
regenerate it with ``python -m ui.plotly_assets > static/vendor/plotly.css``.
"""

from __future__ import annotations

import re
from pathlib import Path

import plotly

BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: The id plotly.js looks for before injecting the map library's CSS; the app draws no maps,
#: so base.html holds an empty element with this id and the injection never happens.
MAP_STYLE_ID = "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53"

_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_RULE = re.compile(rf"({_STRING}|[A-Za-z_$][\w$]*)\s*:\s*({_STRING})")
#: plotly's own expansion of the rules' short selectors (src/css/plotcss.js).
_SELECTOR_ROOTS = (("X", ".js-plotly-plot .plotly"), ("Y", ".plotly-notifier"))


def _unquoted(literal: str) -> str:
    return literal[1:-1] if literal[:1] in "\"'" else literal


def _rules_block(bundle: str) -> str:
    start = bundle.index('"X,X div"')
    start = bundle.rindex("{", 0, start)
    return bundle[start : bundle.index("};for(", start)]


def plotly_css(bundle: str) -> str:
    """The stylesheet plotly.js would inject, one rule per line, in its own order."""
    lines = []
    for key, declarations in _RULE.findall(_rules_block(bundle)):
        selector = re.sub(r"^,", " ,", _unquoted(key))
        for short, full in _SELECTOR_ROOTS:
            selector = selector.replace(short, full)
        lines.append(f"{selector}{{{_unquoted(declarations)}}}")
    version = re.search(r"plotly\.js v([\d.]+)", bundle[:500]).group(1)
    header = f"/* plotly.js v{version}: its own rules (ui/plotly_assets.py) */"
    return "\n".join([header, *lines]) + "\n"


if __name__ == "__main__":
    print(plotly_css(BUNDLE.read_text(encoding="utf-8")), end="")
