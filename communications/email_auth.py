"""Who really sent a message: the verdicts our own receiving mail server stamped.

The From header is whatever the sender typed. What proves it is the receiving server's check
of SPF, DKIM and DMARC, written into `Authentication-Results` (RFC 8601). Anyone can write
such a header too, so only those whose authserv-id we configured count
(`EMAIL_TRUSTED_AUTHSERV_IDS`), and of those only the topmost: our server adds its own above
whatever the message carried. Parsing is `authres` (the RFC 8601 parser of the dkimpy
authors); alignment compares organizational domains from the Public Suffix List.

Pure Python, no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import authres
from publicsuffixlist import PublicSuffixList


@dataclass(frozen=True)
class SenderVerdict:
    """What the trusted verdicts say of the From domain."""

    verified: bool
    spoofed: bool  # the From domain's own DMARC policy says this message is not theirs
    detail: str

    @classmethod
    def unverified(cls, detail: str) -> SenderVerdict:
        return cls(verified=False, spoofed=False, detail=detail)


@cache
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """The registrable domain (acme.com.br for mail.acme.com.br), as DMARC aligns them."""
    domain = domain.strip().strip(".").lower()
    return _public_suffixes().privatesuffix(domain) or domain


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed DMARC alignment: both belong to the same organizational domain."""
    if not domain or not from_domain:
        return False
    return organizational_domain(domain) == organizational_domain(from_domain)


def sender_verdict(
    header_values: list[str], *, from_domain: str, trusted_ids: list[str] | tuple[str, ...]
) -> SenderVerdict:
    """Judge the From domain by the topmost trusted Authentication-Results header.

    Verified: DMARC passes for the From domain; or, where the receiving server reports no
    DMARC result (or `none`: the domain publishes no policy), SPF or DKIM passes for a
    domain aligned with it. DMARC `fail` is a spoof: the domain itself disowns the message.
    """
    trusted = {value.strip().lower() for value in trusted_ids if value.strip()}
    if not trusted:
        return SenderVerdict.unverified("no trusted authentication server is configured")
    header = _topmost_trusted(header_values, trusted)
    if header is None:
        return SenderVerdict.unverified("no Authentication-Results from our mail server")
    from_domain = from_domain.lower()
    dmarc = [r for r in header.results if r.method.lower() == "dmarc"]
    for result in dmarc:
        header_from = _property(result, "header", "from")
        if header_from and header_from.lower() != from_domain:
            continue  # a verdict about another domain says nothing of this one
        verdict = (result.result or "").lower()
        if verdict == "pass":
            return SenderVerdict(verified=True, spoofed=False, detail=f"dmarc=pass ({from_domain})")
        if verdict == "fail":
            return SenderVerdict(verified=False, spoofed=True, detail=f"dmarc=fail ({from_domain})")
        if verdict != "none":
            return SenderVerdict.unverified(f"dmarc={verdict} ({from_domain})")
    for result in header.results:
        if (result.result or "").lower() != "pass":
            continue
        method = result.method.lower()
        if method == "spf":
            mail_from = _property(result, "smtp", "mailfrom") or ""
            domain = mail_from.rsplit("@", 1)[-1]
            if aligned(domain, from_domain):
                return SenderVerdict(verified=True, spoofed=False, detail=f"spf=pass ({domain})")
        elif method == "dkim":
            domain = _property(result, "header", "d") or ""
            if not domain:
                identity = _property(result, "header", "i") or ""
                domain = identity.rsplit("@", 1)[-1]
            if aligned(domain, from_domain):
                return SenderVerdict(verified=True, spoofed=False, detail=f"dkim=pass ({domain})")
    return SenderVerdict.unverified(f"no passing check aligned with {from_domain}")


def _topmost_trusted(header_values: list[str], trusted: set[str]):
    """The topmost header naming a trusted server; unreadable, it counts as no verdict (a
    forged copy further down must not stand in for ours)."""
    for value in header_values:
        value = " ".join(value.split())
        authserv_id = value.split(";", 1)[0].split(" ", 1)[0].strip().lower()
        if authserv_id not in trusted:
            continue
        try:
            return authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # authres raises its own SyntaxError and friends on garbage
            return None
    return None


def _property(result, kind: str, name: str) -> str | None:
    for prop in result.properties:
        if (prop.type or "").lower() == kind and (prop.name or "").lower() == name:
            return str(prop.value or "").strip().strip("<>")
    return None
