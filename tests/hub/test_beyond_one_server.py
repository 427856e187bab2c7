"""Beyond one server: the Zero to JupyterHub values and the learner image recipe.

No Kubernetes cluster and no Docker here, so what is checked is the files themselves:

* ``deploy/k8s/values.yaml`` against the keys and types of the jupyterhub chart (4.x) that it
  uses, written down below from the chart's ``values.schema.yaml``; and, when
  ``CITYKIT_Z2JH_CHART`` names an unpacked chart (``helm pull jupyterhub/jupyterhub --untar``),
  against the chart's own schema, merged with its default values as Helm does;
* the values agree with the one-server deployment (the learner's configuration, the exchange);
* ``deploy/image/requirements.txt`` pins every package citykit and its hub extra need, each
  satisfying pyproject.toml; the Dockerfile installs exactly those and never copies solutions/.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
VALUES = ROOT / "deploy" / "k8s" / "values.yaml"
IMAGE = ROOT / "deploy" / "image"

pytestmark = pytest.mark.hub


def _object(properties: dict, *, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NUMBER = {"type": "number"}
STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
# The chart's keys used by values.yaml, with the types and closed objects of its values schema
# (jupyterhub chart 4.x, values.schema.yaml: hub, singleuser, singleuser.storage, cull, scheduling
# and prePuller do not allow unknown keys).
CHART_SUBSET = _object(
    {
        "hub": _object(
            {
                "config": {"type": "object"},
                "loadRoles": {"type": "object"},
                "services": {"type": "object"},
                "extraConfig": STRINGS,
            }
        ),
        "singleuser": _object(
            {
                "image": _object({"name": STRING, "tag": STRING}),
                "defaultUrl": STRING,
                "cpu": _object({"limit": NUMBER, "guarantee": NUMBER}),
                "memory": _object({"limit": STRING, "guarantee": STRING}),
                "extraEnv": STRINGS,
                "storage": _object(
                    {
                        "capacity": STRING,
                        "extraVolumes": {"type": "array"},
                        "extraVolumeMounts": {"type": "array"},
                    }
                ),
            }
        ),
        "cull": _object({"enabled": BOOLEAN, "timeout": INTEGER, "every": INTEGER}),
        "scheduling": _object({"userScheduler": _object({"enabled": BOOLEAN})}),
        "prePuller": _object({"hook": _object({"enabled": BOOLEAN})}),
    }
)


def _merge(base: dict, values: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _chart_errors(values: dict) -> list[str]:
    """Errors against the chart's own schema (CITYKIT_Z2JH_CHART), else against the subset."""
    chart = os.environ.get("CITYKIT_Z2JH_CHART")
    if chart:
        folder = Path(chart)
        schema_path = next(p for p in (folder / "values.schema.json", folder / "values.schema.yaml")
                           if p.is_file())  # fmt: skip
        schema = yaml.safe_load(schema_path.read_text())
        values = _merge(yaml.safe_load((folder / "values.yaml").read_text()), values)
    else:
        schema = CHART_SUBSET
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(values)]


@pytest.fixture
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_the_values_fit_the_chart(values):
    assert _chart_errors(values) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda v: v["singleuser"].update({"memmory": {"limit": "2G"}}),  # a typo
        lambda v: v["cull"].update({"timeout": "one hour"}),  # a wrong type
        lambda v: v["hub"].update({"loadGroups": {}}),  # not a key of the chart
        lambda v: v["singleuser"]["storage"].update({"extraVolume": []}),
    ],
    ids=["typo", "type", "unknown-key", "storage-typo"],
)
def test_a_wrong_value_is_caught(values, mutate):
    mutate(values)
    assert _chart_errors(values)


def test_the_values_match_the_one_server_deployment(values):
    env = values["singleuser"]["extraEnv"]
    assert env["CITYKIT_COURSE_ID"] == "city-analyst-academy"
    mounts = {m["mountPath"] for m in values["singleuser"]["storage"]["extraVolumeMounts"]}
    assert env["CITYKIT_EXCHANGE"] in mounts, "the exchange must be the shared volume"
    for folder in env["JUPYTER_CONFIG_PATH"].split(":"):
        local = ROOT / folder.removeprefix("/opt/city-analyst-academy/")
        assert local.is_dir(), f"{folder} is not a folder of deploy/"
    roles = values["hub"]["loadRoles"]["formgrade-city-analyst-academy"]
    assert roles["scopes"] == ["access:services!service=city-analyst-academy"]
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(groups) == {"formgrade-city-analyst-academy", "nbgrader-city-analyst-academy"}
    assert "c.KubeSpawner.uid = lambda spawner:" in values["hub"]["extraConfig"]["10-own-uid"]
    assert values["singleuser"]["image"]["name"].endswith("/learner")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (IMAGE / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_image_pins_every_dependency_within_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    wanted = [*project["dependencies"], *project["optional-dependencies"]["hub"]]
    for spec in wanted:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in deploy/image/requirements.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} does not satisfy pyproject.toml's {spec!r}"
        )
    assert not {"pytest", "ruff", "playwright"} & set(pins), "test tools in the learner image"


def test_the_lock_is_what_lock_py_writes_for_its_packages():
    import sys

    sys.path.insert(0, str(IMAGE))
    from lock import closure

    # Every package the installed citykit[hub] needs is pinned (versions may be newer here).
    assert set(closure()) <= set(_pins())


def test_the_dockerfile_installs_the_lock_and_never_the_solutions():
    text = (IMAGE / "Dockerfile").read_text()
    copies = re.findall(r"^COPY\s+(.+?)\s+\S+$", text, flags=re.M)
    sources = {s for line in copies for s in line.split()}
    assert "deploy/image/requirements.txt" in sources
    assert re.search(r"pip install .*-r /tmp/requirements.txt", text)
    assert re.search(r"pip install .*--no-deps /tmp/citykit", text)
    assert not {".", "solutions", "_grading"} & sources, f"the image would copy {sources}"
    assert "datasets" in sources, "the wheel built in the image needs datasets/"
    assert json.loads(re.search(r"^CMD (.+)$", text, flags=re.M).group(1)) == [
        "jupyterhub-singleuser"
    ]
