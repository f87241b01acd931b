"""The value types behave exactly like their first (slower) implementation.

The validators of ``batterypass.model._types`` were rewritten for speed. This module keeps a
verbatim copy of the original functions and ``Annotated`` aliases as an oracle and checks that
the exported aliases accept the same inputs with the same value (same type, same digits and
exponent) and reject the rest with the same errors (type, location, message, input). A
recorded snapshot (``types_equivalence_snapshot.json``) pins the passport-level issues,
including cross-section rules, as they were before the rewrite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from batterypass.errors import ValidationError
from batterypass.model import (
    CasNumber,
    EcNumber,
    Identifier,
    NonNegativeQuantity,
    Percent,
    PositiveQuantity,
    Quantity,
    Url,
    check_identifier,
    gtin_check_digit,
    parse_passport,
)

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples" / "passports"
SNAPSHOT = HERE / "types_equivalence_snapshot.json"

# ------------------------------------------------------------------ the oracle (verbatim copy)

MAX_DECIMAL_EXPONENT = 40


def _exact_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            "binary floating-point numbers are inexact; give a Decimal, an int, or a JSON number"
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    raise ValueError(f"expected a number, got {type(value).__name__}")


def _finite_bounded(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    if value and not -MAX_DECIMAL_EXPONENT <= value.adjusted() <= MAX_DECIMAL_EXPONENT:
        raise ValueError(f"magnitude outside 1e-{MAX_DECIMAL_EXPONENT}..1e{MAX_DECIMAL_EXPONENT}")
    if len(value.as_tuple().digits) > 34:
        raise ValueError("more than 34 significant digits")
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _percent(value: Decimal) -> Decimal:
    if not 0 <= value <= 100:
        raise ValueError("a share in percent must lie between 0 and 100")
    return value


_NUMBER_SCHEMA = WithJsonSchema({"type": "number"})

OracleQuantity = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    AfterValidator(_finite_bounded),
    _NUMBER_SCHEMA,
]
OraclePositiveQuantity = Annotated[OracleQuantity, AfterValidator(_positive)]
OracleNonNegativeQuantity = Annotated[OracleQuantity, AfterValidator(_non_negative)]
OraclePercent = Annotated[OracleQuantity, AfterValidator(_percent)]

_WHITE_SPACE = re.compile(r"\s")


def _check_url(value: str) -> str:
    if _WHITE_SPACE.search(value):
        raise ValueError("a URL must not contain white space")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return value


OracleUrl = Annotated[str, Field(max_length=2048), AfterValidator(_check_url)]

_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_GS1_DL = re.compile(r"^https://[^/\s]+(?:/[^\s]*)?/01/(\d{8}|\d{12}|\d{13}|\d{14})(?:/[^\s]*)?$")


def oracle_gtin_check_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def oracle_check_identifier(value: str) -> str:
    if _URN.match(value):
        if value.lower().startswith("urn:uuid:") and not _UUID.match(value[9:]):
            raise ValueError("urn:uuid: must be followed by a canonical lower-case UUID")
        return value
    if _UUID.match(value):
        return value
    m = _GS1_DL.match(value)
    if m:
        gtin = m.group(1)
        if oracle_gtin_check_digit(gtin[:-1]) != int(gtin[-1]):
            raise ValueError(f"GTIN {gtin} in the GS1 Digital Link URI has a wrong check digit")
        return value
    raise ValueError("must be a URN (urn:...), a canonical UUID, or a GS1 Digital Link URI")


OracleIdentifier = Annotated[
    str, Field(min_length=1, max_length=512), AfterValidator(oracle_check_identifier)
]


def _check_cas(value: str) -> str:
    m = re.fullmatch(r"(\d{2,7})-(\d{2})-(\d)", value)
    if not m:
        raise ValueError("a CAS registry number has the form NNNNNNN-NN-N")
    digits = (m.group(1) + m.group(2))[::-1]
    check = sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10
    if check != int(m.group(3)):
        raise ValueError(f"CAS number {value} has a wrong check digit (expected {check})")
    return value


OracleCasNumber = Annotated[str, AfterValidator(_check_cas)]


def _check_ec(value: str) -> str:
    m = re.fullmatch(r"(\d{3})-(\d{3})-(\d)", value)
    if not m:
        raise ValueError("an EC number has the form NNN-NNN-N")
    digits = m.group(1) + m.group(2)
    check = sum((i + 1) * int(d) for i, d in enumerate(digits)) % 11
    if check != int(m.group(3)):
        raise ValueError(f"EC number {value} has a wrong check digit")
    return value


OracleEcNumber = Annotated[str, AfterValidator(_check_ec)]

# ------------------------------------------------------------------ pairs of tiny models


def _model(name: str, annotation: Any, config: ConfigDict | None = None) -> type[BaseModel]:
    return pydantic.create_model(name, __config__=config, v=(annotation, ...))


NUMBER_TYPES: dict[str, tuple[Any, Any]] = {
    "Quantity": (Quantity, OracleQuantity),
    "PositiveQuantity": (PositiveQuantity, OraclePositiveQuantity),
    "NonNegativeQuantity": (NonNegativeQuantity, OracleNonNegativeQuantity),
    "Percent": (Percent, OraclePercent),
}

# The aliases as users may combine them in their own models.
_NUMBER_WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "plain": lambda t: t,
    "optional": lambda t: t | None,
    "tuple": lambda t: tuple[t, ...],
    "gt-le": lambda t: Annotated[t, Field(gt=-5, le=50)],
    "max-digits": lambda t: Annotated[t, Field(max_digits=3, decimal_places=1)],
    "multiple-of": lambda t: Annotated[t, Field(multiple_of=Decimal("0.5"))],
}

NUMBER_PAIRS: list[tuple[str, type[BaseModel], type[BaseModel]]] = []
for _flavour, (_new, _old) in NUMBER_TYPES.items():
    for _how, _wrap in _NUMBER_WRAPPERS.items():
        NUMBER_PAIRS.append(
            (f"{_flavour}-{_how}", _model("M", _wrap(_new)), _model("M", _wrap(_old)))
        )
    _strict = ConfigDict(strict=True)
    NUMBER_PAIRS.append(
        (f"{_flavour}-strict", _model("M", _new, _strict), _model("M", _old, _strict))
    )

STRING_PAIRS: list[tuple[str, type[BaseModel], type[BaseModel]]] = [
    ("Url", _model("M", Url), _model("M", OracleUrl)),
    ("Identifier", _model("M", Identifier), _model("M", OracleIdentifier)),
    ("CasNumber", _model("M", CasNumber), _model("M", OracleCasNumber)),
    ("EcNumber", _model("M", EcNumber), _model("M", OracleEcNumber)),
    ("Url-tuple", _model("M", tuple[Url, ...]), _model("M", tuple[OracleUrl, ...])),
]

ALL_PAIRS = NUMBER_PAIRS + STRING_PAIRS


def _exact(value: Any) -> Any:
    """A comparable, exact picture of a validated value (``Decimal('1.0') != Decimal('1')``)."""
    if isinstance(value, tuple):
        return tuple(_exact(v) for v in value)
    if isinstance(value, Decimal):
        return (type(value), value.as_tuple())
    return (type(value), value)


def _outcome(model: type[BaseModel], validate: Callable[[type[BaseModel]], BaseModel]) -> Any:
    try:
        result = validate(model)
    except pydantic.ValidationError as e:
        return [
            (
                err["type"],
                err["loc"],
                err["msg"],
                repr(err["input"]),
                {k: str(v) for k, v in (err.get("ctx") or {}).items()},
            )
            for err in e.errors()
        ]
    except ArithmeticError as e:  # pydantic's multiple_of check lets decimal errors escape
        return ("raised", type(e).__name__, str(e))
    dumped = (
        repr(result.model_dump()),
        result.model_dump(mode="json"),
        result.model_dump_json(),
    )
    return ("ok", _exact(result.v), dumped)  # type: ignore[attr-defined]


def _same(pairs: list[tuple[str, type[BaseModel], type[BaseModel]]], value: Any) -> None:
    for name, new, old in pairs:
        expected = _outcome(old, lambda m: m.model_validate({"v": value}))
        got = _outcome(new, lambda m: m.model_validate({"v": value}))
        assert got == expected, f"{name}: {value!r}"


class _SubDecimal(Decimal):
    pass


class _SubInt(int):
    pass


class _SubFloat(float):
    pass


NUMBERS: list[Any] = [
    0,
    1,
    -1,
    2,
    50,
    100,
    101,
    -101,
    10**33,
    10**34 - 1,
    10**34,
    -(10**34) + 1,
    -(10**34),
    10**40,
    10**41 - 1,
    10**41,
    10**41 + 1,
    10**100,
    -(10**100),
    True,
    False,
    0.0,
    1.5,
    -0.0,
    float("nan"),
    float("inf"),
    None,
    "1",
    "1.5",
    "",
    b"1",
    [],
    {},
    (1,),
    object,
    _SubInt(5),
    _SubInt(0),
    _SubInt(10**41),
    _SubFloat(1.0),
    _SubDecimal("2.5"),
    _SubDecimal("-0"),
    _SubDecimal("NaN"),
    _SubDecimal("1E+41"),
    _SubDecimal("1" * 35),
    Decimal(0),
    Decimal("-0"),
    Decimal("0.000"),
    Decimal("-0.000"),
    Decimal("0E+999999999"),
    Decimal("0E-999999999"),
    Decimal("-0E+999999999999999999"),
    Decimal("0E-999999999999999999"),
    Decimal("NaN"),
    Decimal("-NaN"),
    Decimal("NaN123"),
    Decimal("sNaN"),
    Decimal("-sNaN5"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("1E+40"),
    Decimal("9.999E+40"),
    Decimal("1E+41"),
    Decimal("-1E+41"),
    Decimal("1E-40"),
    Decimal("1E-41"),
    Decimal("-1E-41"),
    Decimal("0.99E-40"),
    Decimal("1E+999999999"),
    Decimal("1E-999999999"),
    Decimal("1E+999999999999999999"),
    Decimal("1E-999999999999999999"),
    Decimal("1" * 34),
    Decimal("1" * 35),
    Decimal("1" + "0" * 33),
    Decimal("1" + "0" * 34),
    Decimal("1." + "0" * 33),
    Decimal("1." + "0" * 34),
    Decimal("-1." + "0" * 34),
    Decimal("0." + "0" * 39 + "1"),
    Decimal("0." + "1" * 34),
    Decimal("0." + "1" * 35),
    Decimal("9" * 34 + "E+7"),
    Decimal("9" * 35 + "E-20"),
    Decimal("1" * 400),
    Decimal("1.5"),
    Decimal("-1.5"),
    Decimal("0.5"),
    Decimal("49.5"),
    Decimal("50.0"),
    Decimal("50.01"),
    Decimal("100.00"),
    Decimal("100.000001"),
    Decimal("-0.000001"),
    Decimal("1E+2"),
    Decimal("1.0E+2"),
    Decimal("12.3456"),
]


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_numbers_match_the_original_validators(value: Any) -> None:
    _same(NUMBER_PAIRS, value)


def _decimal_parts() -> st.SearchStrategy[Decimal]:
    """Decimals built from sign, coefficient and exponent, dense around the limits."""
    coefficient = st.one_of(
        st.integers(min_value=0, max_value=10**36),
        st.integers(min_value=0, max_value=40).map(lambda n: 10**n),
        st.integers(min_value=30, max_value=38).map(lambda n: 10**n - 1),
    )
    exponent = st.one_of(
        st.integers(min_value=-80, max_value=80),
        # Up to the largest exponents a Decimal of these coefficients can have.
        st.integers(min_value=-(10**18) + 50, max_value=10**18 - 50),
    )
    return st.builds(
        lambda sign, c, e: Decimal((sign, tuple(int(d) for d in str(c)), e)),
        st.integers(min_value=0, max_value=1),
        coefficient,
        exponent,
    )


@settings(max_examples=300)
@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        _decimal_parts(),
        st.integers(),
        st.integers(min_value=-(10**42), max_value=10**42),
        st.floats(),
        st.booleans(),
        st.none(),
        st.text(max_size=5),
    )
)
def test_numbers_match_the_original_validators_generated(value: Any) -> None:
    _same(NUMBER_PAIRS, value)


JSON_DOCUMENTS = [
    '{"v": 1}',
    '{"v": 0}',
    '{"v": -3}',
    '{"v": 1.5}',
    '{"v": 1e2}',
    '{"v": 1e400}',
    '{"v": 123456789012345678901234567890123456789}',
    '{"v": "1"}',
    '{"v": null}',
    '{"v": true}',
    '{"v": [1]}',
    '{"v": {}}',
    '{"v": "https://example.com/a"}',
    '{"v": "7440-48-4"}',
    '{"v": ["https://example.com", "ftp://x"]}',
]


@pytest.mark.parametrize("document", JSON_DOCUMENTS)
def test_json_and_string_inputs_match(document: str) -> None:
    for name, new, old in ALL_PAIRS:
        expected = _outcome(old, lambda m: m.model_validate_json(document))
        got = _outcome(new, lambda m: m.model_validate_json(document))
        assert got == expected, f"{name}: {document}"
    text = {"v": str(json.loads(document)["v"])}
    for name, new, old in ALL_PAIRS:
        expected = _outcome(old, lambda m: m.model_validate_strings(text))
        got = _outcome(new, lambda m: m.model_validate_strings(text))
        assert got == expected, f"{name} (strings): {text}"


def test_json_schemas_are_unchanged() -> None:
    for name, new, old in ALL_PAIRS:
        for mode in ("validation", "serialization"):
            assert new.model_json_schema(mode=mode) == old.model_json_schema(mode=mode), name


def test_assignment_is_validated_the_same() -> None:
    config = ConfigDict(validate_assignment=True)
    for flavour, (new_type, old_type) in NUMBER_TYPES.items():
        new, old = _model("M", new_type, config), _model("M", old_type, config)
        for value in (Decimal(5), Decimal("NaN"), Decimal(-1), 1.5, 7, Decimal(101)):
            expected = _outcome(old, lambda m, v=value: _assigned(m, v))
            got = _outcome(new, lambda m, v=value: _assigned(m, v))
            assert got == expected, f"{flavour}: {value!r}"


def _assigned(model: type[BaseModel], value: Any) -> BaseModel:
    instance = model(v=Decimal(50))
    instance.v = value  # type: ignore[attr-defined]
    return instance


# ------------------------------------------------------------------ strings

URLS = [
    "https://example.com",
    "https://example.com/",
    "http://example.com/a/b?c=d#e",
    "https://example.com:8443/x",
    "https://user:pw@example.com/x",
    "https://EXAMPLE.com/Path",
    "HTTPS://example.com/",
    "Https://example.com/",
    "https:/example.com",
    "https:example.com",
    "https://",
    "https:///path",
    "https://?q",
    "https://#f",
    "http://a",
    "https://[::1]/",
    "https://[::1/",
    "https://::1]/",
    "https://[v1.fe80::a+en1]/",
    "https://[not-an-ip]/",
    "https://bücher.example/",
    "https://exa\u2100mple.com/",
    "https://\uff21.example/",
    "https://example.com/ü",
    "ftp://example.com/",
    "mailto:someone@example.com",
    "//example.com/",
    "example.com",
    "",
    " https://example.com",
    "https://example.com ",
    "https://exa mple.com",
    "https://example.com/\t",
    "https://example.com/\n",
    "https://example.com/\u00a0",
    "https://example.com/\u2028",
    "\x00https://example.com",
    "\x01https://example.com",
    "https://exa\x00mple.com",
    "https://example.com/\x7f",
    "1https://example.com",
    "h-t+t.p://example.com",
    "https://example.com/" + "a" * 2030,
    "https://example.com/" + "a" * 2040,
    "https://a.b/01/09506000134352",
    "https://a_b.example/~x/%20",
    "https://example.com/?" + "&" * 10,
    "https://example.com:/x",
    "https://example.com:abc/x",
    "https://-",
    "https://.",
    "https://a..b",
    "https://a.b/[x]",
    "https://a.b/x]",
    "https://a.b]/",
    "https://a.b#frag",
    "https://a.b?q",
    "https://a.b:8080",
    "https://a.b:8080:9090/",
    "https://a.b\x7f",
    "https://a.b/\x1f",
    "https://a.b/%zz",
    "https://exa_mple.com",
    "http://a.b/" + "é",
    "hTtp://a.b/",
    "https:///a.b",
    "https:////a.b",
    "https://\\a.b",
]

IDENTIFIERS = [
    "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
    "urn:uuid:0F8FAD5B-D9CB-469F-A165-70867728950E",
    "URN:UUID:0f8fad5b-d9cb-469f-a165-70867728950e",
    "urn:UUID:{0f8fad5b-d9cb-469f-a165-70867728950e}",
    "urn:uuid:0f8fad5bd9cb469fa16570867728950e",
    "urn:uuid:",
    "urn:isbn:0451450523",
    "urn:example:a:b:c",
    "urn:-bad:x",
    "urn:" + "a" * 32 + ":x",
    "urn:" + "a" * 33 + ":x",
    "urn:x: space",
    "urn:x:a\n",
    "urn:x:a\nb",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "0f8fad5b-d9cb-469f-a165-70867728950e\n",
    "0F8FAD5B-D9CB-469F-A165-70867728950E",
    "https://id.gs1.org/01/09506000134352",
    "https://id.gs1.org/01/09506000134353",
    "https://id.gs1.org/01/09506000134352/21/ABC",
    "https://id.gs1.org/path/01/4006381333931",
    "https://id.gs1.org/01/4006381333932",
    "https://id.gs1.org/01/12345670",
    "https://id.gs1.org/01/123456789012",
    "https://id.gs1.org/01/123456789013",
    "https://id.gs1.org/01/1234567",
    "https://id.gs1.org/01/09506000134352\n",
    "http://id.gs1.org/01/09506000134352",
    "https://example.com/x",
    "",
    "x" * 513,
    "urn:x:" + "a" * 506,
    "urn:x:" + "a" * 507,
]

CAS_NUMBERS = [
    "7440-48-4",
    "7440-48-5",
    "7439-93-2",
    "7782-42-5",
    "12190-79-3",
    "12190-79-4",
    "1333-86-4",
    "7664-93-9",
    "50-00-0",
    "50-00-1",
    "1234567-89-5",
    "12345678-90-1",
    "1-23-4",
    "7440-48-4\n",
    " 7440-48-4",
    "7440-48-4 ",
    "7440_48_4",
    "74404-8-4",
    "٧٤٤٠-٤٨-٤",
    "7440-48-",
    "",
]

EC_NUMBERS = [
    "231-158-0",
    "231-158-1",
    "200-001-8",
    "200-001-9",
    "231-111-4",
    "231-111-5",
    "215-183-4",
    "231-158-0\n",
    "231158-0",
    "٢٣١-١٥٨-٠",
    "",
]

STRINGS = URLS + IDENTIFIERS + CAS_NUMBERS + EC_NUMBERS


@pytest.mark.parametrize("value", STRINGS, ids=repr)
def test_strings_match_the_original_validators(value: str) -> None:
    _same(STRING_PAIRS, value)
    _same(STRING_PAIRS, [value])
    _same(NUMBER_PAIRS[:1], value)


def _direct(check: Callable[[str], str], value: str) -> tuple[str, str]:
    try:
        return ("ok", check(value))
    except ValueError as e:
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("value", IDENTIFIERS, ids=repr)
def test_check_identifier_matches(value: str) -> None:
    assert _direct(check_identifier, value) == _direct(oracle_check_identifier, value)


def _direct_gtin(check: Callable[[str], int], body: str) -> tuple[str, object]:
    try:
        return ("ok", check(body))
    except ValueError as e:
        return (type(e).__name__, str(e))


@pytest.mark.parametrize(
    "body", ["", "0", "1", "950600013435", "0950600013435", "1234567", "12a4", "ab", " 1", "١٢٣"]
)
def test_gtin_check_digit_matches(body: str) -> None:
    assert _direct_gtin(gtin_check_digit, body) == _direct_gtin(oracle_gtin_check_digit, body)


@given(st.one_of(st.text(alphabet="0123456789x٣", max_size=16), st.from_regex(r"\A[0-9]{0,20}\Z")))
def test_gtin_check_digit_matches_generated(body: str) -> None:
    assert _direct_gtin(gtin_check_digit, body) == _direct_gtin(oracle_gtin_check_digit, body)


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(alphabet="0123456789-", max_size=14),
        st.from_regex(r"\A\d{2,8}-\d{2}-\d\Z"),
        st.from_regex(r"\A\d{3}-\d{3}-\d\Z"),
        st.from_regex(r"\A[hH]ttps?://[a-z0-9.:@\[\]-]{0,12}(/[ -~]{0,10})?\Z"),
        st.text(alphabet="hHtps:/?#.-_@[]%aZ19 \t\x00\x7fé\u2100", max_size=16).map(
            lambda t: "https://" + t
        ),
        st.text(alphabet="hHtps:/?#.-_@[]aZ19 \x1fé", max_size=16),
        st.from_regex(r"\Ahttps://[a-z.]{1,8}(/[a-z0-9]{0,4})?/01/\d{7,15}(/[a-z]*)?\Z"),
        st.from_regex(r"\Aurn:[a-zA-Z0-9-]{0,4}:[ -~]{0,8}\Z"),
        st.from_regex(r"\Aurn:uuid:[0-9a-fA-F-]{30,40}\Z"),
        st.text(max_size=12),
        st.integers(),
        st.none(),
    )
)
def test_strings_match_the_original_validators_generated(value: Any) -> None:
    _same(STRING_PAIRS, value)


# ------------------------------------------------------------------ the passport


def _example(name: str) -> dict[str, Any]:
    data = json.loads((EXAMPLES / f"{name}.json").read_text(), parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    else:
        yield path


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


# Replacement values tried at every number (and string) leaf of the EV example passport.
NUMBER_REPLACEMENTS: list[Any] = [
    Decimal("-1"),
    Decimal(0),
    Decimal("-0"),
    Decimal("101"),
    Decimal("1E+41"),
    Decimal("1" * 35),
    Decimal("NaN"),
    1.5,
    True,
    "x",
    None,
]
STRING_REPLACEMENTS: list[Any] = ["x", None, Decimal(1), "https://example.com/a", "7440-48-5"]

OWN_ID = "<the passport's own identifier>"
"""Stands for the value of ``passport_id`` in :data:`CROSS_FIELD`."""

# Changes (path, value) to the EV example that break one cross-field rule each.
CROSS_FIELD: list[list[tuple[tuple[Any, ...], Any]]] = [
    [(("performance", "minimum_voltage_v"), Decimal(500))],
    [(("performance", "maximum_voltage_v"), Decimal(100))],
    [(("performance", "nominal_voltage_v"), Decimal(1000))],
    [(("performance", "idle_temperature_min_c"), Decimal(90))],
    [(("carbon_footprint", "total_kg_co2e_per_kwh"), Decimal("99.9"))],
    [(("carbon_footprint", "rounding_kg_co2e_per_kwh"), Decimal("0.001"))],
    [(("carbon_footprint", "end_of_life_kg_co2e_per_kwh"), Decimal("-0.5"))],
    [(("circularity", "recycled_content", 0, "total_percent"), Decimal(1))],
    [(("battery_id",), OWN_ID)],
    [(("predecessor_passport_id",), OWN_ID)],
    [(("predecessor_passport_id",), "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e")],
    [(("general", "category"), "lmt")],
    [(("general", "stationary_energy_storage"), True)],
    [(("general", "manufacturing_date"), "2099-01-01")],
    [(("general", "put_into_service_date"), "2000-01-01")],
    [(("issued_at",), "2000-01-01T00:00:00Z")],
    [(("state", "state_of_health", "measured_at"), "2099-01-01T00:00:00Z")],
    [(("state", "usage", "negative_events"), [{"occurred_on": "2099-01-01", "kind": "fire"}])],
    [(("materials", "element_masses", 1, "element"), "nickel")],
    [(("materials", "element_masses", 2, "element"), "nickel")],
    [
        (("materials", "element_masses", 3, "element"), "nickel"),
        (("materials", "element_masses", 4, "element"), "cobalt"),
    ],
    [(("circularity", "recycled_content", 1, "material"), "cobalt")],
    [
        (("circularity", "recycled_content", 0, "material"), "nickel"),
        (("circularity", "recycled_content", 1, "material"), "cobalt"),
        (("circularity", "recycled_content", 2, "material"), "cobalt"),
    ],
    [(("carbon_footprint", "rounding_kg_co2e_per_kwh"), None)],
    [
        (("carbon_footprint", "rounding_kg_co2e_per_kwh"), None),
        (("carbon_footprint", "total_kg_co2e_per_kwh"), Decimal("0.0520")),
    ],
    [
        (("carbon_footprint", "rounding_kg_co2e_per_kwh"), None),
        (("carbon_footprint", "total_kg_co2e_per_kwh"), Decimal("0.06")),
    ],
    [
        (("carbon_footprint", "rounding_kg_co2e_per_kwh"), None),
        (("carbon_footprint", "distribution_kg_co2e_per_kwh"), Decimal("1E-3")),
        (("carbon_footprint", "total_kg_co2e_per_kwh"), Decimal("5.4E-2")),
    ],
]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _issues(data: dict[str, Any]) -> list[Any]:
    try:
        parse_passport(data)
    except ValidationError as e:
        return [[list(i.path), i.message, i.legal_basis] for i in e.issues]
    return []


def observe() -> dict[str, Any]:
    """What parse_passport makes of the examples and of mutated documents: the snapshot."""
    out: dict[str, Any] = {}
    for name in ("ev-nmc", "lfp-storage", "lmt-ebike"):
        out[json.dumps(["parsed", name])] = repr(parse_passport(_example(name)).model_dump())
    base = _example("ev-nmc")
    for path in _leaves(base):
        leaf = _get(base, path)
        if isinstance(leaf, Decimal | int) and not isinstance(leaf, bool):
            replacements = NUMBER_REPLACEMENTS
        elif isinstance(leaf, str):
            replacements = STRING_REPLACEMENTS
        else:
            continue
        for value in replacements:
            data = _example("ev-nmc")
            _set(data, path, value)
            out[json.dumps(["ev-nmc", list(path), _encode(value)])] = _issues(data)
    for changes in CROSS_FIELD:
        data = _example("ev-nmc")
        for path, value in changes:
            _set(data, path, data["passport_id"] if value == OWN_ID else value)
        key = json.dumps(["ev-nmc", [[list(p), _encode(v)] for p, v in changes]])
        out[key] = _issues(data)
    return out


def _write_snapshot() -> None:
    lines = [
        f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}"
        for key, value in sorted(observe().items())
    ]
    SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def test_passport_issues_match_the_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text())
    got = json.loads(json.dumps(observe()))
    assert got.keys() == expected.keys()
    for key, issues in expected.items():
        assert got[key] == issues, key


if __name__ == "__main__":  # pragma: no cover - writes the snapshot, before a change only
    _write_snapshot()
