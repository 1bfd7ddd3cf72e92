"""Venvs that tests build on first use and keep under .venvs/ (git-ignored) while what they hold stays the same.

- `image_venv()`: the connector installed exactly as the Dockerfile installs it (no Docker engine here): the files its
  build stage copies, put in a folder of their own, and its `pip install` line run there, from the lock.
- `pyairbyte_venv()`: PyAirbyte (`airbyte` on PyPI, ~800 MB) at the version integration_tests/requirements-pyairbyte.txt
  pins. It cannot share a venv with the connector (its own CDK and dependencies), as for any PyAirbyte user.

Each venv records a key of its inputs (file contents, Python version); a venv whose key differs is built again.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".venvs"
DOCKERFILE = ROOT / "Dockerfile"
PYAIRBYTE_REQUIREMENTS = ROOT / "integration_tests" / "requirements-pyairbyte.txt"
KEY_FILE = "inputs.sha256"
PYTHON = sys.executable  # the Python the tests run on (bin/setup-venv: 3.11, as the image)


def _stage_lines(dockerfile: str) -> list[str]:
    """The instructions of the Dockerfile's first (build) stage, continuation lines joined."""
    lines = dockerfile.replace("\\\n", " ").splitlines()
    instructions = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    starts = [i for i, line in enumerate(instructions) if line.upper().startswith("FROM ")]
    end = starts[1] if len(starts) > 1 else len(instructions)
    return instructions[starts[0] + 1 : end]


def dockerfile_copies(dockerfile: str | None = None) -> list[str]:
    """The repository paths the build stage copies (COPY <sources...> <destination>)."""
    paths: list[str] = []
    for line in _stage_lines(dockerfile if dockerfile is not None else DOCKERFILE.read_text()):
        words = shlex.split(line)
        if words[0].upper() == "COPY":
            paths += [word for word in words[1:-1] if not word.startswith("--")]
    return paths


def dockerfile_pip_install(dockerfile: str | None = None) -> list[str]:
    """The arguments of the build stage's `pip install` (the one RUN line that has one)."""
    for line in _stage_lines(dockerfile if dockerfile is not None else DOCKERFILE.read_text()):
        words = shlex.split(line)
        if words[0].upper() == "RUN" and "pip" in words and "install" in words:
            return words[words.index("install") + 1 :]
    raise AssertionError("the Dockerfile's build stage has no `RUN pip install` line")


def _files(paths: list[str]) -> Iterator[Path]:
    for path in paths:
        source = ROOT / path
        if source.is_dir():
            yield from sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        else:
            yield source


def _key(files: Iterator[Path], *extra: str) -> str:
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\0")
    for file in files:
        digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _python_version() -> str:
    return subprocess.run([PYTHON, "-V"], capture_output=True, text=True, check=True).stdout.strip()


# The environment this process started with: the integration tests route the whole pytest process through an
# emulator's proxy for a session (integration_tests/conftest.py, emulator_env), and pip through it gets 403s.
STARTUP_ENV = dict(os.environ)


def clean_env() -> dict[str, str]:
    """This process's environment without what would make a venv's Python import from elsewhere."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def install_env() -> dict[str, str]:
    """The environment pip runs in: as this process started (its proxy, not an emulator's), cleaned likewise."""
    return {k: v for k, v in STARTUP_ENV.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def _venv(name: str, key: str, install: Callable[[Path, Path], None]) -> Path:
    venv = VENVS / name
    VENVS.mkdir(exist_ok=True)
    # One builder at a time: bin/test builds these in the background while the tests that need them may start.
    with (VENVS / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _built(venv, key, install)


def _built(venv: Path, key: str, install: Callable[[Path, Path], None]) -> Path:
    name = venv.name
    if (venv / KEY_FILE).is_file() and (venv / KEY_FILE).read_text() == key:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
    log = venv / "install.log"
    try:
        install(venv, log)
    except subprocess.CalledProcessError:
        raise AssertionError(f"installing .venvs/{name} failed:\n{log.read_text()[-3000:]}") from None
    (venv / KEY_FILE).write_text(key)
    return venv


def _pip(venv: Path, args: list[str], log: Path, cwd: Path | None = None) -> None:
    with log.open("a") as out:
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", *args], cwd=cwd, stdout=out,
                       stderr=subprocess.STDOUT, env=install_env(), check=True)


def image_venv() -> Path:
    """The venv holding the connector as the image holds it; its console script is bin/source-zendesk-support."""
    copies, pip_args = dockerfile_copies(), dockerfile_pip_install()
    # pip's cache may serve the downloads; everything else is the Dockerfile's own command.
    pip_args = [arg for arg in pip_args if arg != "--no-cache-dir"]

    def install(venv: Path, log: Path) -> None:
        context = venv / "integration_code"
        context.mkdir()
        for path in copies:
            source, target = ROOT / path, context / path
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, target)
        _pip(venv, ["install", *pip_args], log, cwd=context)

    return _venv("image", _key(_files(copies), _python_version(), *pip_args), install)


def pyairbyte_venv() -> Path:
    def install(venv: Path, log: Path) -> None:
        _pip(venv, ["install", "-r", str(PYAIRBYTE_REQUIREMENTS)], log)

    return _venv("pyairbyte", _key(iter([PYAIRBYTE_REQUIREMENTS]), _python_version()), install)


if __name__ == "__main__":  # bin/test: build both ahead of the tests that use them
    image_venv()
    pyairbyte_venv()
