"""Build hooks (the metadata is in setup.cfg): the wheel carries the browser libraries the
pages use, copied from ``node_modules`` with their licence files (see server/vendor_files.py),
so an installed Loket serves every page offline without a checkout or npm. The sdist carries
the same files under ``node_modules/`` so a wheel built from it gets them too."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
PACKAGE = "loket.server"
"""Package (path under the wheel's root) whose ``_vendor`` folder receives the libraries."""


def vendor_files(root: Path) -> list[tuple[Path, str]]:
    """(file under ``root``/node_modules, its path inside ``_vendor``) for every shipped file."""
    spec = runpy.run_path(str(ROOT / "loket" / "server" / "vendor_files.py"))
    out: list[tuple[Path, str]] = []
    for name, (npm, served, patterns) in spec["LIBRARIES"].items():
        package_dir = root / "node_modules" / npm
        if not package_dir.is_dir():
            raise SystemExit(f"node_modules/{npm} is missing: run `npm ci` before building")
        served_dir = package_dir / served
        for pattern in patterns:
            found = sorted(p for p in served_dir.glob(pattern) if p.is_file())
            if not found:
                raise SystemExit(f"node_modules/{npm}/{served}: nothing matches {pattern}")
            out += [(p, f"{name}/{p.relative_to(served_dir).as_posix()}") for p in found]
        licences = [p for pat in spec["LICENCE_PATTERNS"] for p in package_dir.glob(pat)]
        if not licences:
            raise SystemExit(f"node_modules/{npm}: no licence file found")
        out += [(p, f"{name}/{p.name}") for p in licences]
    return out


class BuildPyWithVendor(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves the checkout's node_modules
        spec = runpy.run_path(str(ROOT / "loket" / "server" / "vendor_files.py"))
        target = Path(self.build_lib, *PACKAGE.split("."), spec["PACKAGED_DIR"])
        for source, relative in vendor_files(ROOT):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


class SdistWithVendor(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        for source, _relative in vendor_files(ROOT):
            destination = Path(base_dir) / source.relative_to(ROOT)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildPyWithVendor, "sdist": SdistWithVendor})
