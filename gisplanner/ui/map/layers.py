"""The map's layer model: plain Python objects with events, no Qt (as napari's layers).

A :class:`Layer` is one entry of the layer panel: a key (its ``name``), a title, whether it is
``visible``, its ``opacity`` (0 … 1), its place in the draw order ``z``, its legend rows and its
``data`` (for the route layer the route dicts, for a feature's overlay the graphics it gives;
the built-in layers are drawn from the widget's ``MapData``). Setting a property fires that
property's event (``layer.events.visible.connect(callback)``); a callback gets a
:class:`LayerEvent` (type, layer, value, old).

A :class:`LayerList` holds the layers in draw order, bottom first, and reads like the dict it
replaces (``layers[key]``, ``key in layers``, ``layers.items()``). Its events: ``inserted``,
``removed``, ``moved`` (the order changed) and ``changed`` (any property of any layer, for a
layer panel that redraws on every change). The selection layer stays on top whatever order is
asked for.

The view (``canvas.MapWidget``) draws the layers through pyqtgraph and reacts to these events;
the layer panel edits the model and never touches the widget's graphics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

LAYER_DEFS = [
    # key, title, z, visible by default
    ("basemap", "底图（瓦片）", -100, False),
    ("areas", "走访覆盖（村/社区）", -50, True),
    ("needs", "下轮需求（补课/重点/回头）", -40, True),
    ("outlines", "行政区界线", -30, True),
    ("roads", "道路", -20, True),
    ("density", "住户密度（缩小时）", -10, True),
    ("households", "群众家庭", 0, True),
    ("enterprises", "企业与名士", 2, True),
    ("offices", "村（居）委会", 4, True),
    ("problems", "问题（未办结/超期）", 6, True),
    ("routes", "走访路线", 8, True),
    ("labels", "地名标注", 12, True),
    ("selection", "选中对象", 30, True),  # always drawn on top (LayerList.top)
]


@dataclass
class LayerEvent:
    """What a callback receives: ``type`` (the property or list operation), the layer, the new
    value and the old one (for a move: the old and new index)."""

    type: str
    layer: Layer | None
    value: Any = None
    old: Any = None


class EventEmitter:
    """A list of callbacks (no Qt signal): ``connect``, ``disconnect``, ``emit``, ``blocked()``."""

    def __init__(self, type_: str):
        self.type = type_
        self._callbacks: list[Callable[[LayerEvent], Any]] = []
        self._blocked = 0

    def connect(self, callback: Callable[[LayerEvent], Any]) -> Callable:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable | None = None) -> None:
        """Remove one callback (all of them when None); unknown callbacks are ignored."""
        if callback is None:
            self._callbacks.clear()
        elif callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, layer: Layer | None = None, value: Any = None, old: Any = None) -> None:
        if self._blocked:
            return
        event = LayerEvent(self.type, layer, value, old)
        for cb in list(self._callbacks):
            cb(event)

    @contextmanager
    def blocked(self):
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1

    def forward(self, event: LayerEvent) -> None:
        """Pass another emitter's event on unchanged (a list's ``changed`` carries its layers')."""
        if not self._blocked:
            for cb in list(self._callbacks):
                cb(event)

    def __len__(self) -> int:
        return len(self._callbacks)


class _Events:
    """A group of emitters addressed by attribute (``events.visible``)."""

    def __init__(self, names: Iterable[str]):
        self._names = tuple(names)
        for n in self._names:
            setattr(self, n, EventEmitter(n))

    def __iter__(self) -> Iterator[EventEmitter]:
        return (getattr(self, n) for n in self._names)

    @contextmanager
    def blocked(self):
        """No event fires inside (e.g. an export that shows other layers for a moment)."""
        for e in self:
            e._blocked += 1
        try:
            yield
        finally:
            for e in self:
                e._blocked -= 1


def _clamp01(v) -> float:
    return min(max(float(v), 0.0), 1.0)


class Layer:
    """One layer: name (key), title, visible, opacity, z, legend, data; an event per property."""

    PROPERTIES = ("title", "subtitle", "visible", "opacity", "z", "legend", "data")
    _COERCE = {
        "visible": bool,
        "opacity": _clamp01,
        "z": float,
        "legend": list,
        "title": str,
        "subtitle": str,
    }

    def __init__(
        self, name: str, title: str = "", *, visible: bool = True, opacity: float = 1.0, z: float = 0.0,
        legend: list | None = None, data: Any = None, overlay: bool = False,
    ):  # fmt: skip
        self.name = name
        self.overlay = overlay  # registered by a feature (MapWidget.add_overlay / overlay_layer)
        self.events = _Events(self.PROPERTIES)
        self._title, self._visible, self._opacity = str(title or name), bool(visible), _clamp01(opacity)
        self._z, self._legend, self._data = float(z), list(legend or []), data
        self._subtitle = ""  # e.g. the round the coverage colours show: "title · subtitle"

    @property
    def key(self) -> str:
        return self.name

    def _set(self, prop: str, value) -> None:
        coerce = self._COERCE.get(prop)
        if coerce is not None:
            value = coerce(value)
        old = getattr(self, "_" + prop)
        setattr(self, "_" + prop, value)
        # data and legend are compared by identity (arrays, lists of graphics): a new value fires
        same = old is value if prop in ("data", "legend") else old == value
        if not same:
            getattr(self.events, prop).emit(self, value, old)

    title = property(lambda self: self._title, lambda self, v: self._set("title", v))
    subtitle = property(lambda self: self._subtitle, lambda self, v: self._set("subtitle", v))
    visible = property(lambda self: self._visible, lambda self, v: self._set("visible", v))
    opacity = property(lambda self: self._opacity, lambda self, v: self._set("opacity", v))
    z = property(lambda self: self._z, lambda self, v: self._set("z", v))
    legend = property(lambda self: self._legend, lambda self, v: self._set("legend", v))
    data = property(lambda self: self._data, lambda self, v: self._set("data", v))

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, visible={self.visible}, opacity={self.opacity:g}, z={self.z:g})"


