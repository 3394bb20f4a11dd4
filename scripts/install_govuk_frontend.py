"""Install the pinned govuk-frontend release into static/vendor/govuk-frontend.

govuk-frontend is published only to the npm registry. Rather than ask every
newcomer for Node.js, this fetches the exact release named in pyproject.toml,
refuses it unless its SHA-512 matches the pinned integrity value, and unpacks
the compiled CSS, JavaScript and images.

Two rewrites are made to the stylesheet:
- asset URLs become relative, so they resolve under STATIC_URL;
- the GDS Transport typeface, licensed only for services on GOV.UK, is replaced by
  Arial, as the Design System asks of services elsewhere (councils included).
"""

import base64
import hashlib
import io
import os
import re
import shutil
import sys
import tarfile
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "static" / "vendor" / "govuk-frontend"
# Bump when rewrite_css changes, so existing installs are redone.
REWRITE_REVISION = "+r2"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def pinned(package: str = "govuk-frontend") -> tuple[str, str]:
    """The version and integrity pinned under [tool.reunification.<package>]."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        pin = tomllib.load(f)["tool"]["reunification"][package]
    return pin["version"], pin["integrity"]


def verify(blob: bytes, integrity: str, package: str = "govuk-frontend") -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, blob).digest()).decode()
    if actual != expected:
        sys.exit(f"{package} download does not match the pinned {algorithm} digest")


def rewrite_css(css: str) -> str:
    css = css.replace("url(/assets/", "url(assets/")
    css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
    return css.replace("GDS Transport,arial,sans-serif", "arial,sans-serif")


def install() -> None:
    version, integrity = pinned()
    stamp = TARGET / "VERSION"
    if stamp.exists() and stamp.read_text().strip() == version + REWRITE_REVISION:
        return
    url = f"{REGISTRY}/govuk-frontend/-/govuk-frontend-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        blob = response.read()
    verify(blob, integrity)

    if TARGET.exists():
        shutil.rmtree(TARGET)
    prefix = "package/dist/govuk/"
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        for member in archive.getmembers():
            name = member.name
            if not member.isfile() or not name.startswith(prefix):
                continue
            relative = name[len(prefix) :]
            wanted = relative in ("govuk-frontend.min.css", "govuk-frontend.min.js")
            wanted = wanted or relative.startswith("assets/images/")
            if not wanted:
                continue
            destination = TARGET / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            data = archive.extractfile(member).read()
            if relative.endswith(".css"):
                data = rewrite_css(data.decode()).encode()
            destination.write_bytes(data)
    stamp.write_text(version + REWRITE_REVISION + "\n")
    print(f"govuk-frontend {version} installed in {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    install()
