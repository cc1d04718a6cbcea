"""Stage 2, model: the typed schema of a handbook (pydantic).

Plain data from ``load`` goes in; frozen, validated objects come out. Each
class checks only itself (types, unknown keys, ranges, its own cross-field
rules); checks across files (does a referenced role exist?) are the resolve
stage's job. ``rolebook schema`` writes the JSON Schema of these classes so
that editors autocomplete and flag mistakes while the content is typed.

Missing values stay missing (``None`` or an empty list): a salary the source
does not give is shown as «нет данных», never as zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from operator import attrgetter, itemgetter
from typing import Annotated, Literal, NamedTuple

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      PlainSerializer, PrivateAttr, StringConstraints, model_validator)
from pydantic import Strict as Exact
from pydantic.dataclasses import dataclass


class Strict(BaseModel):
    """Unknown keys are errors; values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True,
                              str_strip_whitespace=True)


def _number_as_id(value):
    # YAML reads `grade: 1` as an integer; grade ids like 1-4 are still names.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[str, Exact(), StringConstraints(pattern=ID_PATTERN, max_length=60),
               Field(description="Латиница в нижнем регистре, цифры и дефисы: key-account-manager")]
GradeId = Annotated[str, Exact(), BeforeValidator(_number_as_id),
                    StringConstraints(pattern=r"^[A-Za-z0-9]+$", max_length=10),
                    Field(description="Обозначение грейда или уровня: I, II, 1, 2, junior")]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control_characters(value: str) -> str:
    # Invisible characters pasted from other programs break HTML, CSV and PDF text.
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"contains the invisible control character U+{ord(found.group()):04X}; "
                         "delete it")
    return value


Text = Annotated[str, Exact(), StringConstraints(min_length=1, max_length=2000),
                 AfterValidator(_no_control_characters)]
Markdown = Annotated[str, StringConstraints(min_length=1, max_length=50_000),
                     AfterValidator(_no_control_characters),
                     Field(json_schema_extra={"contentMediaType": "text/markdown"})]
Amount = Annotated[int, Exact(),
                   Field(ge=1, le=10_000_000, description="Сумма в валюте зарплаты")]
Percent = Annotated[float, BeforeValidator(lambda v: float(v) if type(v) is int else v),
                    Field(ge=0, le=1000)]
Items = Annotated[list[Text], Field(default_factory=list)]


# --- handbook config ---------------------------------------------------------

class Organisation(Strict):
    name: Text = Field(description="Полное наименование: ООО «Пример»")
    short_name: Text | None = None
    city: Text = Field(description="Место составления документа: г. Москва")
    example: bool = Field(False, description="Организация условная (пример)")


class ApprovalByOfficial(Strict):
    by: Literal["official"]
    position: Text = Field(description="Должность утверждающего: Генеральный директор")
    name: Text = Field(description="И.О. Фамилия")


class ApprovalByOrder(Strict):
    by: Literal["order"]
    order_number: Text = Field(description="Номер приказа: 45-к")
    order_date: dt.date


class Signatory(Strict):
    position: Text
    name: Text = Field(description="И.О. Фамилия")


class Department(Strict):
    id: Id
    title: Text
    head: Id | None = Field(None, description="Роль руководителя отдела")


class SourceDoc(Strict):
    id: Text = Field(description="Имя файла источника")
    title: Text
    published: dt.date | None = None


class DocumentSettings(Strict):
    """The official job description (должностная инструкция)."""

    profile: Literal["gost-2025", "gost-2016"] = "gost-2025"
    approval: Annotated[ApprovalByOfficial | ApprovalByOrder, Field(discriminator="by")]
    date: dt.date = Field(description="Дата документа (дата утверждения)")
    number_prefix: Text = "ДИ"
    developer: Signatory | None = Field(None, description="Разработчик (руководитель подразделения)")
    agreed: list[Signatory] = Field(default_factory=list, description="СОГЛАСОВАНО")
    appointment: Text = Field(description="Кто назначает на должность и освобождает от неё")
    guided_by: Items
    kpi_section: bool = False
    pay_section: bool = False
    pay_amounts: bool = False
    acknowledgment_rows: int = Field(12, ge=0, le=200)
    employees: Text | None = Field(None, description="CSV со списком сотрудников для листа ознакомления")
    pdfa: bool = False
    qr: bool = False


