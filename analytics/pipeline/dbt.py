"""Build the dbt project (analytics/) with dbt_zendesk on a DuckDB file, showing its progress."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
ROOT = PROJECT.parent
PACKAGES = ("zendesk", "fivetran_utils", "dbt_utils", "spark_utils")  # dbt_zendesk 1.6.1 and what it pulls
DBT = Path(sys.executable).with_name("dbt")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NODE = re.compile(r"^\S+\s+(\d+) of (\d+) (OK|ERROR|WARN|PASS|FAIL|SKIP)\b(.*)$")


class DbtError(Exception):
    """dbt could not build the project; the message says why."""


@dataclass
class BuildResult:
    nodes: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def offline_packages() -> Path | None:
    """Where the four packages are when the dbt hub is out of reach: ZENDESK_DBT_PACKAGES, else the shared folder
    beside the repository (../shared/dbt_packages), if it holds them."""
    configured = os.environ.get("ZENDESK_DBT_PACKAGES")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "dbt_packages"
    return folder if all((folder / name / "dbt_project.yml").exists() for name in PACKAGES) else None


def install_packages() -> str:
    """Make the packages available in analytics/dbt_packages (git-ignored): linked from the offline folder when
    there is one, else `dbt deps` from the hub (packages.yml). Returns where they came from."""
    target = PROJECT / "dbt_packages"
    if all((target / name / "dbt_project.yml").exists() for name in PACKAGES):
        return str(target)
    offline = offline_packages()
    if offline is not None:
        target.mkdir(exist_ok=True)
        for name in PACKAGES:
            link = target / name
            if link.is_symlink() or not link.exists():
                link.unlink(missing_ok=True)
                link.symlink_to(offline / name, target_is_directory=True)
        return f"{offline} (linked)"
    done = subprocess.run([str(DBT), "deps", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)],
                          capture_output=True, text=True, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    if done.returncode != 0:
        said = [line.strip() for line in _ANSI.sub("", done.stdout + done.stderr).splitlines() if line.strip()]
        raise DbtError("dbt_zendesk is not installed and `dbt deps` could not fetch it from the dbt hub; set "
                       "ZENDESK_DBT_PACKAGES to a folder holding " + ", ".join(PACKAGES) + ". dbt said: "
                       + (said[-1][:300] if said else f"exit {done.returncode}"))
    return "the dbt hub (dbt deps)"


def build(db_path: Path, work: Path, full_refresh: bool = False,
          variables: Mapping[str, Any] | None = None) -> BuildResult:
    """`dbt build` (seeds, models, tests) on the DuckDB file; dbt's target and logs in `work`. Incremental models
    update incrementally unless full_refresh. `variables` override the project's vars (dbt's --vars)."""
    work.mkdir(parents=True, exist_ok=True)
    command = [str(DBT), "build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--no-use-colors"]
    if variables:
        command += ["--vars", json.dumps(variables)]
    if full_refresh:
        command.append("--full-refresh")
    env = {**os.environ, "ZENDESK_DUCKDB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result, tail = BuildResult(), []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    shown = 0
    for raw in process.stdout:
        line = _ANSI.sub("", raw.rstrip())
        tail = (tail + [line])[-40:]
        node = _NODE.match(line)
        if node:
            done, total, status = int(node.group(1)), int(node.group(2)), node.group(3)
            if total != result.nodes:  # the hooks' count first, then the build's
                result.nodes, shown = total, 0
            if status in ("ERROR", "FAIL", "WARN"):
                result.errors.append(line) if status != "WARN" else result.warnings.append(line)
                print(f"    {line.split(None, 1)[1]}", flush=True)
            elif done * 10 // total > shown:  # every tenth of the nodes
                shown = done * 10 // total
                print(f"    dbt: {done} of {total} nodes", flush=True)
        elif "zendesk_airbyte:" in line or "was not found" in line:
            result.warnings.append(line.split(None, 1)[-1])
            print(f"    warning: {line.split(None, 1)[-1]}", flush=True)
        elif line.split(None, 1)[-1].startswith("Finished running"):
            seconds = re.search(r"\(([\d.]+)s\)", line)
            result.seconds = float(seconds.group(1)) if seconds else 0.0
    code = process.wait()
    if code != 0 and not result.errors:
        result.errors.append("\n".join(tail[-15:]))
    if code != 0:
        raise DbtError(f"dbt build failed ({len(result.errors)} errors; dbt's log: {work / 'logs' / 'dbt.log'}):\n"
                       + "\n".join(result.errors[:5]))
    return result
