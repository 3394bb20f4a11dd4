"""Install the pinned axe-core release into tests/vendor/axe-core, for the browser tests.

axe-core is the accessibility rules engine that tests/test_accessibility.py runs in
headless Chromium. Like govuk-frontend it is published only to the npm registry, so
this fetches the exact release named under [tool.reunification.axe-core] in
pyproject.toml, refuses it unless its SHA-512 matches the pinned integrity value,
and unpacks only axe.min.js and the licence. It goes beside the tests, not into the
static files, so it is never served to users. Running it again does nothing once
that version is in place.
"""

import io
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from install_govuk_frontend import REGISTRY, ROOT, pinned, verify  # noqa: E402

PACKAGE = "axe-core"
TARGET = ROOT / "tests" / "vendor" / PACKAGE
WANTED = {"package/axe.min.js": "axe.min.js", "package/LICENSE": "LICENSE"}


def install(pin: tuple[str, str] | None = None, target: Path = TARGET, registry=REGISTRY) -> None:
    """Installs the pinned release (or `pin`, a version and integrity) into `target`."""
    version, integrity = pin or pinned(PACKAGE)
    stamp = target / "VERSION"
    if stamp.exists() and stamp.read_text().strip() == version:
        return
    url = f"{registry}/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        blob = response.read()
    verify(blob, integrity, PACKAGE)

    files = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name in WANTED:
                files[WANTED[member.name]] = archive.extractfile(member).read()
    missing = set(WANTED.values()) - set(files)
    if missing:
        sys.exit(f"{PACKAGE} {version} has no {', '.join(sorted(missing))}")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    stamp.write_text(version + "\n")
    print(f"{PACKAGE} {version} installed in {target}")


if __name__ == "__main__":
    install()
