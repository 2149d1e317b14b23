"""The rule for addresses that go into emails: in production a link must point where people can
reach it, never to this machine (loopback) or nowhere."""

from __future__ import annotations

import ipaddress
import urllib.parse

#: Longest public base address: a link built on it must still fit one header line.
MAX_PUBLIC_URL_LENGTH = 500


def public_url_problem(setting: str, url: str) -> str | None:
    """Why `url` cannot be the base of links in emails, or None if it can."""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{setting} must be an http(s) address people can reach, not {url!r}"
    if len(url) > MAX_PUBLIC_URL_LENGTH:
        return f"{setting} is longer than {MAX_PUBLIC_URL_LENGTH} characters"
    try:
        loopback = (
            ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
        )
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if loopback:
        return f"{setting} points to this machine ({url}); emails would carry links nobody can open"
    return None


def require_public_urls(environment: str, urls: dict[str, str]) -> None:
    """In production, refuse to start with a link base that is unset or loopback."""
    if environment != "production":
        return
    problems = [p for name, url in urls.items() if (p := public_url_problem(name, url))]
    if problems:
        raise ValueError("; ".join(problems) + " (ENVIRONMENT=production)")
