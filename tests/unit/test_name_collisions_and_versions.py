"""No collision of generated names drops or overwrites anything; CRD copies merge by
version; versions served: false get models but no client getters (issue #9 sections 1, 3)."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import CRDS, generate_capture, import_generated, unique_package_dir

BASE: dict[str, Any] = yaml.safe_load((CRDS / "widget.yaml").read_text())


def crd(group: str, kind: str, plural: str, *versions: tuple[str, bool]) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["metadata"]["name"] = f"{plural}.{group}"
    doc["spec"]["group"] = group
    doc["spec"]["names"] = {"kind": kind, "plural": plural}
    template = doc["spec"]["versions"][0]
    doc["spec"]["versions"] = [
        {**copy.deepcopy(template), "name": name, "served": served, "storage": i == 0}
        for i, (name, served) in enumerate(versions or (("v1", True),))
    ]
    return doc


def write(path: Path, *docs: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(list(docs)))
    return path


def gen(tmp_path: Path, *inputs: Path) -> tuple[Path, str]:
    out = unique_package_dir(tmp_path)
    code, err = generate_capture(list(inputs), out)
    assert code == 0, err
    return out, err


def test_groups_that_snake_case_alike_get_distinct_packages(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crds.yaml",
        crd("foo-bar.example.com", "Alpha", "alphas"),
        crd("foo.bar.example.com", "Beta", "betas"),
    )
    out, _ = gen(tmp_path, path)
    with import_generated(out) as package:
        clientset = importlib.import_module(package.__name__ + ".clientset").Clientset
        dotted = importlib.import_module(package.__name__ + ".foo_bar_example_com.v1.models")
        dashed = importlib.import_module(package.__name__ + ".foo__bar_example_com.v1.models")
        assert dotted.Beta.RESOURCE.group == "foo.bar.example.com"
        assert dashed.Alpha.RESOURCE.group == "foo-bar.example.com"
        assert hasattr(clientset, "foo_bar_example_com_v1")
        assert hasattr(clientset, "foo__bar_example_com_v1")
        scheme = importlib.import_module(package.__name__ + ".scheme")
        assert (
            scheme.from_dict({"apiVersion": "foo-bar.example.com/v1", "kind": "Alpha"}).__class__
            is dashed.Alpha
        )


def test_a_kind_keeps_its_name_beside_a_nested_type_of_the_same_name(tmp_path: Path) -> None:
    foo = crd("demo.example.com", "Foo", "foos")
    foo_spec = crd("demo.example.com", "FooSpec", "foospecs")
    out, _ = gen(tmp_path, write(tmp_path / "crds.yaml", foo, foo_spec))
    with import_generated(out) as package:
        models = importlib.import_module(package.__name__ + ".demo_example_com.v1.models")
        assert models.FooSpec.KIND == "FooSpec"
        nested = models.Foo.FIELDS  # the nested spec type was renamed, not dropped
        spec_type = next(f for f in nested if f.wire == "spec").type
        assert "FooSpec_2" in spec_type


def test_getters_that_collide_are_numbered(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crds.yaml",
        crd("demo.example.com", "FooBar", "foobars"),
        crd("demo.example.com", "Foobar", "foo-bars"),
    )
    out, _ = gen(tmp_path, path)
    client = (out / "demo_example_com" / "v1" / "client.py").read_text()
    assert "def foo_bars(" in client and "def foo_bars_2(" in client
    assert {
        p.name for p in (out / "demo_example_com" / "v1" / "resources").glob("foo_bars*.py")
    } == {
        "foo_bars.py",
        "foo_bars_2.py",
    }


def test_versions_that_snake_case_alike_get_distinct_packages(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crd.yaml",
        crd("demo.example.com", "Foo", "foos", ("v1-beta", True), ("v1--beta", True)),
    )
    out, _ = gen(tmp_path, path)
    assert (out / "demo_example_com" / "v1_beta" / "models" / "__init__.py").is_file()
    assert (out / "demo_example_com" / "v1_beta_2" / "models" / "__init__.py").is_file()


def test_property_paths_that_read_alike_keep_both_types(tmp_path: Path) -> None:
    doc = crd("demo.example.com", "Foo", "foos")
    spec = doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"] = {
        "a.b": {"type": "object", "properties": {"x": {"type": "string"}}},
        "a": {
            "type": "object",
            # not "y": PyYAML writes it unquoted, and Kubernetes (yamlio) reads `y:` as true
            "properties": {"b": {"type": "object", "properties": {"w": {"type": "integer"}}}},
        },
    }
    out, _ = gen(tmp_path, write(tmp_path / "crd.yaml", doc))
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme")
        data = {
            "apiVersion": "demo.example.com/v1",
            "kind": "Foo",
            "spec": {"a.b": {"x": "s"}, "a": {"b": {"w": 1}}},
        }
        obj = scheme.from_dict(copy.deepcopy(data))
        assert obj.spec.a_b.x == "s" and obj.spec.a.b.w == 1
        assert obj.to_dict() == data


def test_kinds_named_like_template_names_still_import(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crds.yaml",
        crd("demo.example.com", "Protocol", "protocols"),
        crd("demo.example.com", "ClassVar", "classvars"),
        crd("demo.example.com", "Any", "anys"),
    )
    out, _ = gen(tmp_path, path)
    with import_generated(out) as package:
        importlib.import_module(package.__name__ + ".demo_example_com.v1.resources.protocols")
        client = importlib.import_module(package.__name__ + ".demo_example_com.v1.client")
        assert hasattr(client.DemoExampleComV1Client, "protocols")


def test_two_crds_defining_one_kind_exit_2_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", crd("demo.example.com", "Foo", "foos"))
    second = write(tmp_path / "b.yaml", crd("demo.example.com", "Foo", "morefoos"))
    code, err = generate_capture([first, second], tmp_path / "out")
    assert code == 2, err
    assert str(first) in err and str(second) in err and "defined twice" in err


def test_copies_of_one_crd_merge_by_version(tmp_path: Path) -> None:
    standard = write(
        tmp_path / "a-standard.yaml",
        crd("demo.example.com", "Foo", "foos", ("v1", True), ("v1alpha2", False)),
    )
    experimental = write(
        tmp_path / "b-experimental.yaml",
        crd("demo.example.com", "Foo", "foos", ("v1alpha2", True), ("v1", False)),
    )
    out, err = gen(tmp_path, standard, experimental)
    assert "merged by version (a version any copy serves is served" in err
    assert f"v1 from {standard}[doc 0]" in err
    client_v1 = (out / "demo_example_com" / "v1" / "client.py").read_text()
    client_v1alpha2 = (out / "demo_example_com" / "v1alpha2" / "client.py").read_text()
    assert "def foos(" in client_v1 and "def foos(" in client_v1alpha2


def test_versions_not_served_get_models_and_scheme_entries_but_no_getter(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crd.yaml",
        crd("demo.example.com", "Foo", "foos", ("v1", True), ("v1beta1", False)),
    )
    out, _ = gen(tmp_path, path)
    assert not (out / "demo_example_com" / "v1beta1" / "client.py").exists()
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme")
        old = scheme.from_dict(
            {"apiVersion": "demo.example.com/v1beta1", "kind": "Foo", "spec": {"size": 2}}
        )
        assert type(old).__name__ == "Foo" and old.spec.size == 2
        assert old.RESOURCE.served is False
        assert "Not served" in (type(old).__doc__ or "")
        current = scheme.from_dict({"apiVersion": "demo.example.com/v1", "kind": "Foo"})
        assert current.RESOURCE.served is True
        assert "Not served" not in (type(current).__doc__ or "")
        clientset = importlib.import_module(package.__name__ + ".clientset").Clientset
        assert hasattr(clientset, "demo_example_com_v1")
        assert not hasattr(clientset, "demo_example_com_v1beta1")


def test_kinds_that_differ_only_in_case_both_get_classes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "crds.yaml",
        crd("demo.example.com", "Foo", "foos"),
        crd("demo.example.com", "foo", "lowerfoos"),
    )
    out, _ = gen(tmp_path, path)
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme")
        upper = scheme.from_dict({"apiVersion": "demo.example.com/v1", "kind": "Foo"})
        lower = scheme.from_dict({"apiVersion": "demo.example.com/v1", "kind": "foo"})
        assert upper.__class__ is not lower.__class__
        assert {type(upper).__name__, type(lower).__name__} == {"Foo", "Foo_2"}
        assert type(lower).KIND == "foo" and type(upper).KIND == "Foo"


def test_openapi_groups_named_like_package_modules_get_other_packages(tmp_path: Path) -> None:
    definitions = {
        f"com.example.{group}.v1.Thing": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": group, "version": "v1", "kind": "Thing"}],
            "properties": {"a": {"type": "string"}},
        }
        for group in ("scheme", "clientset")
    }
    paths = {
        f"/apis/{group}/v1/things": {
            "get": {
                "x-kubernetes-action": "list",
                "x-kubernetes-group-version-kind": {
                    "group": group,
                    "version": "v1",
                    "kind": "Thing",
                },
            }
        }
        for group in ("scheme", "clientset")
    }
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps({"swagger": "2.0", "definitions": definitions, "paths": paths}))
    out, _ = gen(tmp_path, path)
    assert (out / "scheme.py").is_file() and (out / "clientset.py").is_file()
    assert (out / "scheme_2" / "v1" / "models" / "__init__.py").is_file()
    assert (out / "clientset_2" / "v1" / "models" / "__init__.py").is_file()
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme")
        thing = scheme.from_dict({"apiVersion": "scheme/v1", "kind": "Thing", "a": "x"})
        assert ".scheme_2.v1.models." in type(thing).__module__


def test_the_rendered_module_check_finds_a_name_bound_twice() -> None:
    from kube_clientgen.errors import GenerationError
    from kube_clientgen.namecheck import check_unique_bindings

    fine = (
        "from x import A, A\nclass B:\n    x = 1\ndef f():\n    from y import A\n"
        "def g():\n    from y import A\nif TYPE_CHECKING:\n    from z import C\n"
    )
    check_unique_bindings({"ok.py": fine, "data.txt": "class A:\nclass A:\n"})
    clashes = [
        "class A:\n    pass\n\n\nclass A:\n    pass\n",
        "from x import A\nif TYPE_CHECKING:\n    from y import B as A\n",
        "X = 1\nX: int = 2\n",
        "from .models import Foo, FooList\nclass FooList(Protocol):\n    pass\n",
    ]
    for source in clashes:
        with pytest.raises(GenerationError, match="would define"):
            check_unique_bindings({"m.py": source})


def test_a_kind_kube_apiserver_refuses_is_refused(tmp_path: Path) -> None:
    """``TYPE_CHECKING`` is not a DNS-1035 label once lowercased (an underscore)."""
    path = write(tmp_path / "crds.yaml", crd("demo.example.com", "TYPE_CHECKING", "tcs"))
    code, err = generate_capture([path], unique_package_dir(tmp_path))
    assert code == 2 and "/spec/names/kind" in err, err


def _swagger(path: Path, extra: dict[str, Any]) -> Path:
    thing = {
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": "ex.com", "version": "v1", "kind": "Thing"}],
        "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, **extra},
    }
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "v"}, "paths": {}}
    path.write_text(json.dumps({**doc, "definitions": {"com.ex.v1.Thing": thing}}))
    return path


def test_two_openapi_files_defining_one_name_differently_warn_naming_both(tmp_path: Path) -> None:
    """QA: the second file's definition vanished without a word (its field ``b`` untyped).
    The first is still used (an embedded older copy of a built-in type is common), but a
    warning names both files and the names; identical copies (Kubernetes' v3 files repeat
    every shared definition) stay silent."""
    first = _swagger(tmp_path / "a.json", {"a": {"type": "string"}})
    second = _swagger(tmp_path / "b.json", {"b": {"type": "integer"}})
    code, err = generate_capture([first, second], tmp_path / "out")
    assert code == 0, err
    assert f"1 definition(s) differ between {first} and {second} (com.ex.v1.Thing)" in err
    assert f"those of {first} are used" in err
    models = (tmp_path / "out" / "ex_com" / "v1" / "models" / "_thing.py").read_text()
    assert '_FieldInfo("a", "a"' in models and '"b"' not in models
    same = _swagger(tmp_path / "c.json", {"a": {"type": "string"}})
    code, err = generate_capture([first, same], tmp_path / "out2")
    assert code == 0 and "differ" not in err