class Handbook(Strict):
    """content/handbook.yaml"""

    title: Text
    description: Text | None = None
    base_url: Text | None = Field(None, description="Адрес опубликованного справочника")
    organisation: Organisation
    document: DocumentSettings
    departments: list[Department] = Field(min_length=1)
    sources: list[SourceDoc] = Field(default_factory=list)


# --- regions -----------------------------------------------------------------

class Region(Strict):
    id: Id
    name: Text = Field(description="Москва")
    name_locative: Text | None = Field(None, description="в Москве")


class Segment(Strict):
    id: Id
    name: Text


class Regions(Strict):
    """content/regions.yaml"""

    regions: list[Region] = Field(min_length=1)
    segments: list[Segment] = Field(default_factory=list)


# --- roles -------------------------------------------------------------------

class Requirements(Strict):
    education: Items
    experience: Items
    knowledge: Items
    skills: Items
    qualities: Items


class Level(Strict):
    id: GradeId
    title: Text
    experience: Text | None = Field(None, description="Требуемый опыт: от 1 года")
    experience_years: Percent | None = Field(None, description="Минимальный опыт в годах")
    description: Markdown | None = None
    salary_grade: GradeId | None = Field(None, description="Грейд зарплатной таблицы")


class Variable(Strict):
    symbol: Text
    meaning: Text


class KPI(Strict):
    id: Id
    name: Text
    formula: Text | None = Field(None, description="Формула; нижний индекс: N_{воз}")
    variables: list[Variable] = Field(default_factory=list)
    unit: Text | None = None
    better: Literal["higher", "lower"] | None = None
    description: Markdown | None = None


class PayShares(Strict):
    fixed: Percent | None = Field(None, description="Твёрдый оклад, %")
    soft: Percent | None = Field(None, description="Мягкий оклад, %")
    bonus: Percent | None = Field(None, description="Бонусная часть, %")

    @model_validator(mode="after")
    def _sum_to_hundred(self):
        shares = [self.fixed, self.soft, self.bonus]
        if None not in shares and abs(sum(shares) - 100) > 0.01:
            raise ValueError(f"shares add up to {sum(shares):g} %, not 100 %")
        return self


class BonusStep(Strict):
    plan_from: Percent | None = Field(None, description="Выполнение плана от, %")
    plan_to: Percent | None = Field(None, description="Выполнение плана до, %")
    reward: Text

    @model_validator(mode="after")
    def _ordered(self):
        if None not in (self.plan_from, self.plan_to) and self.plan_from > self.plan_to:
            raise ValueError(f"plan_from {self.plan_from:g} is greater than plan_to {self.plan_to:g}")
        return self


class BonusScale(Strict):
    title: Text | None = None
    base: Text | None = Field(None, description="От чего считается бонус: выручка")
    steps: list[BonusStep] = Field(min_length=1)


class PayStructure(Strict):
    shares: PayShares | None = None
    conditions: Items
    bonus_scales: list[BonusScale] = Field(default_factory=list)
    notes: Markdown | None = None


class Grade(Strict):
    id: GradeId
    title: Text
    requirement: Text | None = None


# A handbook holds some hundred salary bands per role. A band's file text is validated as
# a dataclass (``_Spec.Band``, the schema's «Band»), then kept as a ``Band``: a tuple of its
# values (no __dict__, no set of fields given, ids interned), which the model cache restores
# without a Python call (a dataclass took one per band: two thirds of reading a pack).
# A strict dataclass accepts only instances of itself, so strictness is set on the field
# types (Exact) rather than on the class.
_LEAF = ConfigDict(extra="forbid", str_strip_whitespace=True)
_Interned = AfterValidator(sys.intern)


