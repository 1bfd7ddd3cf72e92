"""The package, the image and the metadata as users get them.

There is no Docker engine here, so the image's install is checked by running the Dockerfile's own COPY and
`pip install` lines in a fresh venv (unit_tests/installed.py), then the installed console script.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import yaml

from source_zendesk_support.streams import BY_NAME
from unit_tests.installed import ROOT, clean_env, dockerfile_copies, dockerfile_pip_install, image_venv

DISTRIBUTION = "zendesk-support-airbyte-source"
CONSOLE_SCRIPT = "source-zendesk-support"


def _metadata() -> dict:
    return yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]


def _setup_call() -> dict[str, ast.expr]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup")
    return {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}


def _requirements() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    assigned = next(node for node in tree.body if isinstance(node, ast.Assign)
                    and getattr(node.targets[0], "id", "") == "MAIN_REQUIREMENTS")
    return ast.literal_eval(assigned.value)


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_normalized(name)] = version
    return pins


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _without_nested_ids(schema: dict) -> dict:
    """Airbyte's published schema gives its embedded parts an `$id` of their own but keeps `$ref`s to them written
    from the root (`#/properties/data/properties/remoteRegistries/...`): resolved against the part's `$id`, such a
    reference points nowhere. Without the inner ids every `$ref` resolves from the root, as its authors meant."""

    def strip(node, root=False):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if root or k != "$id"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(schema, root=True)


def _stage(dockerfile: str, index: int) -> str:
    return re.split(r"^FROM ", dockerfile, flags=re.M)[index + 1]


def _run(venv: Path, *args: str, cwd: Path) -> list[dict]:
    # Run from elsewhere, without PYTHONPATH: only what the venv installed can be imported.
    done = subprocess.run([str(venv / "bin" / CONSOLE_SCRIPT), *args], cwd=cwd, env=clean_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_given_the_dockerfile_when_its_files_are_installed_from_the_lock_then_spec_and_discover_run_installed(tmp_path):
    venv = image_venv()

    spec = [m["spec"] for m in _run(venv, "spec", cwd=tmp_path) if m["type"] == "SPEC"]
    assert len(spec) == 1 and "subdomain" in spec[0]["connectionSpecification"]["properties"]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"subdomain": "acme", "start_date": "2024-01-01T00:00:00Z", "credentials": {
        "credentials": "api_token", "email": "admin@acme.com", "api_token": "not-a-token"}}))
    catalogs = [m["catalog"] for m in _run(venv, "discover", "--config", str(config), cwd=tmp_path)
                if m["type"] == "CATALOG"]
    assert len(catalogs) == 1
    assert sorted(stream["name"] for stream in catalogs[0]["streams"]) == sorted(BY_NAME)


def test_given_the_image_venv_then_it_holds_exactly_the_locked_versions_of_the_whole_runtime_tree():
    venv = image_venv()
    frozen = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all"], env=clean_env(),
                            capture_output=True, text=True, check=True).stdout
    installed = {}
    for line in frozen.splitlines():
        name, _, version = line.partition("==")
        installed[_normalized(name.split(" @ ")[0])] = version  # the connector itself: "<name> @ file://..."
    assert DISTRIBUTION in installed
    locked = _locked()
    # A new venv (and the base image) has pip and setuptools anyway; setuptools is pinned when the tree needs it.
    ignored = {DISTRIBUTION, "pip", "wheel"} | ({"setuptools"} - set(locked))
    assert {name: v for name, v in installed.items() if name not in ignored} == locked, (
        "constraints.txt no longer pins the whole tree setup.py resolves to: run bin/lock"
    )


def test_given_the_package_build_then_setuptools_warns_about_nothing(tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    for path in dockerfile_copies():
        if (ROOT / path).is_dir():
            shutil.copytree(ROOT / path, context / path, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / path, context / path)
    env = {k: v for k, v in clean_env().items() if k != "PYTHONDONTWRITEBYTECODE"}  # its own "warning:" line
    built = subprocess.run([str(image_venv() / "bin" / "python"), "-m", "pip", "wheel", "-v", "--no-deps",
                            "--wheel-dir", str(tmp_path / "dist"), "."], cwd=context, env=env,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # pip's own notes about this machine's index configuration are not the build's.
    lines = [line for line in (built.stdout + built.stderr).splitlines() if "Location 'file://" not in line]
    warnings = [line for line in lines if re.search(r"warn", line, re.I)]
    assert warnings == []
    wheel = next((tmp_path / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    schemas = {Path(name).stem for name in names if re.fullmatch(r"source_zendesk_support/schemas/\w+\.json", name)}
    assert schemas == set(BY_NAME)
    assert any(name.startswith("source_zendesk_support/schemas/shared/") for name in names)
    assert "source_zendesk_support/spec.json" in names


def test_given_the_dockerfile_then_it_follows_airbytes_python_connector_conventions():
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = _metadata()["connectorBuildOptions"]["baseImage"]
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == [base, base]  # build stage, then a clean one
    assert set(dockerfile_copies()) == {"constraints.txt", "setup.py", "source_zendesk_support"}
    pip_args = dockerfile_pip_install()
    assert pip_args[-1] == "." and pip_args[pip_args.index("--constraint") + 1] == "constraints.txt"
    final = _stage(dockerfile, 1)
    assert "COPY --from=builder /usr/local /usr/local" in final
    assert re.search(r"^USER airbyte$", final, re.M), "the image must run as the base image's non-root user"
    assert json.loads(re.search(r"^ENTRYPOINT (.+)$", final, re.M).group(1)) == [CONSOLE_SCRIPT]
    assert shlex.split(re.search(r"^ENV AIRBYTE_ENTRYPOINT=(.+)$", final, re.M).group(1)) == [CONSOLE_SCRIPT]


def test_given_the_dockerfile_labels_then_they_name_the_image_metadata_yaml_describes():
    labels = dict(re.findall(r"^LABEL (io\.airbyte\.\w+)=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M))
    data = _metadata()
    assert labels == {"io.airbyte.name": data["dockerRepository"], "io.airbyte.version": data["dockerImageTag"]}


def test_given_the_distribution_name_then_setup_py_the_image_and_metadata_use_it_and_the_script_keeps_its_name():
    setup = _setup_call()
    assert ast.literal_eval(setup["name"]) == DISTRIBUTION
    assert ast.literal_eval(setup["version"]) == _metadata()["dockerImageTag"]
    assert _metadata()["dockerRepository"] == DISTRIBUTION
    assert _metadata()["remoteRegistries"]["pypi"] == {"enabled": False, "packageName": DISTRIBUTION}
    scripts = ast.literal_eval(setup["entry_points"])["console_scripts"]
    assert scripts == [f"{CONSOLE_SCRIPT}=source_zendesk_support.run:run"]


def test_given_setup_py_then_the_cdk_is_a_range_from_the_proven_floor_below_the_next_major_and_the_lock_is_in_it():
    requirements = _requirements()
    assert requirements == [r for r in requirements if "==" not in r]
    cdk = next(r for r in requirements if r.startswith("airbyte-cdk"))
    match = re.fullmatch(r"airbyte-cdk>=(\d+)\.(\d+)\.(\d+),<(\d+)", cdk)
    assert match, cdk
    floor, major = tuple(int(part) for part in match.groups()[:3]), int(match.group(4))
    assert major == floor[0] + 1
    locked = tuple(int(part) for part in _locked()["airbyte-cdk"].split("."))
    assert floor <= locked and locked[0] < major


def test_given_metadata_yaml_then_it_satisfies_airbytes_published_metadata_schema():
    import airbyte_connector_models
    import jsonschema

    schema_path = Path(airbyte_connector_models.__file__).parent / "metadata" / "v0" / "ConnectorMetadataDefinitionV0.json"
    schema = _without_nested_ids(json.loads(schema_path.read_text()))
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    # Airbyte's published schema has a type its own meta-schema rejects, so validate without checking the schema.
    errors = list(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(metadata))
    assert errors == []
    data = metadata["data"]
    assert data["connectorSubtype"] == "api"
    assert data["allowedHosts"]["hosts"] == ["${subdomain}.zendesk.com"]


def test_given_metadata_yaml_then_its_documentation_url_is_the_real_page_the_spec_links_too():
    spec = json.loads((ROOT / "source_zendesk_support" / "spec.json").read_text())
    assert _metadata()["documentationUrl"] == spec["documentationUrl"] == "https://docs.airbyte.com/integrations/sources/zendesk-support"


def test_given_metadata_yaml_then_its_suggested_streams_exist_and_leave_out_the_per_ticket_one():
    suggested = _metadata()["suggestedStreams"]["streams"]
    assert set(suggested) <= set(BY_NAME)
    assert "side_conversations" not in suggested
