"""Hostile input: no description, name or value in a spec can ever become code.

``tests/fixtures/crds/hostile.yaml`` tries every way out of a Python literal and of a
jinja2 template; a payload that ran would create a file named ``pwned`` in the current
directory. Generation and the generated package run with an empty directory as cwd,
which must still be empty afterwards.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import CRDS, generate_capture, python_files, subprocess_env, unique_package_dir

HOSTILE = CRDS / "hostile.yaml"
# A file name that is itself hostile: it ends up in the package docstring.
HOSTILE_FILE_NAME = "'''\"\"\"{{ 7 * 7 }}\\\nopen('pwned', 'w') #.yaml"
# Names that would only appear as code if some input text had become code.
PAYLOAD_NAMES = {"open", "__import__", "system", "os", "exec", "eval", "touch", "pwned", "cycler"}


def tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n")).strip()


@dataclass(frozen=True)
class Generated:
    out: Path
    canary_dir: Path
    crd: dict[str, Any]


@pytest.fixture(scope="module")
def hostile_crd() -> dict[str, Any]:
    with HOSTILE.open() as f:
        crd: dict[str, Any] = yaml.safe_load(f)
    return crd


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, hostile_crd: dict[str, Any]) -> Generated:
    root = tmp_path_factory.mktemp("hostile")
    source = root / "inputs" / HOSTILE_FILE_NAME
    source.parent.mkdir()
    source.write_bytes(HOSTILE.read_bytes())
    canary_dir = root / "cwd"
    canary_dir.mkdir()
    out = unique_package_dir(root, "hostile")
    with contextlib.chdir(canary_dir):  # jinja2 payloads would run during rendering
        code, err = generate_capture([source], out)
    assert code == 0, err
    assert list(canary_dir.iterdir()) == []
    return Generated(out, canary_dir, hostile_crd)


def test_generation_succeeds_and_every_file_compiles(generated: Generated) -> None:
    files = python_files(generated.out)
    assert any(p.parent.name == "models" for p in files)
    for path in files:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def code_names(source: str) -> set[str]:
    """Every name the code (not its string constants) uses."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.update((node.name, node.asname or ""))
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def assert_inert(out: Path) -> None:
    """No payload name is used as code, and module bodies hold only definitions."""
    for path in python_files(out):
        source = path.read_text(encoding="utf-8")
        assert not code_names(source) & PAYLOAD_NAMES, path
        for node in ast.parse(source).body:
            allowed = (
                ast.Import,
                ast.ImportFrom,
                ast.ClassDef,
                ast.FunctionDef,
                ast.Assign,
                ast.AnnAssign,
            )
            is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            assert isinstance(node, allowed) or is_doc or is_type_checking_block(node), (
                path,
                ast.dump(node)[:200],
            )


