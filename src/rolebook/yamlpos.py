"""YAML with positions: text in, plain data plus a map of where each value sits.

PyYAML's safe loader forgets where a value came from, keeps the last of two
duplicate keys, and expands aliases and merge keys (an 820-byte merge-key
document takes it tens of seconds and hundreds of megabytes). Handbook files
are edited by hand and errors must point at ``file:line:col``, so this module
lets YAML compose the node tree (cheap: an alias is the same node again) and
then builds the data itself: it refuses aliases, merge keys and duplicate
keys, and records the line and column of every value under its path
(``("salary", "bands", 3, "min")``).

Positions are wanted only when something is wrong, so ``parse`` first reads a
text the quick way, from YAML's events and without positions; anything out
of the ordinary (an anchor, a tag, a duplicate key, a syntax error) sends the
text to the exact reading, which gives the positions and words every problem
message is made of. Both readings refuse and accept the same texts and build
the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """Data parsed from one YAML text, with the position of every value (``positions``
    is empty when the text was read without them)."""

    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest ancestor."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found:
                return found
        return (1, 1)


class YamlProblem(Exception):
    """A YAML text that cannot become handbook data, with its position."""

    def __init__(self, line: int, column: int, message: str):
        self.line, self.column, self.message = line, column, message
        super().__init__(f"{line}:{column}: {message}")


def _pos(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


# libyaml's parser is about ten times faster than PyYAML's own; both compose
# an alias as the very node of its anchor, which is how aliases are found.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str, positions: bool = False) -> Located:
    """Parse one YAML document; raise ``YamlProblem`` with a position on failure.

    With ``positions``, the result holds the position of every value.
    """
    if not positions:
        try:
            return Located(_read_quickly(text))
        except Exception:  # noqa: BLE001 - the exact reading decides, and words the problem
            pass
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(text, exc) from None
    try:
        if _may_nest_deeper(text) or _ANCHOR_HINT.search(text):
            _check_events(text)
        node = loader.get_single_node()
        located = Located(None)
        if node is not None:
            located.data = _build(loader, node, (), located.positions, set())
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and any(words in f"{exc.context} {exc.problem}" for words in _AT_START):
            mark = exc.context_mark  # an unclosed quote: where it opens, not the end of the file
        raise YamlProblem(*_pos(mark), _yaml_message(exc, text)) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(text, exc) from None
    finally:
        loader.dispose()


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG, _NULL_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:null"
# The scalar tags the quick reading constructs; any other goes to the exact reading.
_QUICK_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null",
                                                        "timestamp")}
_NO_KEY = object()  # a mapping waiting for its next key, not for a value


class _Unusual(Exception):
    """Something the quick reading leaves to the exact one."""


def _read_quickly(text: str) -> Any:
    """The data of a plain YAML document, built from libyaml's events in one loop.

    Raises ``_Unusual`` (or YAML's own error) at anything a handbook file refuses or that
    needs a closer look: anchors, aliases, tags, merge keys, keys that are not words,
    duplicate keys, deep nesting, a second document, a value its constructor rejects.
    """
    loader = _Loader(text)
    try:
        get, implicit = loader.get_event, loader.yaml_implicit_resolvers
        constructors = loader.yaml_constructors
        get()  # the stream's start
        if type(get()) is yaml.StreamEndEvent:
            return None
        root: list = []
        stack: list = [root]  # the open collections, innermost last
        keys: list = [None]   # per open collection: a mapping's key awaiting its value
        while True:
            event = get()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    raise _Unusual
                value, tag = event.value, event.tag
                if tag is None or tag == "!":
                    tag = _STR_TAG
                    if event.implicit[0]:  # a plain scalar: YAML 1.1 reads 1, yes, 2025-01-01
                        for candidate, pattern in implicit.get(value[:1], ()):
                            if pattern.match(value):
                                tag = candidate
                                break
                if tag != _STR_TAG:
                    value = _scalar(loader, constructors, tag, value, event)
                container = None
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                tag = event.tag
                if event.anchor is not None or len(stack) > MAX_DEPTH or (
                        tag is not None and tag != "!" and tag not in _PLAIN_TAGS):
                    raise _Unusual
                value = container = {} if kind is yaml.MappingStartEvent else []
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                keys.pop()
                continue
            elif kind is yaml.DocumentEndEvent:
                break
            else:  # an alias
                raise _Unusual
            parent = stack[-1]
            if type(parent) is dict:
                key = keys[-1]
                if key is _NO_KEY:  # this value is a key
                    if container is not None or tag == _MERGE_TAG or type(value) not in (str, int):
                        raise _Unusual
                    key = str(value)
                    if key in parent:
                        raise _Unusual
                    keys[-1] = key
                    continue
                parent[key] = value
                keys[-1] = _NO_KEY
            else:
                parent.append(value)
            if container is not None:
                stack.append(container)
                keys.append(_NO_KEY)
        if type(get()) is not yaml.StreamEndEvent:
            raise _Unusual  # a second document
        return root[0]
    finally:
        loader.dispose()


def _scalar(loader, constructors: dict, tag: str, value: str, event: yaml.ScalarEvent) -> Any:
    """A scalar that is not text, as its constructor makes it (the common ones written out:
    a role holds hundreds of amounts)."""
    if tag == _INT_TAG and value.isdigit() and value[0] != "0":  # 0 starts an octal number
        return int(value)
    if tag == _NULL_TAG:
        return None
    if tag not in _QUICK_TAGS:
        raise _Unusual
    return constructors[tag](loader, yaml.ScalarNode(tag, value, event.start_mark,
                                                     event.end_mark))


def position(text: str, path: Path_) -> tuple[int, int]:
    """Where the value at ``path`` of a text that parses sits (or its nearest ancestor):
    ``parse(text, positions=True).position(path)``, reading only as far as the value."""
    path = tuple(path)
    best, best_path = (1, 1), None
    for found, place in _places(text):
        if found == path[: len(found)]:  # the value or one of its ancestors
            best, best_path = place, found
            if len(found) == len(path):
                break
        elif best_path is not None and found[: len(best_path)] != best_path:
            break  # past the block of the nearest ancestor: the value is not in the text
    return best


def _places(text: str):
    """(path, position) of every value of a parsing text in the order of the text, with
    the positions of ``parse(text, positions=True)`` (a nested block: where its key is)."""
    loader = _Loader(text)
    try:
        get, implicit, constructors = loader.get_event, loader.yaml_implicit_resolvers, \
            loader.yaml_constructors
        path: list = []
        keys: list = []  # per open collection: None for a list, else the key awaiting a value
        counts: list = []  # per open list: the index of its next item
        key_place = None
        while True:
            event = get()
            kind = type(event)
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                keys.pop()
                counts.pop()
                if path:
                    path.pop()
                continue
            if kind in (yaml.StreamEndEvent, yaml.DocumentEndEvent):
                return
            if kind not in (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent):
                continue
            collection = kind is not yaml.ScalarEvent
            place = _pos(event.start_mark)
            if keys and keys[-1] is _NO_KEY:  # this scalar is a key of the open mapping
                keys[-1] = _key(loader, event, implicit, constructors)
                key_place = place
                continue
            if keys and keys[-1] is not None:  # the value of a mapping's key
                step, keys[-1] = keys[-1], _NO_KEY
                yield (*path, step), key_place if collection else place
            elif keys:  # an item of a list
                step = counts[-1]
                counts[-1] += 1
                yield (*path, step), place
            else:
                step = None
                yield (), place
            if collection:
                if step is not None:
                    path.append(step)
                keys.append(_NO_KEY if kind is yaml.MappingStartEvent else None)
                counts.append(0)
    finally:
        loader.dispose()


def _key(loader, event, implicit, constructors) -> str:
    """A mapping key as the exact reading makes it (``1:`` is the key "1")."""
    value, tag = event.value, event.tag
    if tag is None or tag == "!":
        tag = _STR_TAG
        if event.implicit[0]:
            tag = next((t for t, pattern in implicit.get(value[:1], ()) if pattern.match(value)),
                       _STR_TAG)
    if tag == _STR_TAG:
        return value
    return str(constructors[tag](loader, yaml.ScalarNode(tag, value, event.start_mark,
                                                         event.end_mark)))


# Handbook data nests a few levels; libyaml composes recursively and crashes the
# interpreter (a segmentation fault) on some ten thousand, so deep text is refused first.
MAX_DEPTH = 50


def _may_nest_deeper(text: str) -> bool:
    """A cheap upper bound on the nesting: the deepest brackets plus the widest indentation."""
    depth = deepest = 0
    for bracket in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    indent = max(map(len, re.findall(r"(?m)^[ \t-]*", text)), default=0)
    return deepest + indent > MAX_DEPTH


# Something that may be an anchor (`key: &name value`); the events tell for sure. An
# anchor alone is harmless, but it is there to be aliased, which handbook files refuse.
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]")


def _check_events(text: str) -> None:
    """From YAML's events (not recursive): refuse anchors and more than ``MAX_DEPTH`` levels."""
    loader = _Loader(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            if anchor is not None and not isinstance(event, yaml.AliasEvent):
                raise YamlProblem(*_pos(event.start_mark), (
                    f"anchors (&{anchor}) and aliases are not allowed in handbook files; "
                    "write the value out in full"))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(*_pos(event.start_mark), (
                        f"lists and blocks are nested more than {MAX_DEPTH} levels deep here; "
                        "handbook files need only a few levels: check the brackets and "
                        "the indentation"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> YamlProblem:
    """A character YAML does not allow (control characters), at its line and column."""
    before = text[: exc.position]
    if _Loader is not yaml.SafeLoader:  # libyaml counts bytes of UTF-8, not characters
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    return YamlProblem(line, column, f"the character U+{exc.character:04X} is not allowed "
                                     "in YAML; delete it (it is often pasted in invisibly)")


# What to do about libyaml's complaints (matched by a part of its wording).
_YAML_HINTS = {
    "quoted scalar": "a quote opened here is never closed",
    "mapping values are not allowed": "text with ': ' in it must be put in quotes; "
                                      "or check this line's indentation",
    "could not find expected ':'": "write 'name: value' (with a colon and a space), "
                                   "or put text with special characters in quotes",
    "expected key": "check this line's indentation: the fields of one block start "
                    "in the same column",
    "expected '-' indicator": "check this line's indentation: the items of one list start "
                              "in the same column",
    "expected ',' or ']'": "close the list with ']', or put a value with a comma or colon "
                           "in quotes",
    "expected ',' or '}'": "close the block with '}', or put a value with a comma or colon "
                           "in quotes",
    "cannot start any token": "a value starting with ` @ % or another special character must "
                              "be put in quotes",
    "undefined alias": "a value cannot start with '*' unless it is put in quotes",
    "another document": "a file holds one document: remove the '---' line",
    "could not determine a constructor": "YAML tags (!something) are not allowed in "
                                         "handbook files; remove the tag",
}

_AT_START = ("quoted scalar", "could not find expected ':'")  # reported where the thing began


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or "invalid YAML"
    if _tab_at(text, exc.problem_mark):
        return "a tab character cannot indent YAML; indent with spaces"
    if exc.context and exc.context_mark and exc.problem_mark \
            and exc.context_mark.line != exc.problem_mark.line:
        line, column = _pos(exc.context_mark)
        message = f"invalid YAML: {exc.context} (started at line {line}, column {column}), {problem}"
    elif exc.context:
        message = f"invalid YAML: {exc.context}, {problem}"
    else:
        message = f"invalid YAML: {problem}"
    hints = [hint for words, hint in _YAML_HINTS.items() if words in f"{exc.context} {problem}"]
    return f"{message}; {hints[0]}" if hints else message


def _tab_at(text: str, mark: yaml.Mark | None) -> bool:
    """Is there a tab on the problem's line, up to the problem? (libyaml does not say.)"""
    if mark is None:
        return False
    lines = text.splitlines()
    return mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]


# A list or a mapping with a tag (!!python/object/apply, !!set, !!omap) would be read as a
# plain one here: refuse it, as the safe loader refuses unknown tags on scalars.
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _build(loader, node: yaml.Node, path: Path_, positions: dict, seen: set) -> Any:
    if id(node) in seen:
        raise YamlProblem(*_pos(node.start_mark),
                          "this value is reused elsewhere through a YAML anchor (&) and alias (*); "
                          "aliases are not allowed in handbook files: write the value out in full")
    seen.add(id(node))
    positions[path] = _pos(node.start_mark)
    if node.tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(*_pos(node.start_mark), f"the YAML tag {tag} is not allowed in "
                                                  "handbook files; remove the tag")
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(loader, node, path, positions, seen)
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (i,), positions, seen)
                for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:  # 2025-13-01 looks like a date but is none
        raise YamlProblem(*_pos(node.start_mark), f"'{node.value}' is not valid: {exc}") from None


def _build_mapping(loader, node: yaml.MappingNode, path: Path_, positions: dict,
                   seen: set) -> dict:
    result: dict = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise YamlProblem(*_pos(key_node.start_mark),
                              "merge keys (<<) are not allowed in handbook files; "
                              "write the keys out in full")
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem(*_pos(key_node.start_mark), "a key must be a plain word")
        key = loader.construct_object(key_node)
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            raise YamlProblem(*_pos(key_node.start_mark),
                              f"a key must be a word, not {key!r}")
        key = str(key)
        if key in result:
            first = positions[path + (key,)]
            raise YamlProblem(*_pos(key_node.start_mark),
                              f"duplicate key '{key}' (first at line {first[0]}); "
                              "YAML would silently keep only the last one")
        child = path + (key,)
        value = _build(loader, value_node, child, positions, seen)
        # Errors about a nested block point at its key, where a person looks.
        if isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
            positions[child] = _pos(key_node.start_mark)
        result[key] = value
    return result
