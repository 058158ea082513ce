"""Bad input: exit status 2, a message naming the file and the place, and no output touched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import CRDS, FileState, generate, generate_capture, snapshot, staging_leftovers


@dataclass(frozen=True)
class GoodOutput:
    out: Path
    before: dict[str, FileState]


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> GoodOutput:
    out = tmp_path_factory.mktemp("bad-input") / "pkg"
    assert generate([CRDS / "widget.yaml"], out) == 0
    before = snapshot(out)
    assert "demo_example_com/v1/models/_widget.py" in before
    return GoodOutput(out, before)


def assert_rejected(good: GoodOutput, inputs: list[Path | str], *places: str) -> str:
    """Exit 2, stderr names the first bad file and each place; the old output is untouched."""
    code, err = generate_capture(inputs, good.out)
    assert code == 2, err
    assert err.startswith("kube-clientgen: error: "), err
    assert "Traceback" not in err
    for place in places:
        assert place in err, f"{place!r} not in {err!r}"
    assert snapshot(good.out) == good.before
    assert staging_leftovers(good.out) == []
    return err


CRD_HEAD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Thing, plural: things}
  versions:
"""


def crd_with_property(prop_yaml: str) -> str:
    return CRD_HEAD + (
        "    - name: v1\n"
        "      served: true\n"
        "      storage: true\n"
        "      schema:\n"
        "        openAPIV3Schema:\n"
        "          type: object\n"
        "          properties:\n"
        "            spec:\n"
        "              type: object\n"
        "              properties:\n"
        "                x:\n"
        + "".join(f"                  {line}\n" for line in prop_yaml.splitlines())
    )


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_invalid_yaml_names_the_line(good_output: GoodOutput, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "broken.yaml",
        CRD_HEAD.replace(
            "  names: {kind: Thing, plural: things}\n", "  names: [Thing\n  plural: things\n"
        ),
    )
    err = assert_rejected(good_output, [bad], str(bad), "line 9", "invalid YAML")
    assert "line 9 column" in err


