"""The image cannot be built here (no Docker engine), so install the package exactly as the Dockerfile does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _dockerfile_copies() -> list[list[str]]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    return [line.split()[1:-1] for line in lines if line.startswith("COPY ")]


def test_given_the_dockerfile_when_its_copied_files_are_pip_installed_then_spec_runs_from_the_installed_package(tmp_path):
    context = tmp_path / "integration_code"
    context.mkdir()
    for sources in _dockerfile_copies():
        for source in sources:
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(src, context / source)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target), "."],
        cwd=context,
        check=True,
        capture_output=True,
    )
    installed = target / "source_zendesk_support"
    schemas = sorted(p.name for p in (installed / "schemas").glob("*.json"))
    assert len(schemas) >= 10
    assert list((installed / "schemas" / "shared").glob("*.json")), "shared schema parts must ship"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from source_zendesk_support.run import run; sys.argv=['x','spec']; run()"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    messages = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    spec = [m["spec"] for m in messages if m["type"] == "SPEC"]
    assert len(spec) == 1
    assert "subdomain" in spec[0]["connectionSpecification"]["properties"]


def test_given_metadata_yaml_then_it_satisfies_airbytes_published_metadata_schema():
    import airbyte_connector_models
    import jsonschema

    schema_path = Path(airbyte_connector_models.__file__).parent / "metadata" / "v0" / "ConnectorMetadataDefinitionV0.json"
    schema = json.loads(schema_path.read_text())
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    # Airbyte's published schema has a type its own meta-schema rejects, so validate without checking the schema.
    errors = list(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(metadata))
    assert errors == []
    data = metadata["data"]
    assert data["connectorSubtype"] == "api"
    assert data["allowedHosts"]["hosts"] == ["${subdomain}.zendesk.com"]
    base_image = data["connectorBuildOptions"]["baseImage"]
    assert re.search(rf"^FROM {re.escape(base_image)}$", (ROOT / "Dockerfile").read_text(), re.M)


def test_given_setup_py_then_dependencies_are_ranges_and_the_console_script_is_declared():
    text = (ROOT / "setup.py").read_text()
    assert '"airbyte-cdk>=7.0,<8.0"' in text
    assert "==" not in text
    assert "source-zendesk-support=source_zendesk_support.run:run" in text
