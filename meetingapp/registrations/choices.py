"""Choice lists of the registration form: countries (ISO 3166-1, from pycountry)."""

from functools import lru_cache

import pycountry

from ..text import fold


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (alpha-2 code, English name), sorted by name."""
    pairs = ((c.alpha_2, c.name) for c in pycountry.countries)
    return tuple(sorted(pairs, key=lambda pair: fold(pair[1])))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return dict(countries())


def country_name(code: str | None) -> str:
    """The English name of an ISO alpha-2 code; the code itself if unknown."""
    if not code:
        return ""
    return _names().get(code.upper(), code)


def is_country(code: str | None) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code."""
    return bool(code) and code.upper() in _names()
