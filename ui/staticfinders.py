"""A static files finder for the one file the app takes from an installed package: plotly.js.

Only the bundle is exposed (as ``vendor/plotly.min.js``), not the package's data sets and
templates, so ``collectstatic`` copies (and WhiteNoise compresses) just what pages load.
"""

from __future__ import annotations

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from .plotly_assets import BUNDLE

PREFIX = "vendor"
PLOTLY_PATH = f"{PREFIX}/{BUNDLE.name}"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=BUNDLE.parent)
        self.storage.prefix = PREFIX  # collectstatic files it under vendor/

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)  # Django < 6 still passes ``all``
        if path != PLOTLY_PATH:
            return []  # what Django's own finders answer for "not here"
        return [str(BUNDLE)] if find_all else str(BUNDLE)

    def list(self, ignore_patterns):
        yield BUNDLE.name, self.storage
