"""Kubernetes' CEL IP, CIDR, semver and format libraries, and what stays unsupported.

The cases are the examples Kubernetes documents in k8s.io/apiserver/pkg/cel/library
(ip.go, cidr.go, semverlib.go, format.go and their tests), each written as a rule of a CRD
and evaluated through the validator, as kube-apiserver evaluates it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_clientgen.cli import main
from kubecore.core.validation import CelError, CelUnsupported, Validator

WHERE = "widgets.yaml:/spec/versions/0/schema/openAPIV3Schema/properties/spec"


def _crd(*rules: dict[str, Any]) -> dict[str, Any]:
    spec = {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
        "x-kubernetes-validations": list(rules),
    }
    schema = {"type": "object", "properties": {"spec": spec}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


def _problems(rule: str, spec: Any = None, **extra: str) -> list[str]:
    validator = Validator()
    validator.add_crd(_crd({"rule": rule, **extra}), where="widgets.yaml")
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    obj["spec"] = {} if spec is None else spec
    return [str(p) for p in validator.validate(obj)]


IP_EXAMPLES = [
    "isIP('127.0.0.1')",
    "isIP('::1')",
    "!isIP('127.0.0.256')",
    "!isIP(':::1')",
    "!isIP('::ffff:1.2.3.4')",  # IPv4-mapped IPv6
    "!isIP('fe80::1%eth0')",  # zone
    "!isIP('010.0.0.1')",  # leading zero
    "ip('127.0.0.1').family() == 4",
    "ip('::1').family() == 6",
    "ip('::1') == ip('0:0:0:0:0:0:0:1')",
    "ip.isCanonical('127.0.0.1')",
    "ip.isCanonical('2001:db8::abcd')",
    "!ip.isCanonical('2001:DB8::ABCD')",
    "!ip.isCanonical('2001:db8::0:0:0:abcd')",
    "ip('0.0.0.0').isUnspecified()",
    "!ip('127.0.0.1').isUnspecified()",
    "ip('::').isUnspecified()",
    "!ip('::1').isUnspecified()",
    "ip('127.0.0.1').isLoopback()",
    "!ip('192.168.0.1').isLoopback()",
    "ip('::1').isLoopback()",
    "!ip('2001:db8::abcd').isLoopback()",
    "ip('224.0.0.1').isLinkLocalMulticast()",
    "!ip('224.0.1.1').isLinkLocalMulticast()",
    "ip('ff02::1').isLinkLocalMulticast()",
    "!ip('fd00::1').isLinkLocalMulticast()",
    "ip('169.254.169.254').isLinkLocalUnicast()",
    "!ip('192.168.0.1').isLinkLocalUnicast()",
    "ip('fe80::1').isLinkLocalUnicast()",
    "!ip('fd80::1').isLinkLocalUnicast()",
    "ip('192.168.0.1').isGlobalUnicast()",
    "!ip('255.255.255.255').isGlobalUnicast()",
    "ip('2001:db8::abcd').isGlobalUnicast()",
    "!ip('ff00::1').isGlobalUnicast()",
    "string(ip('2001:DB8::0:0:1')) == '2001:db8::1'",
]
CIDR_EXAMPLES = [
    "isCIDR('192.168.0.0/16')",
    "isCIDR('::1/128')",
    "!isCIDR('192.168.0.0/33')",
    "!isCIDR('::1/129')",
    "!isCIDR('192.168.0.0')",
    "!isCIDR('192.168.0.0/255.255.0.0')",
    "!isCIDR('::ffff:1.2.3.4/120')",
    "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
    "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
    "cidr('192.168.0.0/24').containsIP('192.168.0.1')",
    "!cidr('192.168.0.0/24').containsIP('192.168.1.1')",
    "!cidr('192.168.0.0/24').containsIP('::1')",
    "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))",
    "!cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))",
    "cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')",
    "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')",
    "cidr('2001:db8::/32').containsIP('2001:db8::1')",
    "!cidr('2001:db8::/32').containsIP('2001:dc8::1')",
    "cidr('2001:db8::/32').containsCIDR('2001:db8::/33')",
    "!cidr('2001:db8::/32').containsCIDR('2001:db8::/31')",
    "cidr('192.168.0.1/24').ip() == ip('192.168.0.1')",
    "cidr('192.168.0.1/24').ip().family() == 4",
    "cidr('::1/128').ip() == ip('::1')",
    "cidr('::1/128').ip().family() == 6",
    "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')",
    "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
    "cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')",
    "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()",
    "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
    "cidr('192.168.0.0/16').prefixLength() == 16",
    "cidr('::1/128').prefixLength() == 128",
    "string(cidr('192.168.0.0/24')) == '192.168.0.0/24'",
]
SEMVER_EXAMPLES = [
    "isSemver('1.0.0')",
    "!isSemver('hello')",
    "!isSemver('v1.0')",
    "isSemver('v1.0', true)",
    "isSemver('1.0', true)",
    "isSemver('01.01.01', true)",
    "!isSemver('01.01.01')",
    "!isSemver('1.0-rc.1', true)",  # a short version may not carry a pre-release
    "!isSemver('1.2.3\\n') && !isSemver(' 1.2.3') && !isSemver('1.2.3-01')",
    "!isSemver('18446744073709551616.0.0') && isSemver('18446744073709551615.0.0')",
    "isSemver('0.1.0-alpha.1+build.5')",
    "semver('v1.0.0', true) == semver('1.0.0')",
    "semver('1.0', true) == semver('1.0.0')",
    "semver('01.01.01', true) == semver('1.1.1')",
    "semver('1.0.0+a') == semver('1.0.0+b')",  # build metadata has no precedence
    "semver('1.2.3').major() == 1",
    "semver('1.2.3').minor() == 2",
    "semver('1.2.3').patch() == 3",
    "semver('1.2.3').compareTo(semver('1.2.3')) == 0",
    "semver('1.2.3').compareTo(semver('2.0.0')) == -1",
    "semver('1.2.3').compareTo(semver('0.1.2')) == 1",
    "semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))",
    "semver('1.0.0-beta.11').isLessThan(semver('1.0.0-rc.1'))",
    "semver('1.0.0').isGreaterThan(semver('1.0.0-rc.1'))",
    # quantities keep their own compareTo / isLessThan
    "quantity('1Gi').isGreaterThan(quantity('1G')) && quantity('1').compareTo(quantity('1000m')) == 0",
]
FORMAT_EXAMPLES = [
    "!format.dns1123Label().validate('my-label-name').hasValue()",
    "!format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()",
    "!format.dns1035Label().validate('my-label-name').hasValue()",
    "!format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()",
    "!format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()",
    "!format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-').hasValue()",
    "!format.dns1035LabelPrefix().validate('my-label-prefix-').hasValue()",
    "!format.labelValue().validate('my-cool-label-Value').hasValue()",
    "!format.uri().validate('http://example.com').hasValue()",
    "!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
    "!format.byte().validate('aGVsbG8=').hasValue()",
    "!format.date().validate('2021-01-01').hasValue()",
    "!format.datetime().validate('2021-01-01T00:00:00Z').hasValue()",
    "format.byte().validate('aGVsbG8') == optional.of(['invalid base64'])",
    "format.date().validate('2020-01-32') == optional.of(['invalid date'])",
    "format.datetime().validate('2020-01-32T00:00:00Z') == optional.of(['invalid datetime'])",
    "format.uuid().validate('nope') == optional.of(['does not match the UUID format'])",
    "format.uri().validate('example').hasValue()",
    "!format.named('unknown').hasValue()",
    "format.named('dns1123Label').value() == format.dns1123Label()",
    "format.named('uuid').value() == format.uuid()",
    "format.dns1123Label() != format.dns1123Subdomain()",
    "format.named('labelValue').value().validate('a b').value().size() == 1",
    "optional.none().orValue(3) == 3 && optional.of(1).hasValue()",
]
# format_test.go: the exact messages for "contains a space"
FORMAT_MESSAGES = {
    "dns1123Label": "a lowercase RFC 1123 label must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character (e.g. "
    "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    "dns1035Label": "a DNS-1035 label must consist of lower case alphanumeric characters or "
    "'-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
    "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    "qualifiedName": "name part must consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
    "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
}


@pytest.mark.parametrize("rule", IP_EXAMPLES + CIDR_EXAMPLES + SEMVER_EXAMPLES + FORMAT_EXAMPLES)
def test_documented_examples_hold(rule: str) -> None:
    assert _problems(rule) == []


@pytest.mark.parametrize("rule", ["ip('::1').isLoopback()", "semver('1.0.0').major() == 1"])
def test_a_false_rule_fails_with_its_message(rule: str) -> None:
    negated = f"!({rule})"
    assert _problems(negated) == [f'spec: Invalid value: "object": failed rule: {negated}']


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ("ip('127.0.0.256') == ip('::1')", 'IP Address "127.0.0.256" parse error'),
        ("ip('::ffff:1.2.3.4') == ip('::1')", 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not'),
        ("ip('fe80::1%eth0') == ip('::1')", 'IP address "fe80::1%eth0" with zone value is not'),
        (
            "cidr('192.168.0.0/') == cidr('::/0')",
            "network address parse error during conversion from string: network address parse "
            'error during conversion from string: netip.ParsePrefix("192.168.0.0/"): bad bits '
            'after slash: ""',
        ),
        ("cidr('10.0.0.0/08') == cidr('::/0')", 'bad bits after slash: "08"'),
        ("cidr('fe80::1%eth0/64') == cidr('::/0')", "IPv6 zones cannot be present in a prefix"),
        ("cidr('192.168.0.0/33') == cidr('::/0')", "prefix length out of range"),
        ("semver('200K') == semver('1.0.0')", "200K is not valid SemVer string"),
        ("semver('v1.0.0') == semver('1.0.0')", "v1.0.0 is not valid SemVer string"),
        ("ip.isCanonical('nope')", 'IP Address "nope" parse error'),
        ("ip('1.2.3.4').major() == 1", "no such overload: expected a semver"),
        ("semver('1.0.0').family() == 4", "no such overload: expected an IP address"),
        ("string(self) == ''", "no such overload: string(dict)"),
    ],
)
def test_runtime_errors_are_rule_failures_with_the_library_message(rule: str, error: str) -> None:
    (problem,) = _problems(rule)
    assert problem.startswith('spec: Invalid value: "object": ')
    assert error in problem
    assert problem.endswith(f"evaluating rule: {rule}")


@pytest.mark.parametrize("name", sorted(FORMAT_MESSAGES))
def test_format_messages_are_apimachinerys(name: str) -> None:
    rule = f"format.{name}().validate(self.v).value() == [{FORMAT_MESSAGES[name]!r}]"
    assert _problems(rule, {"v": "contains a space"}) == []


def test_format_errors_in_a_message_expression() -> None:
    rule = "!format.dns1123Label().validate(self.name).hasValue()"
    expression = "format.dns1123Label().validate(self.name).value().join('; ')"
    assert _problems(rule, {"name": "ok-name"}, messageExpression=expression) == []
    assert _problems(rule, {"name": "Bad_Name"}, messageExpression=expression) == [
        'spec: Invalid value: "object": ' + FORMAT_MESSAGES["dns1123Label"]
    ]


def test_an_optional_never_equals_null_as_in_cel_go() -> None:
    # gateway-api's XBackend shipped `validate(self) == null`; cel-go's types.Equal makes an
    # optional unequal to null, so the rule refuses every non-empty name on a real cluster.
    rule = "size(self.name) == 0 || format.dns1123Label().validate(self.name) == null"
    assert _problems(rule, {"name": ""}) == []
    assert _problems(rule, {"name": "http"}) == [
        f'spec: Invalid value: "object": failed rule: {rule}'
    ]


@pytest.mark.parametrize(
    ("rule", "what"),
    [
        ("self.?x.orValue('') == ''", "optional field selection 'x.?field'"),
        ("self.m[?'k'].hasValue()", "optional index 'x[?key]'"),
        ("{?'k': optional.none()}.size() == 0", "optional entry"),
    ],
)
def test_optional_syntax_is_reported_at_crd_load(rule: str, what: str) -> None:
    with pytest.raises(CelUnsupported) as info:
        Validator().add_crd(_crd({"rule": rule}), where="widgets.yaml")
    message = str(info.value)
    assert message.startswith(f"{WHERE}/x-kubernetes-validations/0: rule {rule!r} uses CEL ")
    assert what in message
    assert "\n" not in message


def test_every_unsupported_rule_of_a_crd_is_named_once_in_one_error() -> None:
    crd = _crd(
        {"rule": "self.x > 0"},
        {"rule": "self.?x.hasValue()"},
        {"rule": "authorizer.group('apps').check('get').allowed()"},
        {"rule": "self.x.optMap(v, v + 1).hasValue()"},
    )
    with pytest.raises(CelUnsupported) as info:
        Validator().add_crd(crd, where="widgets.yaml")
    lines = str(info.value).splitlines()
    assert [line.split(": rule ")[0] for line in lines] == [
        f"{WHERE}/x-kubernetes-validations/{index}" for index in (1, 2, 3)
    ]
    assert "optional field selection" in lines[0]
    assert lines[1].endswith("uses unsupported CEL function(s): allowed, check, group")
    assert lines[2].endswith("uses unsupported CEL function(s): optMap")


def test_a_rule_that_does_not_compile_is_a_plain_cel_error() -> None:
    with pytest.raises(CelError) as info:
        Validator().add_crd(_crd({"rule": "self.?x.hasValue()"}, {"rule": "self.x =="}))
    assert not isinstance(info.value, CelUnsupported)
    assert "does not compile" in str(info.value)


def test_the_cli_names_the_file_document_pointer_and_syntax(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crd = tmp_path / "crds.yaml"
    docs = [_crd({"rule": "self.x > 0"}), _crd({"rule": "self.?x.orValue(0) > 0"})]
    crd.write_text(yaml.safe_dump_all(docs))
    widget = tmp_path / "w.yaml"
    widget.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}\n")
    assert main(["validate", str(widget), "--schema", str(crd)]) == 2
    err = capsys.readouterr().err
    pointer = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/x-kubernetes-validations/0"
    assert err.startswith(f"kube-clientgen: error: {crd}[doc 1]:{pointer}: rule ")
    assert "optional field selection 'x.?field'" in err


def test_a_failing_library_function_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """The failure is the rule's error; the CEL package's own warning (which would print
    the value the rule was given) is dropped."""
    caplog.set_level(logging.DEBUG)
    (problem,) = _problems("ip('10.0.0.999') == ip('::1')")
    assert '"10.0.0.999" parse error' in problem
    assert not [r.getMessage() for r in caplog.records if r.name == "cel"]


SIZE_AND_CHAR_EXAMPLES = [
    "'日本語のメモ'.size() == 6",  # code points, as cel-go (the library counted 18 bytes)
    "size('héllo') == 5",
    "size ('héllo') == 5",
    "'size(x)'.size() == 7",  # a size( inside a literal is text
    "r'size(\\'.size() == 6 && size('x') == 1",  # raw: the backslash ends nothing
    "'''size('''.size() == 5",
    "[1, 2].size() == 2 && {'a': 1}.size() == 1",
    "self.title.size() == 6",
    "'hello'.charAt(4) == 'o' && 'hello'.charAt(5) == ''",
    "'日本'.charAt(1) == '本'",
]


@pytest.mark.parametrize("rule", SIZE_AND_CHAR_EXAMPLES)
def test_strings_count_code_points_as_cel_go(rule: str) -> None:
    assert _problems(rule, spec={"title": "日本語のメモ"}) == []


@pytest.mark.parametrize("rule", ["'hello'.charAt(6) == ''", "'hello'.charAt(-1) == 'o'"])
def test_char_at_out_of_range_is_an_error_as_in_cel_go(rule: str) -> None:
    (problem,) = _problems(rule)
    assert "index out of range" in problem


def test_a_rule_is_reported_as_written() -> None:
    (problem,) = _problems("self.title.size() < 3", spec={"title": "日本語"})
    assert "self.title.size() < 3" in problem and "k8sSize" not in problem
