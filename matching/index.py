"""The match index on disk: one directory per version, mapped read-only by every process.

A version's directory holds one ``.npy`` file per column of :class:`matching.engine.Creators`
and the conversion model (``model.joblib``, absent when history was too thin). Each process
maps the arrays with ``np.load(mmap_mode="r")``: the pages of the files live once in the
operating system's cache, shared by every web and worker process, instead of one copy per
process. A version is written into a temporary directory and renamed into place, so a reader
never maps half an index. No Django here: the service passes the root directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import joblib
import numpy as np

from .engine import ConversionModel, Creators

MODEL_FILE = "model.joblib"
_FIELDS = tuple(Creators.__dataclass_fields__)
_loaded: dict[tuple, tuple[Creators, ConversionModel | None]] = {}
_lock = threading.Lock()


def version_dir(root: Path, version: int) -> Path:
    return Path(root) / f"v{version}"


def write(root: Path, version: int, creators: Creators, model: ConversionModel | None) -> Path:
    """Write version ``version`` atomically; an existing version directory is replaced."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".v{version}-", dir=root))
    try:
        for name, values in creators.columns():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
        if model is not None:
            joblib.dump(model, staging / MODEL_FILE)
        target = version_dir(root, version)
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load(root: Path, version: int) -> tuple[Creators, ConversionModel | None]:
    """Version ``version`` mapped read-only (once per process; later calls reuse the map).

    The map is keyed by the directory's inode and mtime as well: a version number written
    again (a database restored, a test's fresh world) is a new directory, mapped afresh.
    """
    directory = version_dir(root, version)
    try:
        stat = directory.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"match index {directory} is missing") from None
    key = (str(directory.resolve()), version, stat.st_ino, stat.st_mtime_ns)
    with _lock:
        if key not in _loaded:
            for stale in [k for k in _loaded if k[:2] == key[:2]]:
                del _loaded[stale]
            _loaded[key] = _map(directory)
        return _loaded[key]


def _map(directory: Path) -> tuple[Creators, ConversionModel | None]:
    arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in _FIELDS}
    model_path = directory / MODEL_FILE
    model = joblib.load(model_path) if model_path.exists() else None
    return Creators(**arrays), model


def prune(root: Path, keep: set[int]) -> list[int]:
    """Remove version directories not in ``keep`` (and stale staging ones); the versions gone."""
    root = Path(root)
    removed = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        if entry.name.startswith(".v"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith("v") and entry.name[1:].isdigit():
            version = int(entry.name[1:])
            if version not in keep:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(version)
    with _lock:
        for key in [key for key in _loaded if key[1] in removed]:
            del _loaded[key]
    return removed
