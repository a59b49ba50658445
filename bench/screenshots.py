"""Screenshots for the README, taken from the current demo: `make screenshots`.

Loads the demo into a throw-away SQLite database, serves it on a free local port, and
drives headless Chromium (Playwright) through the pages a team works in. Writes small
PNGs (palette-quantised, under 300 KB each) to docs/screenshots/. Nothing leaves the
machine: every request that is not to the local server is blocked.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1366, 820
MAX_BYTES = 300_000

# (file, user, path under /reviews/<id>/, what to wait for)
SHOTS = [
    ("screening.png", "reviewer1", "screen/ta/", "#screen-panel"),
    ("conflicts.png", "lead", "conflicts/ta/", "main"),
    ("prisma.png", "lead", "prisma/", "[data-testid=prisma-svg] svg"),
    ("evidence.png", "lead", "evidence/", "main table"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "accounts/login/", timeout=2)  # noqa: S310 - local
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def _small_png(data: bytes) -> bytes:
    """Quantise to a 256-colour palette: the UI's flat colours survive, the size drops ~4x."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="reviewapp-shots-") as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "CELERY_BROKER_URL": "",
        }
        env.pop("CACHE_URL", None)
        _run(["migrate", "--noinput", "-v0"], env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}/"
        printed = _run(["demo", "--url", base], env)
        passwords = dict(re.findall(r"^\s+(\w+)\s+(\S+)\s+\(", printed, re.MULTILINE))
        review_id = re.search(r"id (\d+)", printed).group(1)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_up(base)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=options.chromium,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                for name, user, path, ready in SHOTS:
                    context = browser.new_context(
                        base_url=base, viewport={"width": WIDTH, "height": HEIGHT}
                    )
                    context.route(
                        "**/*",
                        lambda route: (
                            route.continue_()
                            if urlsplit(route.request.url).hostname in {"127.0.0.1", None}
                            else route.abort()
                        ),
                    )
                    page = context.new_page()
                    page.goto("accounts/login/")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", passwords[user])
                    page.click("button[type=submit]")
                    page.wait_for_url(base)
                    page.goto(f"reviews/{review_id}/{path}")
                    page.locator(ready).first.wait_for()
                    page.wait_for_load_state("networkidle")
                    png = _small_png(page.screenshot())
                    (out / name).write_bytes(png)
                    flag = "" if len(png) < MAX_BYTES else "  (over 300 KB!)"
                    print(f"{out / name}: {len(png) // 1024} KB{flag}")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
