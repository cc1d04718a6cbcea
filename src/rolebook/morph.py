"""Russian inflection of position titles (pymorphy3).

A position title in, its genitive («менеджера по работе с клиентами», the
heading of a job description) or dative («руководителю отдела продаж», after
«подчиняется») out. Only the head noun and the words that agree with it are
declined; the dependent groups after the head stay as they are:

    Руководитель отдела продаж        -> руководителя отдела продаж
    Старший менеджер по продажам      -> старшего менеджера по продажам
    Аккаунт-менеджер                  -> аккаунт-менеджера

Each result says whether the derivation is sure. It is not sure when a word
is unknown to the dictionary, when the readings of the head noun disagree on
the form, when no head noun is found, or when both parts of a hyphenated
noun were declined (инженер-конструктор, but not шеф-повар): ``rolebook
check`` reports those, and the role can state its title explicitly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import Problem
    from .load import Document
    from .model import Role

_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁёA-Za-z0-9]+)*|[A-Za-z0-9]+(?:-[А-Яа-яЁёA-Za-z0-9]+)+")
TITLE_CACHE = "titles.json"
_AGREEING = {"ADJF", "PRTF", "NUMR"}  # words that take the head noun's case: старший, ведущий


@dataclass(frozen=True)
class Inflected:
    """A declined title; ``doubt`` says why it may be wrong (empty when sure)."""

    text: str
    doubt: str = ""

    @property
    def sure(self) -> bool:
        return not self.doubt


class Inflector:
    """Declines position titles; loads the dictionary once (about 0.1 s), when first needed.

    With a ``cache`` folder, the titles of roles (``role_titles``) are kept in
    ``titles.json`` there, keyed by the title and the versions of rolebook's
    declension and of pymorphy3: an unchanged title is not declined again
    (about 15 ms a title). ``save_cache`` writes the titles used since.
    Within one inflector, a word is analysed once and a title declined once:
    the titles of a large handbook share most of their words.
    """

    def __init__(self, cache: "Path | None" = None):
        self._morph = None
        self.cache_file = Path(cache) / TITLE_CACHE if cache is not None else None
        self._cached = _read_title_cache(self.cache_file)
        self._used: dict[str, list] = {}
        self._parses: dict[str, list] = {}  # lowercase word -> pymorphy3's parses
        self._nouns: dict[str, list] = {}   # word -> its parses as a nominative noun
        # Forms found, by word and case (and head noun): pymorphy3's inflecting is most of
        # a title's time, and a large handbook's titles decline the same words again.
        self._declined: dict[tuple[str, str], tuple[str, str]] = {}
        self._agreed: dict[tuple[str, str, str], tuple[str, str]] = {}

    @property
    def morph(self):
        if self._morph is None:
            import pymorphy3

            self._morph = pymorphy3.MorphAnalyzer()
        return self._morph

    # -- public ------------------------------------------------------------------
    def genitive(self, title: str) -> Inflected:
        """«Менеджер по продажам» -> «менеджера по продажам»."""
        return self.inflect(title, "gent")

    def dative(self, title: str) -> Inflected:
        """«Руководитель отдела продаж» -> «руководителю отдела продаж»."""
        return self.inflect(title, "datv")

    def inflect(self, title: str, case: str, both_parts: bool | None = None) -> Inflected:
        """Decline the head noun of ``title`` and the words before it that agree with it.

        ``both_parts`` says whether both parts of a hyphenated head noun change
        (инженер-конструктор) or only the last (аккаунт-менеджер); None: guess.
        """
        words = list(_WORD.finditer(title))
        head = self._head(words)
        if head is None:
            return Inflected(_lower_first(title), "no noun in the nominative case found")
        parts, doubts = [], []
        position = 0
        for index, match in enumerate(words[: head + 1]):
            form, doubt = (self._noun(match.group(), case, both_parts) if index == head
                           else self._agreeing(match.group(), words[head].group(), case))
            parts += [title[position: match.start()], _same_case(match.group(), form)]
            position = match.end()
            doubts += [doubt] if doubt else []
        text = "".join(parts) + title[position:]
        return Inflected(_lower_first(text), "; ".join(doubts))

    # -- the head noun -------------------------------------------------------------
    def _head(self, words: list[re.Match]) -> int | None:
        """Index of the head noun: the first nominative noun not preceded by a dependent word."""
        for index, match in enumerate(words):
            word = match.group()
            noun = next((w.group() for w in words[index + 1:]
                         if self._nominative_nouns(_last_part(w.group()))), None)
            if noun is not None and self._agrees(word, noun):
                continue  # an adjective before its noun: «Старший менеджер», «Главная … сестра»
            if self._nominative_nouns(_last_part(word)):
                return index
            return None  # a title starts with its head or with words agreeing with it
        return None

    def _parse(self, word: str) -> list:
        """pymorphy3's parses of a lowercase word (analysed once per inflector)."""
        found = self._parses.get(word)
        if found is None:
            found = self._parses[word] = self.morph.parse(word)
        return found

    def _nominative_nouns(self, word: str) -> list:
        found = self._nouns.get(word)
        if found is None:
            found = self._nouns[word] = [p for p in self._parse(word.lower())
                                         if p.tag.POS == "NOUN" and p.tag.case == "nomn"]
        return found

    def _noun(self, word: str, case: str, both_parts: bool | None) -> tuple[str, str]:
        """Decline a (possibly hyphenated) head noun."""
        first, _, last = word.rpartition("-")
        form, doubt = self._decline_noun(last, case)
        if not first:
            return form, doubt
        if both_parts is not None:
            first_form = self._decline_noun(first, case)[0] if both_parts else first
            return f"{first_form}-{form}", doubt
        if self._is_person(first):  # инженер-конструктор: both nouns change
            first_form, _ = self._decline_noun(first, case)
            return f"{first_form}-{form}", doubt or (
                f"both parts of «{word}» were declined; if the first part does not change "
                f"(like «шеф» in «шеф-повар»), state the title explicitly")
        return f"{first}-{form}", doubt  # аккаунт-менеджер: the first part is invariable

    def _decline_noun(self, word: str, case: str) -> tuple[str, str]:
        found = self._declined.get((word, case))
        if found is None:
            found = self._declined[word, case] = self._declined_noun(word, case)
        return found

    def _declined_noun(self, word: str, case: str) -> tuple[str, str]:
        parses = self._nominative_nouns(word)
        if not parses:
            return word, f"«{word}» is not a noun in the nominative case"
        forms = {f.word for p in parses if (f := p.inflect({case}))}
        best = parses[0].inflect({case})
        form = best.word if best else word
        if not all(p.is_known for p in parses):
            return form, f"«{word}» is not in the dictionary"
        if len(forms) > 1:
            return form, f"«{word}» may decline as {' or '.join(sorted(forms))}"
        return form, ""

    def _is_person(self, word: str) -> bool:
        parses = self._nominative_nouns(word)
        return bool(parses) and parses[0].is_known and parses[0].tag.animacy == "anim"

    # -- agreeing words --------------------------------------------------------------
    def _agrees(self, word: str, noun: str) -> bool:
        return self._agreeing_parse(word, noun) is not None

    def _agreeing_parse(self, word: str, noun: str):
        nouns = self._nominative_nouns(_last_part(noun))
        for parse in self._parse(word.lower()):
            if parse.tag.POS in _AGREEING and parse.tag.case == "nomn" and any(
                    _same_gender_number(parse.tag, n.tag) for n in nouns):
                return parse
        return None

    def _agreeing(self, word: str, noun: str, case: str) -> tuple[str, str]:
        key = (word, _last_part(noun), case)  # all of the noun that agreement looks at
        found = self._agreed.get(key)
        if found is None:
            found = self._agreed[key] = self._agreeing_form(word, noun, case)
        return found

    def _agreeing_form(self, word: str, noun: str, case: str) -> tuple[str, str]:
        parse = self._agreeing_parse(word, noun)
        form = parse.inflect({case}) if parse is not None else None
        if form is None:
            return word, f"«{word}» could not be declined"
        return form.word, "" if parse.is_known else f"«{word}» is not in the dictionary"

    # -- roles -----------------------------------------------------------------------
    def role_titles(self, role: "Role", document: "Document",
                    warnings: list["Problem"]) -> tuple[str, str]:
        """The genitive (an explicit ``title_genitive`` wins) and dative of a role's title.

        A derivation that is not sure is appended to ``warnings`` at the role's title.
        """
        key = f"{role.title}\0{role.title_genitive or ''}"
        found = self._used.get(key) or self._cached.get(key) or list(self._derive_titles(role))
        self._used[key] = found
        genitive, dative, doubts = found
        warnings.extend(document.problem(("title",), doubt) for doubt in doubts)
        return genitive, dative

    def save_cache(self) -> None:
        """Write the titles used since this inflector was made (none: nothing to write)."""
        if self.cache_file is None or self._used == self._cached:
            return
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.cache_file.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump({"version": _declension_version(), "titles": self._used}, file,
                          ensure_ascii=False)
            os.replace(temporary, self.cache_file)
        except OSError:
            pass  # a read-only handbook folder works without a cache

    def _derive_titles(self, role: "Role") -> tuple[str, str, list[str]]:
        """Genitive, dative and the doubts about them (messages for warnings)."""
        doubts: list[str] = []
        dative = self.dative(role.title)
        if role.title_genitive:
            genitive = Inflected(role.title_genitive)
            dative = self._dative_like(role.title, role.title_genitive) or dative
        else:
            genitive = self.genitive(role.title)
            if not genitive.sure:
                doubts.append(
                    f"title: the genitive «{genitive.text}» for the job description heading is "
                    f"a guess ({genitive.doubt}); set title_genitive if it is wrong")
        if not dative.sure and genitive.sure:  # one warning per doubtful title is enough
            doubts.append(
                f"title: the dative «{dative.text}» (used in «подчиняется …») is a guess "
                f"({dative.doubt})")
        return genitive.text, dative.text, doubts


    def _dative_like(self, title: str, genitive: str) -> Inflected | None:
        """The dative declined the way the explicit genitive shows (шеф-повара -> шеф-повару)."""
        for both_parts in (False, True):
            if self.inflect(title, "gent", both_parts).text.lower() == genitive.lower():
                return Inflected(self.inflect(title, "datv", both_parts).text)
        return None