class LayerList(Mapping):
    """The layers in draw order, bottom first; ``top`` keys are kept last (drawn above all)."""

    def __init__(self, layers: Iterable[Layer] = (), top: Iterable[str] = ("selection",)):
        self.top = tuple(top)
        self._layers: dict[str, Layer] = {}
        self.events = _Events(("inserted", "removed", "moved", "changed"))
        for layer in layers:
            self._attach(layer)
            self._layers[layer.name] = layer

    @classmethod
    def default(cls) -> LayerList:
        """The built-in layers of the map (LAYER_DEFS)."""
        return cls(Layer(k, t, z=z, visible=v) for k, t, z, v in LAYER_DEFS)

    # -- mapping (as the dict it replaces) -------------------------------------------------------
    def __getitem__(self, key: str) -> Layer:
        return self._layers[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._layers))

    def __len__(self) -> int:
        return len(self._layers)

    def find(self, key: str) -> Layer | None:
        return self._layers.get(key)

    def index(self, key: str) -> int:
        return list(self._layers).index(key)

    def keys_top_first(self) -> list[str]:
        return list(self._layers)[::-1]

    # -- edits ------------------------------------------------------------------------------------
    def _attach(self, layer: Layer) -> None:
        for emitter in layer.events:
            emitter.connect(self._bubble)

    def _detach(self, layer: Layer) -> None:
        for emitter in layer.events:
            emitter.disconnect(self._bubble)

    def _bubble(self, event: LayerEvent) -> None:
        self.events.changed.forward(event)

    def insert(self, index: int, layer: Layer) -> Layer:
        if layer.name in self._layers:
            raise ValueError(f"图层 {layer.name} 已存在")
        keys = list(self._layers)
        keys.insert(index, layer.name)
        self._attach(layer)
        self._layers[layer.name] = layer
        self._layers = {k: self._layers[k] for k in keys}
        self._notify("inserted", layer, keys.index(layer.name))
        return layer

    def append(self, layer: Layer) -> Layer:
        """At the top, but below the ``top`` layers."""
        below_top = [k for k in self._layers if k not in self.top]
        return self.insert(len(below_top), layer)

    def add_by_z(self, layer: Layer) -> Layer:
        """Insert under the ``top`` layers, above the layers with a lower ``z`` (an overlay says
        where it belongs by its z), then number z in list order."""
        keys = [k for k in self._layers if k not in self.top]
        pos = next((i for i, k in enumerate(keys) if self._layers[k].z > layer.z), len(keys))
        self.insert(pos, layer)
        self._renumber()
        self._notify("moved", layer, self.index(layer.name))
        return layer

    def remove(self, key: str) -> Layer:
        layer = self._layers.pop(key)
        self._detach(layer)
        self._notify("removed", layer)
        return layer

    def move(self, key: str, index: int) -> None:
        """Move one layer to ``index`` (bottom first); the top layers stay on top."""
        keys = list(self._layers)
        old = keys.index(key)
        keys.insert(min(max(index, 0), len(keys) - 1), keys.pop(old))
        self.set_order(keys)

    def set_order(self, keys: list[str]) -> None:
        """Draw order, bottom first; layers not named keep their place relative to each other.
        The ``top`` layers stay on top whatever the order asked for; z is renumbered."""
        before = list(self._layers)
        rest = [k for k in self._layers if k not in keys]
        order = [k for k in keys if k in self._layers] + rest
        self._layers = {k: self._layers[k] for k in order}
        self._renumber()
        self._notify("moved", None, list(self._layers), before)

    def _notify(self, kind: str, layer: Layer | None, value=None, old=None) -> None:
        getattr(self.events, kind).emit(layer, value, old)
        self.events.changed.forward(LayerEvent(kind, layer, value, old))

    def _renumber(self) -> None:
        """z in list order with the top layers last: never buried by an overlay."""
        order = [k for k in self._layers if k not in self.top] + [k for k in self.top if k in self._layers]
        self._layers = {k: self._layers[k] for k in order}
        for i, k in enumerate(order):
            self._layers[k].z = -100 + i * 10

    @contextmanager
    def quiet(self):
        """No event from the list or any layer inside (the caller redraws itself afterwards)."""
        with ExitStack() as stack:
            stack.enter_context(self.events.blocked())
            for layer in list(self._layers.values()):
                stack.enter_context(layer.events.blocked())
            yield

    def legend_entries(self) -> list[tuple[str, str, list]]:
        """(key, title, legend rows) in draw order, top first (a subtitle adds ``· text``)."""
        out = []
        for key in self.keys_top_first():
            layer = self._layers[key]
            title = f"{layer.title} · {layer.subtitle}" if layer.subtitle else layer.title
            out.append((key, title, layer.legend))
        return out