class _Spec:
    """The classes that validate what a file says (their names are the schema's)."""

    @dataclass(config=_LEAF, frozen=True, slots=True)
    class Band:
        """One salary figure of the source: a range, an «up to», a point or a median."""

        region: Annotated[Id, _Interned] | None = Field(
            None, description="Регион; пусто — в целом по рынку")
        segment: Annotated[Id, _Interned] | None = None
        grade: Annotated[GradeId, _Interned] | None = Field(
            None, description="Грейд; пусто — регион и сегмент в целом")
        min: Amount | None = None
        max: Amount | None = None
        median: Amount | None = None
        value: Amount | None = Field(None, description="Одна цифра без диапазона")
        note: Text | None = None

        @model_validator(mode="after")
        def _shape(self):
            if self.value is not None and (self.min, self.max, self.median) != (None, None, None):
                raise ValueError("a band with value cannot also have min, max or median")
            if self.min is not None and self.max is None:
                raise ValueError(f"min {self.min} has no max; an open range is not supported")
            if None not in (self.min, self.max) and self.min > self.max:
                raise ValueError(f"min {self.min} is greater than max {self.max}")
            if (self.min, self.max, self.median, self.value) == (None, None, None, None):
                raise ValueError("a band needs a figure (min and max, max, value or median); "
                                 "leave a missing band out and it shows as «нет данных»")
            return self


try:  # the field of a named tuple (collections.namedtuple's own): read as fast as a slot
    from _collections import _tuplegetter as _field
except ImportError:  # not CPython
    def _field(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)


class Band(tuple):
    """One salary figure of the source, validated: (region, segment, grade, min, max,
    median, value, note), each also by its name."""

    __slots__ = ()
    FIELDS = tuple(f.name for f in dataclasses.fields(_Spec.Band))  # the order of the values

    region: str | None = _field(0, "the region (None: the market as a whole)")
    segment: str | None = _field(1, "the segment of employers")
    grade: str | None = _field(2, "the grade (None: the region and segment as a whole)")
    min: int | None = _field(3, "the lower end of a range")
    max: int | None = _field(4, "the upper end of a range, or an «up to» figure")
    median: int | None = _field(5, "the median")
    value: int | None = _field(6, "a single figure without a range")
    note: str | None = _field(7, "a note")

    @classmethod
    def of(cls, spec: "_Spec.Band", _values=attrgetter(*FIELDS)) -> "Band":
        return cls(_values(spec))

    def as_dict(self) -> dict:
        return dict(zip(self.FIELDS, self))

    def __repr__(self) -> str:
        return "Band(" + ", ".join(f"{n}={v!r}" for n, v in zip(self.FIELDS, self)) + ")"

    @property
    def kind(self) -> Literal["range", "up_to", "point"]:
        if self.min is not None:
            return "range"
        if self.max is not None:
            return "up_to"
        return "point"


_ValidBand = Annotated[_Spec.Band, AfterValidator(Band.of), PlainSerializer(Band.as_dict)]


class BandSummary(NamedTuple):
    """What the cross-checks and the salary comparison ask of all of a role's bands at
    once. Found when the file is validated and kept with its model in the model cache:
    a rebuild of a large handbook would otherwise go over its million bands again."""

    regions: frozenset[str | None]   # the regions named (None: the market as a whole)
    segments: frozenset[str | None]
    grades: frozenset[str | None]    # None: a region and segment as a whole
    top: int | None                  # the largest figure (a range's min is below its max)
    distinct: bool                   # no two bands of the same region, segment and grade
    medians_inside: bool             # every median of a range inside it

    @classmethod
    def of(cls, bands: list[Band]) -> "BandSummary":
        region, segment, grade, _, high, median, value, _ = zip(*bands) if bands else ((),) * 8
        figures = {*high, *median, *value} - {None}
        return cls(frozenset(region), frozenset(segment), frozenset(grade),
                   max(figures, default=None),
                   len(set(zip(region, segment, grade))) == len(bands),
                   all(b.median is None or b.min is None or b.min <= b.median <= b.max
                       for b in bands))


class Salary(Strict):
    currency: Literal["RUB"] = "RUB"
    period: Literal["month"] = "month"
    source: Text = Field(description="Источник (id из handbook.yaml sources)")
    as_of: dt.date | None = None
    grades: list[Grade] = Field(default_factory=list)
    bands: list[_ValidBand] = Field(default_factory=list)
    notes: Markdown | None = None
    _summary: BandSummary = PrivateAttr()

    def model_post_init(self, context, /) -> None:
        self._summary = BandSummary.of(self.bands)

    @property
    def summary(self) -> BandSummary:
        """The bands' regions, segments, grades, largest figure and consistency."""
        return self._summary


