"""scripts/install_axe_core.py: axe-core is unpacked only when the download matches
the pinned SHA-512, and a second run leaves an installed release alone. The
registry is stood in for by a folder of files (file:// addresses)."""

import base64
import hashlib
import io
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import install_axe_core  # noqa: E402


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def integrity(blob: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()


@pytest.fixture
def registry(tmp_path):
    """A registry folder publishing axe-core 9.9.9; returns its address and the tarball."""
    blob = tarball(
        {
            "package/axe.min.js": b"window.axe = {};",
            "package/LICENSE": b"Mozilla Public License 2.0",
            "package/README.md": b"not wanted",
        }
    )
    folder = tmp_path / "registry" / "axe-core" / "-"
    folder.mkdir(parents=True)
    (folder / "axe-core-9.9.9.tgz").write_bytes(blob)
    return (tmp_path / "registry").as_uri(), blob


def test_the_pinned_release_is_unpacked_beside_the_tests(registry, tmp_path):
    url, blob = registry
    target = tmp_path / "vendor" / "axe-core"

    install_axe_core.install(("9.9.9", integrity(blob)), target=target, registry=url)

    assert (target / "axe.min.js").read_bytes() == b"window.axe = {};"
    assert (target / "LICENSE").exists()
    assert not (target / "README.md").exists()
    assert (target / "VERSION").read_text().strip() == "9.9.9"

    # Once installed, a second run fetches nothing.
    (tmp_path / "registry" / "axe-core" / "-" / "axe-core-9.9.9.tgz").unlink()
    install_axe_core.install(("9.9.9", integrity(blob)), target=target, registry=url)
    assert (target / "axe.min.js").exists()


def test_a_download_that_does_not_match_the_pin_is_refused(registry, tmp_path):
    url, blob = registry
    target = tmp_path / "vendor" / "axe-core"

    with pytest.raises(SystemExit) as refused:
        install_axe_core.install(("9.9.9", integrity(blob + b"x")), target=target, registry=url)

    assert "does not match the pinned sha512 digest" in str(refused.value)
    assert not target.exists()


def test_the_pin_is_in_pyproject_and_the_folder_is_not_committed():
    with open(ROOT / "pyproject.toml", "rb") as f:
        pin = tomllib.load(f)["tool"]["reunification"]["axe-core"]
    assert pin["version"].count(".") == 2
    assert pin["integrity"].startswith("sha512-")
    assert "tests/vendor/" in (ROOT / ".gitignore").read_text().splitlines()
    assert install_axe_core.TARGET == ROOT / "tests" / "vendor" / "axe-core"
