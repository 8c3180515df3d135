"""The peers' own environment under var/bench/peers/: pinned, and apart from the project's.

LiteLLM gets a virtualenv of its own (its proxy extra pulls in over a hundred packages the
project must not depend on), installed with every package pinned by a constraints file;
Portkey's gateway is installed by ``npm ci`` from a committed package.json and lockfile.
Each install is skipped when the pins it was made from have not changed.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parents[2]
PINS: Final = Path(__file__).resolve().parent / "pins"
HOME: Final = REPO / "var" / "bench" / "peers"
"""Where the peers are installed (under the repository's var/, which git ignores)."""
LITELLM_VERSION: Final = "1.108.6"
"""The newest LiteLLM whose ``proxy`` extra the registries here can satisfy (the later ones
need a ``litellm-proxy`` distribution, or extras' versions, that are not served)."""
PORTKEY_VERSION: Final = "1.15.2"
PORTKEY_PACKAGE: Final = "@portkey-ai/gateway"
LITELLM_HOME: Final = HOME / "litellm"
PORTKEY_HOME: Final = HOME / "portkey"
LITELLM_CONSTRAINTS: Final = PINS / "litellm-constraints.txt"
PORTKEY_PINS: Final = (PINS / "portkey" / "package.json", PINS / "portkey" / "package-lock.json")
INSTALL_TIMEOUT: Final = 900.0
"""Seconds one install command may take (LiteLLM's takes one to two minutes here)."""
STAMP: Final = ".pins-sha256"


@dataclass(frozen=True)
class Install:
    """One peer's install: where it goes, the files it is pinned by, the commands it runs."""

    name: str
    home: Path
    pins: tuple[Path, ...]
    ready: Path
    """A file that exists once the install is complete (the program the bench starts)."""

    def commands(self) -> list[list[str]]:
        """The commands that install this peer, in order, run from the repository."""
        if self.name == "litellm":
            return [
                [sys.executable, "-m", "venv", str(self.home)],
                [
                    str(self.home / "bin" / "pip"),
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-c",
                    str(LITELLM_CONSTRAINTS),
                    f"litellm[proxy]=={LITELLM_VERSION}",
                ],
            ]
        npm = shutil.which("npm") or "npm"
        return [
            [npm, "ci", "--prefix", str(self.home), "--ignore-scripts", "--no-audit", "--no-fund"]
        ]

    def digest(self) -> str:
        """What the pins say, so a changed pin reinstalls."""
        sha = hashlib.sha256()
        for path in self.pins:
            sha.update(path.read_bytes())
        return sha.hexdigest()

    def installed(self) -> bool:
        """The install is there and was made from the current pins."""
        stamp = self.home / STAMP
        return self.ready.exists() and stamp.exists() and stamp.read_text() == self.digest()

    def install(self) -> None:
        """Install from scratch (a half-made install is removed first)."""
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        if self.name == "portkey":
            for pin in self.pins:
                shutil.copyfile(pin, self.home / pin.name)
        for command in self.commands():
            subprocess.run(command, cwd=REPO, check=True, timeout=INSTALL_TIMEOUT)
        (self.home / STAMP).write_text(self.digest())


LITELLM: Final = Install(
    "litellm", LITELLM_HOME, (LITELLM_CONSTRAINTS,), LITELLM_HOME / "bin" / "litellm"
)
PORTKEY: Final = Install(
    "portkey",
    PORTKEY_HOME,
    PORTKEY_PINS,
    PORTKEY_HOME / "node_modules" / PORTKEY_PACKAGE / "build" / "start-server.js",
)
INSTALLS: Final = {install.name: install for install in (LITELLM, PORTKEY)}


def ensure(name: str) -> str | None:
    """Install a peer if needed; None when it is ready, else why it could not be installed."""
    install = INSTALLS[name]
    if install.installed():
        return None
    try:
        install.install()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"install failed: {exc}"
    return None


def relative(argument: str) -> str:
    """A command's argument as a reader would type it from the repository: paths inside it
    relative, programs outside it by name only."""
    if argument == sys.executable:
        return "python3"
    path = Path(argument)
    if not path.is_absolute():
        return argument
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name


def display_commands(name: str) -> list[str]:
    """The install commands as a reader would type them, from the repository."""
    return [shlex.join(relative(a) for a in command) for command in INSTALLS[name].commands()]


def litellm_version() -> str:
    """The LiteLLM version installed in its virtualenv, read from its metadata."""
    for metadata in (LITELLM_HOME / "lib").glob(
        "python3*/site-packages/litellm-*.dist-info/METADATA"
    ):
        for line in metadata.read_text().splitlines():
            if line.startswith("Version: "):
                return line.removeprefix("Version: ")
    return "not installed"


def portkey_version() -> str:
    """The Portkey gateway version installed by npm, from its package.json."""
    manifest = PORTKEY_HOME / "node_modules" / PORTKEY_PACKAGE / "package.json"
    if not manifest.exists():
        return "not installed"
    version: str = json.loads(manifest.read_text())["version"]
    return version