class CareerStep(Strict):
    role: Id | None = Field(None, description="Роль справочника")
    title: Text | None = Field(None, description="Должность вне справочника")
    note: Text | None = None

    @model_validator(mode="after")
    def _target(self):
        if (self.role is None) == (self.title is None):
            raise ValueError("give either role (a role of the handbook) or title (any other position)")
        return self


class Career(Strict):
    paths_in: list[CareerStep] = Field(default_factory=list)
    paths_out: list[CareerStep] = Field(default_factory=list)


class Aspect(Strict):
    aspect: Text
    this: Text
    other: Text


class Comparison(Strict):
    role: Id
    summary: Markdown | None = None
    aspects: list[Aspect] = Field(default_factory=list)


class Revision(Strict):
    number: int = Field(ge=1)
    basis: Text = Field(description="Основание: приказ от 05.06.2025 № 45-к")
    date: dt.date


class Role(Strict):
    """content/roles/<id>.yaml"""

    id: Id
    title: Text
    title_genitive: Text | None = Field(None, description="Заголовок ДИ в родительном падеже")
    code: Annotated[str, StringConstraints(pattern=r"^[A-ZА-ЯЁ0-9]{1,10}$")] = Field(
        description="Код для номера документа: КАМ")
    category: Literal["head", "specialist"]
    department: Id
    sources: list[Text] = Field(min_length=1, description="Источники; первый — основной")
    summary: Markdown
    clients: Text | None = Field(None, description="Число клиентов на одного сотрудника")
    reports_to: list[Id] = Field(default_factory=list, description="Роли справочника, которым подчиняется")
    reports_to_other: Text | None = Field(
        None, description="Кому подчиняется, если это должность вне справочника, в дательном "
                          "падеже: генеральному директору")
    manages: list[Id] = Field(default_factory=list, description="Роли справочника в подчинении")
    manages_other: Items = Field(description="Другие подчинённые: младшие менеджеры")
    substitute: Text | None = None
    appointment: Text | None = None
    guided_by: Items
    requirements: Requirements = Requirements()
    levels: list[Level] = Field(default_factory=list)
    functions: Items
    duties: Items
    rights: Items
    responsibilities: Items
    relationships: Items
    kpis: list[KPI] = Field(default_factory=list)
    pay: PayStructure | None = None
    salary: Salary | None = None
    career: Career = Career()
    comparisons: list[Comparison] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list)


# --- pages -------------------------------------------------------------------

class Page(Strict):
    """Front matter of content/pages/<id>.md"""

    title: Text
    summary: Text | None = None
    order: int = 100
    sources: list[Text] = Field(default_factory=list)
    roles: list[Id] = Field(default_factory=list, description="Связанные роли")


class FieldNames(frozenset):
    """A model's set of given fields, shared by many models (they are frozen): a copy
    is a set of its own, which ``model_copy(update=...)`` adds the updated names to."""

    def __copy__(self) -> set:
        return set(self)

    def __deepcopy__(self, memo: dict) -> set:
        return set(self)


def share_equal_values(model: BaseModel, shared: dict) -> None:
    """Give equal values of the handbook's models one object: the set of given fields that
    pydantic keeps per model (some 16 KB a role, with only a few distinct ones), and equal
    texts (rights, duties and requirements often repeat from role to role)."""
    given = FieldNames(model.__pydantic_fields_set__)
    object.__setattr__(model, "__pydantic_fields_set__", shared.setdefault(given, given))
    values = model.__dict__
    for name, value in values.items():  # replacing a value keeps the keys: safe while iterating
        if type(value) is str:
            values[name] = shared.setdefault(value, value)
        elif isinstance(value, BaseModel):
            share_equal_values(value, shared)
        elif type(value) is list and value:
            if type(value[0]) is str:
                value[:] = [shared.setdefault(item, item) for item in value]
            elif isinstance(value[0], BaseModel):
                for item in value:
                    share_equal_values(item, shared)