def test_invalid_yaml_in_a_directory_names_the_file_and_line(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    folder = tmp_path / "crds"
    folder.mkdir()
    (folder / "a-widget.yaml").write_bytes((CRDS / "widget.yaml").read_bytes())
    bad = write(folder, "b-broken.yaml", "a: 1\nb: [2\n")
    assert_rejected(good_output, [folder], str(bad), "line 3", "invalid YAML")


def test_invalid_json_names_the_line(good_output: GoodOutput, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "swagger.json",
        '{\n  "swagger": "2.0",\n  "definitions": {\n    "a": 1,\n  }\n}\n',
    )
    assert_rejected(good_output, [bad], str(bad), "line 5", "invalid JSON")


def test_a_deployment_given_directly_is_an_error(good_output: GoodOutput, tmp_path: Path) -> None:
    bad = write(
        tmp_path, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    )
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:/kind", "Deployment")


def test_a_deployment_given_directly_beside_a_crd_is_still_an_error(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    bad = write(
        tmp_path, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    )
    assert_rejected(good_output, [CRDS / "widget.yaml", bad], f"{bad}[doc 0]:/kind", "Deployment")


def test_a_stream_of_only_non_crd_documents_is_an_error(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    bad = write(
        tmp_path,
        "install.yaml",
        "---\n---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\n",
    )
    # the empty document between the two leading separators still counts as doc 0
    assert_rejected(good_output, [bad], f"{bad}[doc 1]:/kind", "ConfigMap")


def test_non_crd_documents_beside_a_crd_in_one_stream_are_skipped(tmp_path: Path) -> None:
    stream = write(
        tmp_path,
        "install.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
        + (CRDS / "widget.yaml").read_text(),
    )
    assert generate([stream], tmp_path / "out") == 0
    assert (tmp_path / "out" / "demo_example_com" / "v1" / "models" / "_widget.py").is_file()


def test_non_crd_files_in_a_directory_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "crds"
    folder.mkdir()
    (folder / "widget.yaml").write_bytes((CRDS / "widget.yaml").read_bytes())
    write(folder, "kustomization.yaml", "resources: [widget.yaml]\n")
    assert generate([folder], tmp_path / "out") == 0


def test_a_directory_without_any_crd_is_an_error(good_output: GoodOutput, tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    write(folder, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    assert_rejected(
        good_output, [folder], str(folder), "no OpenAPI document or CustomResourceDefinition"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.yaml", "", "no documents"),
        ("list.yaml", "- a\n- b\n", "expected a mapping"),
        ("latin1.yaml", b"description: caf\xe9\n", "cannot read"),
    ],
)
def test_unusable_files(
    good_output: GoodOutput, tmp_path: Path, name: str, text: str | bytes, message: str
) -> None:
    bad = write(tmp_path, name, text)
    assert_rejected(good_output, [bad], str(bad), message)


def test_crd_without_openapi_schema_names_the_pointer(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    bad = write(
        tmp_path,
        "noschema.yaml",
        CRD_HEAD + "    - name: v1\n      served: true\n      storage: true\n",
    )
    assert_rejected(
        good_output,
        [bad],
        f"{bad}[doc 0]:/spec/versions/0/schema/openAPIV3Schema",
        "openAPIV3Schema",
    )


def test_crd_second_version_without_schema_names_its_index(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    good_version = crd_with_property("type: string").split("  versions:\n", 1)[1]
    bad = write(
        tmp_path, "noschema.yaml", CRD_HEAD + good_version + "    - name: v2\n      served: true\n"
    )
    assert_rejected(good_output, [bad], "/spec/versions/1/schema/openAPIV3Schema")


def test_crd_apiextensions_v1beta1_is_rejected(good_output: GoodOutput, tmp_path: Path) -> None:
    text = (
        CRD_HEAD.replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")
        + "  version: v1\n"
    )
    bad = write(tmp_path, "old.yaml", text)
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:/apiVersion", "v1beta1")


def test_type_list_is_an_unsupported_construct(good_output: GoodOutput, tmp_path: Path) -> None:
    bad = write(tmp_path, "typelist.yaml", crd_with_property('type: [string, "null"]'))
    pointer = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/x"
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:{pointer}", "unsupported construct")


def test_ref_inside_a_crd_schema_is_an_unsupported_construct(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    bad = write(tmp_path, "ref.yaml", crd_with_property('$ref: "#/definitions/Foo"'))
    pointer = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/x"
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:{pointer}", "$ref", "unsupported construct")


# kube-apiserver refuses $ref anywhere in a CRD schema, also where the generator reads a
# branch only for its shape or skips it.
@pytest.mark.parametrize(
    ("prop", "place"),
    [
        ("type: string\nanyOf: [{$ref: '#/x'}]", "/anyOf/0/$ref"),
        ("type: string\nnot: {$ref: '#/x'}", "/not/$ref"),
        ("allOf: [{type: object}, {$ref: '#/x'}]", "/allOf/1/$ref"),
        ("type: object\nadditionalProperties: {$ref: '#/x'}", "/additionalProperties/$ref"),
    ],
)
def test_ref_in_any_crd_schema_branch_is_an_unsupported_construct(
    good_output: GoodOutput, tmp_path: Path, prop: str, place: str
) -> None:
    bad = write(tmp_path, "ref.yaml", crd_with_property(prop))
    pointer = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/x" + place
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:{pointer}", "unsupported construct")


def test_crd_group_that_is_not_a_dns_name_is_rejected(good_output: GoodOutput) -> None:
    bad = CRDS / "hostile_group.yaml"
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:/spec/group", "DNS")


def test_crd_version_that_is_not_a_dns_label_is_rejected(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    text = crd_with_property("type: string").replace("- name: v1\n", '- name: \'v1""" + x\'\n')
    bad = write(tmp_path, "badversion.yaml", text)
    assert_rejected(good_output, [bad], f"{bad}[doc 0]:/spec/versions/0/name", "DNS label")


def swagger(definitions: dict[str, object]) -> str:
    return json.dumps(
        {
            "swagger": "2.0",
            "info": {"title": "t", "version": "v"},
            "paths": {},
            "definitions": definitions,
        },
        indent=1,
    )


def test_openapi_dangling_ref_names_the_pointer(good_output: GoodOutput, tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": "example.com", "version": "v1", "kind": "Thing"}
        ],
        "properties": {"spec": {"$ref": "#/definitions/com.example.v1.Missing"}},
    }
    bad = write(tmp_path, "swagger.json", swagger({"com.example.v1.Thing": thing}))
    err = assert_rejected(
        good_output, [bad], f"{bad}:/definitions/com.example.v1.Thing/properties/spec", "dangling"
    )
    assert "com.example.v1.Missing" in err


def test_openapi_v3_dangling_ref_names_the_pointer(good_output: GoodOutput, tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "v"},
        "paths": {},
        "components": {
            "schemas": {
                "com.example.v1.Thing": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Nope"}}
                    },
                }
            }
        },
    }
    bad = write(tmp_path, "v3.json", json.dumps(doc))
    assert_rejected(
        good_output,
        [bad],
        f"{bad}:/components/schemas/com.example.v1.Thing/properties/items/items",
        "dangling",
    )


# A dangling $ref anywhere a schema can sit: also where the converter reads a branch only for
# its shape (anyOf under a typed parent, allOf beside other members, not), or not at all.
@pytest.mark.parametrize(
    ("prop", "place"),
    [
        ({"type": "string", "anyOf": [{"$ref": "#/definitions/Nope"}]}, "/anyOf/0/$ref"),
        (
            {"allOf": [{"$ref": "#/definitions/com.example.v1.Sub"}, {"$ref": "#/x/Nope"}]},
            "/allOf/1/$ref",
        ),
        ({"type": "string", "not": {"$ref": "#/definitions/Nope"}}, "/not/$ref"),
        ({"type": "array", "items": [{"$ref": "#/definitions/Nope"}]}, "/items/0/$ref"),
        # a path into a definition, or a prefix that happens to end in a real name
        ({"$ref": "#/definitions/com.example.v1.Sub/properties/s"}, "/$ref"),
        ({"$ref": "#/definitions/x/com.example.v1.Sub"}, "/$ref"),
    ],
)
def test_openapi_dangling_ref_in_any_branch_names_the_pointer(
    good_output: GoodOutput, tmp_path: Path, prop: dict[str, object], place: str
) -> None:
    thing = {
        "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": "example.com", "version": "v1", "kind": "Thing"}
        ],
        "properties": {"a": prop},
    }
    sub = {"type": "object", "properties": {"s": {"type": "string"}}}
    bad = write(
        tmp_path,
        "swagger.json",
        swagger({"com.example.v1.Thing": thing, "com.example.v1.Sub": sub}),
    )
    assert_rejected(
        good_output,
        [bad],
        f"{bad}:/definitions/com.example.v1.Thing/properties/a{place}",
        "dangling",
    )


def test_a_property_named_ref_is_not_a_reference(tmp_path: Path) -> None:
    thing = {
        "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": "example.com", "version": "v1", "kind": "Thing"}
        ],
        "properties": {
            "$ref": {"type": "string", "default": "#/definitions/Nope"},
            "d": {"type": "object", "default": {"$ref": "#/definitions/Nope"}},
        },
    }
    spec = write(tmp_path, "swagger.json", swagger({"com.example.v1.Thing": thing}))
    assert generate([spec], tmp_path / "pkg") == 0


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_an_input_that_is_not_a_regular_file_is_named_as_such(
    good_output: GoodOutput, device: str
) -> None:
    """It was refused (never read) but called "no such file or directory"."""
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    assert_rejected(good_output, [device], f"{device}: not a regular file or a directory")


