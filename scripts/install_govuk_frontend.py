"""Install the pinned govuk-frontend release into static/vendor/govuk-frontend.

govuk-frontend is published only to the npm registry. Rather than ask every
newcomer for Node.js, this fetches the exact release named in pyproject.toml,
refuses it unless its SHA-512 matches the pinned integrity value, and unpacks
the compiled CSS, the JavaScript with its source map, and the images.

Three rewrites are made to the stylesheet:
- asset URLs become relative, so they resolve under STATIC_URL;
- the GDS Transport typeface, licensed only for services on GOV.UK, is replaced by
  Arial, as the Design System asks of services elsewhere (councils included);
- its sourceMappingURL comment goes: the published map describes the stylesheet
  before these rewrites, so it would point the browser's tools at the wrong places.

Nothing is written unless every file the unpacked CSS and JavaScript refer to
(url(), @import, sourceMappingURL, import ... from) is unpacked too: the production
static storage (collectstatic with the manifest) refuses a reference to a file it
does not have, and the site then cannot start.
"""

import base64
import hashlib
import io
import os
import posixpath
import re
import shutil
import sys
import tarfile
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "static" / "vendor" / "govuk-frontend"
# Bump when rewrite_css or the files unpacked change, so existing installs are redone.
REWRITE_REVISION = "+r3"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
PREFIX = "package/dist/govuk/"
# The files unpacked, relative to PREFIX, besides everything under assets/images/.
# The JavaScript is unpacked unchanged, so its map still describes it.
FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.js.map")

CSS_REFERENCES = [
    re.compile(r"""url\(\s*["']?([^"')\s]+)["']?\s*\)"""),
    re.compile(r"""@import\s+["']([^"']+)["']"""),
    re.compile(r"/\*#\s*sourceMappingURL=(\S+)\s*\*/"),
]
JS_REFERENCES = [
    re.compile(r"//#\s*sourceMappingURL=(\S+)"),
    re.compile(r"""\b(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']"""),
    re.compile(r"""\bimport\s*\(?\s*["']([^"']+)["']"""),
]


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
    css = re.sub(r"\s*/\*#\s*sourceMappingURL=[^*]*\*/\s*$", "\n", css)
    return css.replace("GDS Transport,arial,sans-serif", "arial,sans-serif")


def references(name: str, text: str) -> set[str]:
    """The files `name` (a path within the folder) refers to, as paths within the
    folder. Addresses elsewhere (data:, http(s):, //host, #fragment) are not files."""
    patterns = CSS_REFERENCES if name.endswith(".css") else JS_REFERENCES
    found = set()
    for pattern in patterns:
        for url in pattern.findall(text):
            if url.startswith(("data:", "http:", "https:", "//", "#")):
                continue
            path = url.split("#", 1)[0].split("?", 1)[0]
            if path.startswith("/"):
                found.add(path.lstrip("/"))
            else:
                found.add(posixpath.normpath(posixpath.join(posixpath.dirname(name), path)))
    return found


def missing_references(files: dict[str, bytes]) -> list[str]:
    """'file -> reference' for each reference in the CSS and JavaScript of `files`
    (path within the folder -> contents) to a file that is not among them."""
    missing = []
    for name, data in sorted(files.items()):
        if name.endswith((".css", ".js", ".mjs")):
            for reference in sorted(references(name, data.decode())):
                if reference not in files:
                    missing.append(f"{name} -> {reference}")
    return missing


def unpack(blob: bytes) -> dict[str, bytes]:
    """The wanted files of the release tarball, path within the folder -> contents,
    with the stylesheet rewritten."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        for member in archive.getmembers():
            name = member.name
            if not member.isfile() or not name.startswith(PREFIX):
                continue
            relative = name[len(PREFIX) :]
            if relative not in FILES and not relative.startswith("assets/images/"):
                continue
            data = archive.extractfile(member).read()
            if relative.endswith(".css"):
                data = rewrite_css(data.decode()).encode()
            files[relative] = data
    absent = [name for name in FILES if name not in files]
    if absent:
        sys.exit(f"govuk-frontend has no {', '.join(absent)} under {PREFIX}")
    return files


def install() -> None:
    version, integrity = pinned()
    stamp = TARGET / "VERSION"
    if stamp.exists() and stamp.read_text().strip() == version + REWRITE_REVISION:
        return
    url = f"{REGISTRY}/govuk-frontend/-/govuk-frontend-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        blob = response.read()
    verify(blob, integrity)

    files = unpack(blob)
    missing = missing_references(files)
    if missing:
        sys.exit(
            f"govuk-frontend {version} would refer to files it does not unpack "
            f"(collectstatic would fail): {'; '.join(missing)}"
        )
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for relative, data in files.items():
        destination = TARGET / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    stamp.write_text(version + REWRITE_REVISION + "\n")
    print(f"govuk-frontend {version} installed in {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    install()
