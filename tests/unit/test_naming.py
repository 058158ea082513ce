"""generator.naming: Python names from wire names, deterministic and always valid."""

from __future__ import annotations

import itertools
import keyword
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_clientgen.naming import (
    assign_unique,
    enum_member,
    group_package,
    group_version_attr,
    pascal_case,
    resource_getter,
    snake_case,
)


def valid(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("podIPs", "pod_ips"),
        ("hostIPC", "host_ipc"),
        ("apiVersion", "api_version"),
        ("podCIDRs", "pod_cidrs"),
        ("externalIPs", "external_ips"),
        ("clusterIP", "cluster_ip"),
        ("HTTPGet", "http_get"),
        ("tcpSocket", "tcp_socket"),
        ("IPAddress", "ip_address"),
        ("metadata", "metadata"),
        ("v1beta1", "v1beta1"),
        ("mirror_percent", "mirror_percent"),
        ("mirrorPercent", "mirror_percent"),
    ],
)
def test_snake_case_of_camel_case_and_acronyms(wire: str, expected: str) -> None:
    assert snake_case(wire) == expected


@pytest.mark.parametrize(
    "word",
    [
        "from",
        "class",
        "continue",
        "global",
        "for",
        "assert",
        "pass",
        "not",
        "except",
        "import",
        "lambda",
    ],
)
def test_keywords_get_a_trailing_underscore(word: str) -> None:
    assert snake_case(word) == word + "_"


@pytest.mark.parametrize(
    "word",
    ["self", "cls", "to_dict", "from_dict", "to_json", "from_json", "extra_fields", "validate"],
)
def test_names_the_model_uses_get_a_trailing_underscore(word: str) -> None:
    assert snake_case(word) == word + "_"


@pytest.mark.parametrize("word", ["type", "match", "case"])
def test_soft_keywords_are_valid_attribute_names(word: str) -> None:
    assert snake_case(word) == word
    assert valid(word)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("$ref", "dollar_ref"),
        ("$schema", "dollar_schema"),
        ("x-kubernetes-list-type", "x_kubernetes_list_type"),
        ("1st", "f_1st"),
        ("_private", "f_private"),
        ("__class__", "f_class"),
        ("café", "cafu00e9"),
        ("a.b/c d", "a_b_c_d"),
    ],
)
def test_non_identifiers_become_identifiers(wire: str, expected: str) -> None:
    assert snake_case(wire) == expected
    assert valid(expected)


AWKWARD_WIRE_NAMES = [
    "$ref",
    "$schema",
    "x-kubernetes-list-type",
    "x_kubernetes_list_type",
    "1st",
    "2nd",
    "_private",
    "__private",
    "private",
    "café",
    "cafe",
    "cafu00e9",
    "",
    " ",
    "-",
    "_",
    "__",
    "\x00",
    "field",
    "日本",
    "ПОД",
    "from",
    "from_",
    "self",
    "self_",
    "mirrorPercent",
    "mirror_percent",
    "mirror_percent_2",
]


def test_awkward_names_become_distinct_valid_identifiers() -> None:
    names = assign_unique({w: snake_case(w) for w in AWKWARD_WIRE_NAMES})
    assert set(names) == set(AWKWARD_WIRE_NAMES)
    assert len(set(names.values())) == len(AWKWARD_WIRE_NAMES)
    for wire, name in names.items():
        assert valid(name), (wire, name)
        assert name not in {"self", "cls", "to_dict", "from_dict"}


def test_collision_the_name_that_already_is_the_attribute_keeps_it() -> None:
    wanted = {w: snake_case(w) for w in ["mirrorPercent", "mirror_percent"]}
    assert assign_unique(wanted) == {
        "mirror_percent": "mirror_percent",
        "mirrorPercent": "mirror_percent_2",
    }


def test_collision_a_numbered_name_never_takes_an_existing_wire_name() -> None:
    wanted = {w: snake_case(w) for w in ["mirrorPercent", "mirror_percent", "mirror_percent_2"]}
    assert assign_unique(wanted) == {
        "mirror_percent": "mirror_percent",
        "mirror_percent_2": "mirror_percent_2",
        "mirrorPercent": "mirror_percent_3",
    }


