"""The built distribution runs by itself: ``python -m build`` makes an sdist and a wheel (the
wheel built from the sdist, as ``build`` does), the wheel goes into a fresh virtualenv outside
the checkout, and ``loket serve`` in an empty folder serves the demo hall's pages offline,
with the browser libraries and migrations from the wheel.

To stay fast and offline, the fresh venv does not download Loket's dependencies: a ``.pth``
file puts the shared venv's site-packages *after* the fresh venv's own (a plain path entry,
so the shared venv's editable-install hook of the checkout is never run). Loket itself,
its templates, migrations and browser libraries come only from the wheel; the test checks
that the checkout is nowhere on the installed hub's path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from loket.server import vendor
from tests.support.hall import ROOT, free_port, wait_healthy

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (out / "build.log").write_text(built.stdout + built.stderr)
    return out


def test_every_folder_the_wheel_carries_is_a_listed_package(dist: Path) -> None:
    # setuptools warns of data folders (templates, static files) missing from `packages`, and
    # says it will stop installing them: a wheel could then lose the pages' files.
    log = (dist / "build.log").read_text()
    assert "Successfully built" in log
    assert "is absent from the `packages` configuration" not in log


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    (Path(site) / "zz_shared_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    return where


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "LOKET_NODE_MODULES", "LOKET_CONFIG", "VIRTUAL_ENV")}
    return dict(env, PYTHONUNBUFFERED="1")


def test_distributions_hold_what_the_hall_needs(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    assert list(dist.glob("*.tar.gz")), "no sdist"
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = next(n.split("/migrations/")[0] for n in names if n.endswith("/migrations/env.py"))
    for needed in ("migrations/script.py.mako", "migrations/versions/0001_initial.py",
                   "demo_hall.toml", "templates/base.html",
                   "_vendor/socket.io-client/socket.io.min.js",
                   "_vendor/socket.io-client/LICENSE", "_vendor/chart.js/chart.umd.min.js",
                   "_vendor/chart.js/LICENSE.md", "_vendor/atkinson-hyperlegible/LICENSE",
                   "_vendor/atkinson-hyperlegible/index.css",
                   "_vendor/swagger-ui/swagger-ui-bundle.js", "_vendor/swagger-ui/LICENSE",
                   "_vendor/swagger-ui/NOTICE"):
        assert f"{prefix}/{needed}" in names, needed
    assert not any("node_modules" in n or n.startswith("tests/") for n in names)
    if vendor.__name__.startswith("loket."):  # one top-level package: no collisions
        assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == {"loket"}
    # Only the files the pages use: not the whole npm packages.
    assert not any(n.endswith("socket.io.esm.min.js") or "/chart.js/chunks/" in n for n in names)


@pytest.fixture
def installed_hub(venv: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "empty-hall"
    folder.mkdir()
    port = free_port()
    log_path = tmp_path / "hub.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(venv / "bin" / "loket"), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--no-devices"],
            cwd=folder, env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log_path, 60)
        yield url, folder
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_installed_package_does_not_see_the_checkout(venv: Path, tmp_path: Path) -> None:
    code = (f"import importlib, json, sys; v = importlib.import_module({vendor.__name__!r}); "
            "print(json.dumps({'file': v.__file__, 'path': sys.path, "
            "'vendor': v.source_description()}))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path,
                         env=clean_env(), capture_output=True, text=True, check=True).stdout
    found = json.loads(out)
    assert found["file"].startswith(str(venv))
    assert found["vendor"].startswith(str(venv))
    assert not any(p and Path(p).resolve() == ROOT for p in found["path"])
    version = subprocess.run([str(venv / "bin" / "loket"), "--version"], cwd=tmp_path,
                             env=clean_env(), capture_output=True, text=True, check=True)
    assert version.stdout.split()[-1][0].isdigit()


@pytest.mark.browser
def test_installed_wheel_serves_the_demo_hall_offline(
    installed_hub: tuple[str, Path], browser: Any, venv: Path,
) -> None:
    url, folder = installed_hub
    health = requests.get(url + "/healthz", timeout=5).json()
    wheel_version = subprocess.run(
        [str(venv / "bin" / "loket"), "--version"], capture_output=True, text=True,
        cwd=folder, env=clean_env(), check=True,
    ).stdout.split()[-1]
    assert health["version"] == wheel_version
    assert (folder / "var" / "loket.db").exists()  # the demo hall's data in ./var
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        for path in ("/display", "/kiosk"):
            page = context.new_page()
            errors: list[str] = []
            failed: list[str] = []
            page.on("console", lambda m, e=errors: m.type == "error" and not m.location.get(
                "url", "").endswith("/favicon.ico") and e.append(f"{m.text} {m.location}"))
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            page.on("requestfailed", lambda r, f=failed: f.append(r.url))
            page.on("response", lambda r, f=failed: r.status >= 400 and f.append(r.url))
            response = page.goto(url + path, wait_until="networkidle")
            assert response is not None and response.status == 200, path
            page.wait_for_timeout(500)
            # (Chromium's own /favicon.ico probe is the hub's, not the package's, concern.)
            assert (errors, failed) == ([], []), path
            # The hall's font came from the wheel's copy of @fontsource.
            assert page.evaluate("document.fonts.check('16px \"Atkinson Hyperlegible\"')")
            page.close()
        vendor = context.request.get(url + "/vendor/socket.io-client/socket.io.min.js")
        assert vendor.status == 200 and b"io" in vendor.body()
    finally:
        context.close()
