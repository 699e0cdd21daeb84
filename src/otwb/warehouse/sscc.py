"""SSCC: the 18-digit Serial Shipping Container Code that identifies a parcel (GS1 AI 00). Pure.

An SSCC is an extension digit (0-9, the company's choice), the company's GS1 Company Prefix
(7 to 10 digits), a serial reference (so that prefix and serial make 16 digits), and a check
digit computed by the GS1 modulo-10 algorithm: from the right, digits weigh 3, 1, 3, 1 ...; the
check digit takes the sum to the next multiple of ten.
"""

from __future__ import annotations

from otwb.platform.errors import InvalidInput

EXAMPLE_PREFIX = "0614141"
"""GS1's own example company prefix: what a tenant uses until it sets its own."""


def check_digit(digits: str) -> int:
    """The GS1 modulo-10 check digit of ``digits`` (the code without its check digit)."""
    if not digits.isdigit():
        raise InvalidInput(f"not digits: {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return int((10 - total % 10) % 10)


def check_prefix(company_prefix: str) -> None:
    if not (company_prefix.isdigit() and 7 <= len(company_prefix) <= 10):
        raise InvalidInput("a GS1 company prefix is 7 to 10 digits", field="company_prefix")


def capacity(company_prefix: str) -> int:
    """How many serial references the prefix leaves room for."""
    return int(10 ** (16 - len(company_prefix)))


def make(extension: int, company_prefix: str, serial: int) -> str:
    """The 18-digit SSCC of serial reference ``serial`` under ``company_prefix``."""
    check_prefix(company_prefix)
    if not 0 <= extension <= 9:
        raise InvalidInput("the extension digit is 0 to 9", field="extension_digit")
    if not 0 <= serial < capacity(company_prefix):
        raise InvalidInput(f"serial reference {serial} does not fit after {company_prefix}")
    body = f"{extension}{company_prefix}{serial:0{16 - len(company_prefix)}d}"
    return body + str(check_digit(body))


def is_valid(code: str) -> bool:
    return len(code) == 18 and code.isdigit() and int(code[-1]) == check_digit(code[:-1])