def test_collisions_without_an_exact_match_number_in_sorted_order() -> None:
    wanted = {w: snake_case(w) for w in ["fooBar", "foo-bar", "foo.bar", "FooBar"]}
    assert assign_unique(wanted) == {
        "FooBar": "foo_bar",
        "foo-bar": "foo_bar_2",
        "foo.bar": "foo_bar_3",
        "fooBar": "foo_bar_4",
    }


def test_many_colliding_names_are_numbered_in_one_pass() -> None:
    """78,125 wire names that all snake-case to ``a_b_c_d_e_f_g`` (numbering used to restart
    at 2 for every name, quadratic work an input could use to stall the generator)."""
    wires = [
        "a" + "".join(sep + ch for sep, ch in zip(combo, "bcdefg", strict=True))
        for combo in itertools.product("-._ /", repeat=6)
    ]
    wires.append("a_b_c_d_e_f_g_3")  # an exact name in the middle of the numbers
    names = assign_unique({w: snake_case(w) for w in wires})
    assert len(set(names.values())) == len(wires)
    exact = {"a_b_c_d_e_f_g", "a_b_c_d_e_f_g_3"}  # each keeps its own name
    assert all(names[w] == w for w in exact)
    ordered = sorted(w for w in wires if w not in exact)
    assert [names[w] for w in ordered[:4]] == [
        "a_b_c_d_e_f_g_2",
        "a_b_c_d_e_f_g_4",
        "a_b_c_d_e_f_g_5",
        "a_b_c_d_e_f_g_6",
    ]
    assert names[ordered[-1]] == f"a_b_c_d_e_f_g_{len(wires)}"


def test_collisions_are_deterministic_regardless_of_dict_order() -> None:
    wires = [
        *AWKWARD_WIRE_NAMES,
        "fooBar",
        "foo_bar",
        "FooBar",
        "foo-bar",
        "podIPs",
        "pod_ips",
        "podIps",
    ]
    expected = assign_unique({w: snake_case(w) for w in wires})
    rng = random.Random(1234)
    for _ in range(50):
        shuffled = wires[:]
        rng.shuffle(shuffled)
        assert assign_unique({w: snake_case(w) for w in shuffled}) == expected


def test_assign_unique_respects_taken_names() -> None:
    assert assign_unique({"a": "x", "b": "x"}, taken=["x"]) == {"a": "x_2", "b": "x_3"}


@pytest.mark.parametrize(
    ("group", "package"),
    [
        ("", "core"),
        ("core", "core"),
        ("apps", "apps"),
        ("batch", "batch"),
        ("rbac.authorization.k8s.io", "rbac"),
        ("networking.k8s.io", "networking"),
        ("apiextensions.k8s.io", "apiextensions"),
        ("cloud.waibizi.com", "cloud_waibizi_com"),
        ("my-group.example.com", "my_group_example_com"),
    ],
)
def test_group_packages(group: str, package: str) -> None:
    assert group_package(group) == package


def test_group_version_attributes() -> None:
    assert group_version_attr("", "v1") == "core_v1"
    assert group_version_attr("apps", "v1") == "apps_v1"
    assert group_version_attr("cloud.waibizi.com", "v1") == "cloud_waibizi_com_v1"
    assert group_version_attr("rbac.authorization.k8s.io", "v1beta1") == "rbac_v1beta1"


