"""Box-and-arrow diagrams: nodes and edges in, the geometry of an SVG drawing out.

The org chart and the career ladder are small directed graphs. This module
places them in layers (a simple Sugiyama layout: break cycles, assign each
node to the layer after its deepest predecessor, order each layer by the
average position of its neighbours, then centre parents over children) and
returns boxes with wrapped text lines and orthogonal edge paths. Drawing is
left to a template (``html/diagram.html``), so the markup stays in the theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOX_WIDTH = 208
LINE_HEIGHT = 18
CAPTION_HEIGHT = 16
PADDING = 10
H_GAP = 28
V_GAP = 48
MARGIN = 12
CHARS_PER_LINE = 23  # 14px text in a 208px box, Cyrillic letters


@dataclass
class Node:
    """One box: ``kind`` is "role", "external" (outside the handbook) or "other"."""

    id: str
    text: str
    kind: str = "role"
    href: str | None = None
    caption: str | None = None      # a small line above the text: «подчиняется»
    group: int = 0                  # colour group (department index)
    current: bool = False           # drawn highlighted
    # Set by ``layout``:
    lines: list[str] = field(default_factory=list)
    x: float = 0
    y: float = 0
    width: float = BOX_WIDTH
    height: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def caption_y(self) -> float:
        """Baseline of the caption line."""
        return self.y + PADDING + 10

    @property
    def text_y(self) -> float:
        """Baseline of the first text line."""
        return self.y + PADDING + (CAPTION_HEIGHT if self.caption else 0) + 13


@dataclass
class Edge:
    source: str
    target: str
    title: str | None = None         # shown as a tooltip
    dashed: bool = False
    path: str = ""                   # SVG path data, set by ``layout``


@dataclass
class Diagram:
    """A laid-out diagram: boxes, edges and the size of the drawing."""

    id: str                          # unique on its page; prefixes element ids
    title: str
    nodes: list[Node]
    edges: list[Edge]
    upward: bool = False             # arrows point up (career ladder: juniors at the bottom)
    width: float = 0
    height: float = 0


def wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def layout(diagram: Diagram) -> Diagram:
    """Place every node and route every edge of ``diagram``; returns it."""
    ids = [node.id for node in diagram.nodes]
    edges = [(e.source, e.target) for e in diagram.edges
             if e.source in ids and e.target in ids and e.source != e.target]
    kept = _acyclic(ids, edges)
    if diagram.upward:  # the last positions on top, each as high as where it leads allows
        layers = _layers(ids, [(target, source) for source, target in kept])
    else:               # bosses on top, each right under its lowest boss
        layers = _layers(ids, kept)
    layers = _order(layers, edges)
    nodes = {node.id: node for node in diagram.nodes}
    for node in diagram.nodes:
        node.lines = wrap(node.text)
        node.height = 2 * PADDING + len(node.lines) * LINE_HEIGHT + \
            (CAPTION_HEIGHT if node.caption else 0)
    _place(layers, nodes, edges)
    _route_all(diagram.edges, nodes)
    diagram.width = max((n.x + n.width for n in diagram.nodes), default=0) + MARGIN
    diagram.height = max((n.y + n.height for n in diagram.nodes), default=0) + MARGIN
    return diagram


def _acyclic(ids: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges without those that close a cycle (found by a depth-first walk)."""
    out: dict[str, list[str]] = {i: [] for i in ids}
    for source, target in edges:
        out[source].append(target)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for start in ids:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(out[start]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    return [edge for edge in edges if edge not in back]


def _layers(ids: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Each node one layer below its deepest predecessor (longest path)."""
    incoming: dict[str, list[str]] = {i: [] for i in ids}
    for source, target in edges:
        incoming[target].append(source)
    depth: dict[str, int] = {}

    def visit(node: str) -> int:
        if node not in depth:
            depth[node] = 0  # guards against a cycle that slipped through
            depth[node] = max((visit(p) + 1 for p in incoming[node]), default=0)
        return depth[node]

    for node in ids:
        visit(node)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in ids:  # keeps the caller's order within a layer
        layers[depth[node]].append(node)
    return layers


def _order(layers: list[list[str]], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Reorder layers by the mean position of neighbours, down and up, a few times."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for source, target in edges:
        down.setdefault(source, []).append(target)
        up.setdefault(target, []).append(source)
    for _sweep in range(4):
        for i in range(1, len(layers)):
            _sort_by(layers[i], layers[i - 1], up)
        for i in range(len(layers) - 2, -1, -1):
            _sort_by(layers[i], layers[i + 1], down)
    return layers


def _sort_by(layer: list[str], fixed: list[str], neighbours: dict[str, list[str]]) -> None:
    position = {node: i for i, node in enumerate(fixed)}

    def key(item: tuple[int, str]) -> float:
        index, node = item
        around = [position[n] for n in neighbours.get(node, ()) if n in position]
        return sum(around) / len(around) if around else index

    layer[:] = [node for _, node in sorted(enumerate(layer), key=key)]


def _place(layers: list[list[str]], nodes: dict[str, Node],
           edges: list[tuple[str, str]]) -> None:
    """Vertical positions by layer; horizontal ones centred over neighbours."""
    y = MARGIN
    for layer in layers:
        for node in layer:
            nodes[node].y = y
        y += max(nodes[n].height for n in layer) + V_GAP
    for layer in layers:
        for i, node in enumerate(layer):
            nodes[node].x = MARGIN + i * (BOX_WIDTH + H_GAP)
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for source, target in edges:
        down.setdefault(source, []).append(target)
        up.setdefault(target, []).append(source)
    widest = max(range(len(layers)), key=lambda i: len(layers[i]), default=0)
    # The widest layer stays; layers above centre over what they lead to (their
    # neighbours in the next layer), layers below under what leads to them.
    for i in range(widest - 1, -1, -1):
        _centre(layers[i], set(layers[i + 1]), nodes, down, up)
    for i in range(widest + 1, len(layers)):
        _centre(layers[i], set(layers[i - 1]), nodes, up, down)
    left = min((n.x for n in nodes.values()), default=MARGIN)
    for node in nodes.values():
        node.x += MARGIN - left


def _centre(layer: list[str], reference: set[str], nodes: dict[str, Node],
            near: dict[str, list[str]], far: dict[str, list[str]]) -> None:
    """Move each node of a layer over its neighbours in the ``reference`` layer.

    Neighbours are looked up in ``near`` (edges towards the reference layer), then in
    ``far`` (edges the other way, when a layout reversed them); order and gaps are kept.
    """
    desired = []
    for node in layer:
        around = [nodes[n].cx for n in near.get(node, ()) if n in reference] or \
            [nodes[n].cx for n in far.get(node, ()) if n in reference] or \
            [nodes[n].cx for n in near.get(node, []) + far.get(node, [])]
        desired.append(sum(around) / len(around) - BOX_WIDTH / 2 if around else nodes[node].x)
    for node, x in zip(layer, _spread(desired, BOX_WIDTH + H_GAP)):
        nodes[node].x = x


def _spread(desired: list[float], step: float) -> list[float]:
    """Positions as close to ``desired`` as possible, in order, at least ``step`` apart.

    Overlapping neighbours are merged into blocks placed at the mean of what their
    members want (the pool-adjacent-violators idea), so a crowd spreads both ways.
    """
    blocks: list[list[float]] = []  # [start, count, sum of (desired - offset in block)]
    for want in desired:
        blocks.append([want, 1, want])
        while len(blocks) > 1 and blocks[-2][0] + blocks[-2][1] * step > blocks[-1][0]:
            last = blocks.pop()
            block = blocks[-1]
            block[2] += last[2] - last[1] * block[1] * step
            block[1] += last[1]
            block[0] = block[2] / block[1]
    positions = []
    for start, count, _ in blocks:
        positions += [start + i * step for i in range(int(count))]
    return positions


def _route_all(edges: list[Edge], nodes: dict[str, Node]) -> None:
    """Route every edge; edges from different boxes into one gap get their own lane."""
    bottoms: dict[float, float] = {}
    for node in nodes.values():
        bottoms[node.y] = max(bottoms.get(node.y, 0), node.y + node.height)
    routed = [e for e in edges if e.source in nodes and e.target in nodes]
    bends: dict[int, float] = {}
    for edge in routed:
        source, target = nodes[edge.source], nodes[edge.target]
        if target.y > source.y:
            bends[id(edge)] = target.y - V_GAP / 2
        elif target.y < source.y:
            bends[id(edge)] = bottoms[target.y] + V_GAP / 2
    gaps: dict[float, list[float]] = {}
    for edge in routed:
        if id(edge) in bends:
            lanes = gaps.setdefault(bends[id(edge)], [])
            if nodes[edge.source].cx not in lanes:
                lanes.append(nodes[edge.source].cx)
    for edge in routed:
        bend = bends.get(id(edge))
        if bend is not None:
            lanes = sorted(gaps[bend])
            bend += (lanes.index(nodes[edge.source].cx) - (len(lanes) - 1) / 2) * 8
        edge.path = _route(nodes[edge.source], nodes[edge.target], bend)


def _route(source: Node, target: Node, bend: float | None) -> str:
    """An elbow from the edge of one box to the facing edge of the other, turning at ``bend``."""
    if target.y > source.y:
        x1, y1, x2, y2 = source.cx, source.y + source.height, target.cx, target.y
    elif target.y < source.y:
        x1, y1, x2, y2 = source.cx, source.y, target.cx, target.y + target.height
    else:  # same layer: a side-to-side link
        if target.x > source.x:
            return f"M{source.x + source.width:.0f},{source.y + 20:.0f} H{target.x:.0f}"
        return f"M{source.x:.0f},{source.y + 20:.0f} H{target.x + target.width:.0f}"
    if abs(x1 - x2) < 1:
        return f"M{x1:.0f},{y1:.0f} V{y2:.0f}"
    return f"M{x1:.0f},{y1:.0f} V{bend:.0f} H{x2:.0f} V{y2:.0f}"