def is_type_checking_block(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` holding only imports and annotated assignments (never run), or
    ``if not TYPE_CHECKING:`` holding only definitions (a lazy package's ``__getattr__``)."""
    if not isinstance(node, ast.If) or node.orelse:
        return False
    if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
        return all(isinstance(n, ast.Import | ast.ImportFrom | ast.AnnAssign) for n in node.body)
    return (
        isinstance(node.test, ast.UnaryOp)
        and isinstance(node.test.op, ast.Not)
        and isinstance(node.test.operand, ast.Name)
        and node.test.operand.id == "TYPE_CHECKING"
        and all(isinstance(n, ast.FunctionDef | ast.Assign) for n in node.body)
    )


def test_no_input_text_became_code(generated: Generated) -> None:
    assert_inert(generated.out)


def test_the_hostile_file_name_appears_nowhere_in_the_output(generated: Generated) -> None:
    """Output depends on the API, not on where it was read from: input names are not written."""
    assert HOSTILE_FILE_NAME
    for path in python_files(generated.out):
        assert HOSTILE_FILE_NAME not in path.read_text(encoding="utf-8"), path
    tree = ast.parse((generated.out / "__init__.py").read_text(encoding="utf-8"))
    assert (
        ast.get_docstring(tree)
        == "Typed Kubernetes models and clients, generated by kube-clientgen."
    )


def sample(schema: dict[str, Any], text: str) -> Any:
    """A wire value for ``schema``: hostile text for strings, every property filled in."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: sample(prop, name) for name, prop in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [sample(schema["items"], text)]
    if kind == "integer":
        return 7
    return text


CHILD = textwrap.dedent(r"""
    import importlib, json, pathlib, sys

    package, out, data_file = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    case = json.loads(pathlib.Path(data_file).read_text())
    pkg = importlib.import_module(package)
    for path in sorted(out.rglob("*.py")):  # import every module
        parts = path.relative_to(out).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        importlib.import_module(".".join((package, *parts)))
    scheme = importlib.import_module(package + ".scheme").scheme
    Kind = scheme.lookup(case["apiVersion"], case["kind"])
    doc = case["document"]

    obj = Kind.from_dict(doc)
    report = {
        "class": Kind.__name__,
        "to_dict": obj.to_dict(),
        "json_round_trip": Kind.from_json(obj.to_json()).to_dict(),
        "scheme_round_trip": scheme.to_dict(scheme.from_dict(doc)),
        "spec_wire_names": [f.wire for f in type(obj.spec).FIELDS],
        "spec_python_names": [f.name for f in type(obj.spec).FIELDS],
        "spec_extra": obj.spec.extra_fields,
        "item_wire_names": [f.wire for f in type(obj.spec.items[0]).FIELDS],
        "repr": repr(obj)[:50],
        "kind_doc": Kind.__doc__,
        "spec_doc": type(obj.spec).__doc__,
        "deprecated": Kind.DEPRECATED,
        "resource": {
            "singular": Kind.RESOURCE.singular,
            "short_names": list(Kind.RESOURCE.short_names),
            "categories": list(Kind.RESOURCE.categories),
        },
    }
    Enum = type(obj.spec.mode)
    report["enum_values"] = [m.value for m in Enum]
    report["enum_members"] = [m.name for m in Enum]
    decoded = []
    for value in case["enum"]:
        spec = dict(doc["spec"], mode=value)
        again = type(obj.spec).from_dict(spec)
        decoded.append([again.mode is Enum(value), again.to_dict()["mode"]])
    report["enum_decoded"] = decoded
    unknown = type(obj.spec).from_dict(dict(doc["spec"], mode="NotAMember"))
    report["unknown_enum"] = [type(unknown.mode).__name__, unknown.to_dict()["mode"]]
    print(json.dumps(report))
    """)


@pytest.fixture(scope="module")
def child_report(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    crd = generated.crd
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    document = {
        "apiVersion": f"{crd['spec']['group']}/v1",
        "kind": crd["spec"]["names"]["kind"],
        "metadata": {"name": "x"},
    }
    document.update({name: sample(prop, name) for name, prop in schema["properties"].items()})
    enum = schema["properties"]["spec"]["properties"]["mode"]["enum"]
    data_file = tmp_path_factory.mktemp("hostile-child") / "case.json"
    data_file.write_text(
        json.dumps(
            {
                "apiVersion": document["apiVersion"],
                "kind": document["kind"],
                "document": document,
                "enum": enum,
            }
        )
    )
    env = subprocess_env(
        PYTHONPATH=os.pathsep.join([str(generated.out.parent), subprocess_env()["PYTHONPATH"]])
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD, generated.out.name, str(generated.out), str(data_file)],
        cwd=generated.canary_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert list(generated.canary_dir.iterdir()) == [], "a payload ran"
    report: dict[str, Any] = json.loads(result.stdout)
    report["document"] = document
    report["enum"] = enum
    return report


def test_import_and_round_trip_run_no_payload(
    generated: Generated, child_report: dict[str, Any]
) -> None:
    assert child_report["to_dict"] == child_report["document"]
    assert child_report["json_round_trip"] == child_report["document"]
    assert child_report["scheme_round_trip"] == child_report["document"]
    assert list(generated.canary_dir.iterdir()) == []


def test_hostile_property_names_are_the_wire_keys(
    child_report: dict[str, Any], hostile_crd: dict[str, Any]
) -> None:
    spec_schema = hostile_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"][
        "spec"
    ]
    assert sorted(child_report["spec_wire_names"]) == sorted(spec_schema["properties"])
    assert child_report["spec_extra"] == {}  # every hostile key was decoded as a field
    assert set(child_report["to_dict"]["spec"]) == set(spec_schema["properties"])
    item_schema = spec_schema["properties"]["items"]["items"]
    assert sorted(child_report["item_wire_names"]) == sorted(item_schema["properties"])
    names = child_report["spec_python_names"]
    assert len(set(names)) == len(names)
    assert all(n.isidentifier() for n in names)
    by_wire = dict(zip(child_report["spec_wire_names"], names, strict=True))
    assert (
        by_wire["from"] == "from_"
        and by_wire["self"] == "self_"
        and by_wire["to_dict"] == "to_dict_"
    )
    assert by_wire["__class__"] == "f_class" and by_wire["class"] == "class_"
    assert by_wire["mirror_percent"] == "mirror_percent"
    assert by_wire["mirror_percent_2"] == "mirror_percent_2"
    assert by_wire["mirrorPercent"] == "mirror_percent_3"


def test_enum_values_round_trip_exactly(child_report: dict[str, Any]) -> None:
    enum = child_report["enum"]
    assert child_report["enum_values"] == enum
    assert child_report["enum_decoded"] == [[True, value] for value in enum]
    assert child_report["unknown_enum"] == ["str", "NotAMember"]
    members = child_report["enum_members"]
    assert len(set(members)) == len(members) and all(m.isidentifier() for m in members)


def test_keyword_kind_gets_a_safe_class_name(child_report: dict[str, Any]) -> None:
    assert child_report["class"] == "None_"


def test_hostile_metadata_strings_stay_exact(
    child_report: dict[str, Any], hostile_crd: dict[str, Any]
) -> None:
    names = hostile_crd["spec"]["names"]
    assert child_report["resource"] == {
        "singular": names["singular"],
        "short_names": names["shortNames"],
        "categories": names["categories"],
    }
    assert child_report["deprecated"] == hostile_crd["spec"]["versions"][0]["deprecationWarning"]


def doc_lines(text: str) -> list[str]:
    """Lines of a docstring, without the indentation black gives continuation lines (and the
    line break it puts before closing quotes that would not fit)."""
    return [line.strip() for line in text.strip().split("\n")]


def test_descriptions_stay_text(child_report: dict[str, Any], hostile_crd: dict[str, Any]) -> None:
    version = hostile_crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    expected = f"{schema['description']}\n\nDeprecated: {version['deprecationWarning']}"
    assert doc_lines(child_report["kind_doc"]) == doc_lines(tidy(expected))
    assert doc_lines(child_report["spec_doc"]) == doc_lines(
        tidy(schema["properties"]["spec"]["description"])
    )


HOSTILE_NAMES = [
    ("singular", 'none"""; open(\'pwned\', \'w\'); """'),
    ("shortNames/0", "'''; open('pwned', 'w') #"),
    ("categories/1", "{{ cycler.__init__.__globals__.os.system('touch pwned') }}"),
    ("kind", "A; import os"),
    ("listKind", "NoneList\nimport os"),
    ("plural", "nones/../../x"),
]


@pytest.mark.parametrize(("where", "value"), HOSTILE_NAMES)
def test_names_kube_apiserver_refuses_are_refused(tmp_path: Path, where: str, value: str) -> None:
    """spec.names are DNS-1035 labels (kind and listKind once lowercased), as
    ValidateCustomResourceDefinitionNames checks: exit 2 naming the pointer, no traceback."""
    crd = yaml.safe_load(HOSTILE.read_text())
    key, _, index = where.partition("/")
    if index:
        crd["spec"]["names"][key][int(index)] = value
    else:
        crd["spec"]["names"][key] = value
    source = tmp_path / "names.yaml"
    source.write_text(yaml.safe_dump(crd))
    code, err = generate_capture([source], unique_package_dir(tmp_path, "names"))
    assert code == 2, err
    assert f"{source}[doc 0]:/spec/names/{where}" in err, err
    assert "DNS-1035 label" in err and "Traceback" not in err


EVIL_GROUP = 'evil.example.com"""\nopen(\'pwned\', \'w\')\n""" {{ 7 * 7 }} \\'
EVIL_VERSION = "v1\"\"\"; open('pwned', 'w') #"


def test_hostile_group_and_version_from_openapi_stay_text(tmp_path: Path) -> None:
    """The OpenAPI source takes group and version from x-kubernetes-group-version-kind as given."""
    spec = {
        "swagger": "2.0",
        "info": {"title": "evil", "version": "v0"},
        "paths": {},
        "definitions": {
            "com.example.evil.v1.Thing": {
                "description": "A thing.",
                "type": "object",
                "x-kubernetes-group-version-kind": [
                    {"group": EVIL_GROUP, "version": EVIL_VERSION, "kind": "Thing"}
                ],
                "properties": {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "size": {"type": "integer"},
                },
            }
        },
    }
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(spec))
    canary_dir = tmp_path / "cwd"
    canary_dir.mkdir()
    out = unique_package_dir(tmp_path, "evil")
    with contextlib.chdir(canary_dir):
        code, err = generate_capture([source], out)
    assert code == 0, err
    for path in python_files(out):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert_inert(out)
    script = textwrap.dedent("""
        import importlib, pathlib, sys
        package, out = sys.argv[1], pathlib.Path(sys.argv[2])
        for path in sorted(out.rglob("*.py")):
            parts = path.relative_to(out).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            importlib.import_module(".".join((package, *parts)))
        scheme = importlib.import_module(package + ".scheme").scheme
        cls = scheme.lookup(sys.argv[3], "Thing")
        assert cls.from_dict({"size": 1}).to_dict() == {"size": 1}
        print(cls.API_VERSION == sys.argv[3] and cls().to_dict()["apiVersion"] == sys.argv[3])
        """)
    api_version = f"{EVIL_GROUP}/{EVIL_VERSION}"
    env = subprocess_env(
        PYTHONPATH=os.pathsep.join([str(out.parent), subprocess_env()["PYTHONPATH"]])
    )
    result = subprocess.run(
        [sys.executable, "-c", script, out.name, str(out), api_version],
        cwd=canary_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert list(canary_dir.iterdir()) == [], "a payload ran"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