@pytest.mark.parametrize(
    ("kind", "plural", "getter"),
    [
        ("VirtualMachine", "virtualmachines", "virtual_machines"),
        ("NetworkPolicy", "networkpolicies", "network_policies"),
        ("Endpoints", "endpoints", "endpoints"),
        ("Pod", "pods", "pods"),
        ("Ingress", "ingresses", "ingresses"),
        ("IPAddress", "ipaddresses", "ip_addresses"),
        ("CSIDriver", "csidrivers", "csi_drivers"),
        ("APIService", "apiservices", "api_services"),
        ("ComponentStatus", "componentstatuses", "component_statuses"),
        ("CustomResourceDefinition", "customresourcedefinitions", "custom_resource_definitions"),
        ("Import", "imports", "imports"),
        ("Global", "global", "global_"),
    ],
)
def test_resource_getters(kind: str, plural: str, getter: str) -> None:
    assert resource_getter(kind, plural) == getter
    assert valid(getter)


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("IfNotPresent", "IF_NOT_PRESENT"),
        ("Always", "ALWAYS"),
        ("NotIn", "NOT_IN"),
        ("ReadWriteOnce", "READ_WRITE_ONCE"),
        ("TCP", "TCP"),
        ("=", "V_3D"),
        ("!=", "V_21_3D"),
        ("", "EMPTY"),
        ("None", "NONE"),
        ("value", "VALUE_"),
        ("name", "NAME_"),
    ],
)
def test_enum_members(value: str, member: str) -> None:
    assert enum_member(value) == member


def test_enum_members_of_colliding_values_are_distinct_and_deterministic() -> None:
    values = ["None", "none", "NONE", "=", "V_3D", "", "EMPTY", "a b", "a-b", "A_B"]
    members = assign_unique({v: enum_member(v) for v in values})
    assert len(set(members.values())) == len(values)
    assert all(valid(m) and not m.startswith("_") for m in members.values())
    assert members["NONE"] == "NONE" and members["A_B"] == "A_B" and members["EMPTY"] == "EMPTY"
    for perm in itertools.islice(itertools.permutations(values), 0, 200, 7):
        assert assign_unique({v: enum_member(v) for v in perm}) == members


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spec", "Spec"),
        ("x-foo", "XFoo"),
        ("$ref", "Dollar_ref"),
        ("_Model", "Model_"),
        ("__x", "X"),
        ("_", "Type"),
        ("1st", "T1st"),
        ("None", "None_"),
        ("Model", "Model_"),
        ("Any", "Any_"),
        ("", "Type"),
    ],
)
def test_pascal_case(text: str, expected: str) -> None:
    assert pascal_case(text) == expected


@given(st.text())
def test_snake_case_is_always_a_valid_non_keyword_identifier(text: str) -> None:
    name = snake_case(text)
    assert name.isidentifier(), (text, name)
    assert not keyword.iskeyword(name), (text, name)
    assert name.isascii()


@given(st.text())
def test_pascal_case_is_always_a_valid_non_keyword_identifier(text: str) -> None:
    name = pascal_case(text)
    assert name.isidentifier() and not keyword.iskeyword(name), (text, name)
    assert not name.startswith("_")


@given(st.text())
def test_enum_member_is_always_a_valid_public_identifier(text: str) -> None:
    name = enum_member(text)
    assert name.isidentifier() and not keyword.iskeyword(name), (text, name)
    assert not name.startswith("_")


@given(st.lists(st.text(max_size=12), max_size=12, unique=True), st.randoms())
def test_assign_unique_is_injective_and_order_independent(
    wires: list[str], rnd: random.Random
) -> None:
    names = assign_unique({w: snake_case(w) for w in wires})
    assert len(set(names.values())) == len(wires)
    assert all(valid(n) for n in names.values())
    for wire in wires:  # a wire name that already is a valid attribute keeps it
        if snake_case(wire) == wire:
            assert names[wire] == wire
    shuffled = wires[:]
    rnd.shuffle(shuffled)
    assert assign_unique({w: snake_case(w) for w in shuffled}) == names


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("14", "V14"),
        ("1.5", "V1_5"),
        ("10.0.1", "V10_0_1"),
        ("-1", "MINUS_1"),
        ("+1", "PLUS_1"),
        ("2xx", "V2XX"),
        ("0", "V0"),
        ("-", "V_2D"),
    ],
)
def test_numeric_enum_members_read_as_numbers(value: str, member: str) -> None:
    assert enum_member(value) == member