def _declension_version() -> str:
    """What a cached declension depends on: rolebook, this module's code, pymorphy3."""
    from importlib.metadata import version

    from . import __version__

    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"{__version__}\0{source}\0{version('pymorphy3')}\0{version('pymorphy3-dicts-ru')}"


def _read_title_cache(path: Path | None) -> dict[str, list]:
    """The cached titles: key -> [genitive, dative, [doubt, ...]]; {} if missing or unusable."""
    if path is None:
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("version") != _declension_version():
            return {}
        return {key: [value[0], value[1], list(value[2])]
                for key, value in stored["titles"].items()
                if isinstance(key, str) and isinstance(value, list) and len(value) == 3
                and isinstance(value[0], str) and isinstance(value[1], str)
                and isinstance(value[2], list) and all(isinstance(d, str) for d in value[2])}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return {}


def _last_part(word: str) -> str:
    return word.rpartition("-")[2]


def _same_gender_number(adjective, noun) -> bool:
    if adjective.number != noun.number:
        return False
    # Common-gender nouns (сирота) carry the grammeme ms-f instead of a gender.
    return noun.number == "plur" or adjective.gender == noun.gender or "ms-f" in noun


def _same_case(original: str, form: str) -> str:
    """Give ``form`` the capitals of ``original``, part by part (IT-директор, РОП)."""
    originals, forms = original.split("-"), form.split("-")
    if len(originals) != len(forms):
        return form
    return "-".join(_case_like(o, f) for o, f in zip(originals, forms))


def _case_like(original: str, form: str) -> str:
    if original.isupper() and len(original) > 1:
        return form.upper()
    if original[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def _lower_first(text: str) -> str:
    """Lowercase the first letter unless the first word is an abbreviation (IT-директор)."""
    first = text.split(" ", 1)[0].split("-", 1)[0]
    if len(first) > 1 and first.isupper() or not first[:1].isupper():
        return text
    return text[:1].lower() + text[1:]