def test_missing_input_path(good_output: GoodOutput, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "crd.yaml"
    assert_rejected(good_output, [missing], str(missing), "no such file")


def test_missing_input_beside_a_good_one(good_output: GoodOutput, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_rejected(good_output, [CRDS / "widget.yaml", missing], str(missing), "no such file")


def test_check_mode_reports_bad_input_with_status_2(
    good_output: GoodOutput, tmp_path: Path
) -> None:
    bad = write(tmp_path, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    code, err = generate_capture([bad], good_output.out, "--check")
    assert code == 2 and str(bad) in err
    assert snapshot(good_output.out) == good_output.before


def test_bad_input_never_creates_the_output_directory(tmp_path: Path) -> None:
    bad = write(tmp_path, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    assert generate([bad], tmp_path / "out") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy.yaml"]


@pytest.mark.parametrize("name", ["a", "v1.Thing", "io..v1.Thing"])
def test_openapi_definition_name_without_group_and_version_names_the_pointer(
    good_output: GoodOutput, tmp_path: Path, name: str
) -> None:
    """Was an IndexError traceback (exit 1, which --check reads as "stale")."""
    thing = {"type": "object", "properties": {"size": {"type": "integer"}}}
    bad = write(tmp_path, "swagger.json", swagger({name: thing}))
    assert_rejected(good_output, [bad], f"{bad}:/definitions/{name}", "group and version")


# QA: `kubectl get crd -o yaml` writes a List of CRDs; generate refused it ("not a
# CustomResourceDefinition or OpenAPI document (kind 'List')") while kubectl and
# `kube-clientgen validate` read a List as its items.
@pytest.mark.parametrize("kind", ["List", "CustomResourceDefinitionList"])
def test_a_list_of_crds_generates_what_the_crds_generate(tmp_path: Path, kind: str) -> None:
    import yaml

    crds = [
        d
        for name in ("widget.yaml", "gadget.yaml")
        for d in yaml.safe_load_all((CRDS / name).read_text())
        if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"
    ]
    listed = write(
        tmp_path, "crds.yaml", yaml.safe_dump({"apiVersion": "v1", "kind": kind, "items": crds})
    )
    assert generate([listed], tmp_path / "from_list") == 0
    assert generate([CRDS / "widget.yaml", CRDS / "gadget.yaml"], tmp_path / "from_files") == 0
    assert snapshot(tmp_path / "from_list").keys() == snapshot(tmp_path / "from_files").keys()
    for name in snapshot(tmp_path / "from_files"):
        mine = (tmp_path / "from_list" / name).read_bytes()
        assert mine == (tmp_path / "from_files" / name).read_bytes(), name


def test_a_bad_crd_inside_a_list_names_its_item(good_output: GoodOutput, tmp_path: Path) -> None:
    import yaml

    good, bad = (yaml.safe_load(crd_with_property("type: string")) for _ in range(2))
    bad["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["type"] = 5
    bad["metadata"]["name"] = "others.example.com"
    listed = write(
        tmp_path,
        "crds.yaml",
        yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [good, bad]}),
    )
    assert_rejected(
        good_output,
        [listed],
        f"{listed}[doc 0, item 1]:/spec/versions/0/schema/openAPIV3Schema/properties/spec/type",
    )
