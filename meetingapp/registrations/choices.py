"""Choice lists of the registration form: countries (ISO 3166-1, from pycountry), named
in the page's language (CLDR names through Babel; pycountry's English name otherwise)."""

from functools import lru_cache

import pycountry
from babel import Locale

from ..text import fold


@lru_cache(maxsize=8)
def _countries_in(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(language).territories
    pairs = ((c.alpha_2, c.name if language == "en" else names.get(c.alpha_2, c.name))
             for c in pycountry.countries)
    return tuple(sorted(pairs, key=lambda pair: fold(pair[1])))


def _language(language: str | None) -> str:
    if language:
        return language
    from ..i18n import current_language

    return current_language()


def countries(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (alpha-2 code, name), sorted by name, in ``language``
    (default: the page's language)."""
    return _countries_in(_language(language))


@lru_cache(maxsize=8)
def _names(language: str) -> dict[str, str]:
    return dict(_countries_in(language))


def country_name(code: str | None, language: str | None = None) -> str:
    """The name of an ISO alpha-2 code in ``language`` (default: the page's); the code
    itself if unknown."""
    if not code:
        return ""
    return _names(_language(language)).get(code.upper(), code)


def is_country(code: str | None) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code."""
    return bool(code) and code.upper() in _names("en")
