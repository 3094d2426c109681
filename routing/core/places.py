"""What the planning core needs of a gazetteer: plain data, described as protocols.

The project's gazetteer (`delivery.gazetteer`) has these fields; the core only
reads them, so it imports no app and any data with the same shape will do.
"""

from collections.abc import Hashable, Mapping
from typing import Protocol


class Place(Protocol):
    """One administrative unit: a regency, district or village."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent_code(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def is_village(self) -> bool: ...


class Area(Protocol):
    """A latitude/longitude box in WGS84 degrees."""

    @property
    def min_lat(self) -> float: ...
    @property
    def max_lat(self) -> float: ...
    @property
    def min_lon(self) -> float: ...
    @property
    def max_lon(self) -> float: ...
    def contains(self, lat: float, lon: float) -> bool: ...


class Gazetteer(Hashable, Protocol):
    """Every place of the service area by code, and the area's bounding box.

    Hashable (by identity is fine): the name index built from it is cached.
    """

    @property
    def places(self) -> Mapping[str, Place]: ...
    @property
    def service_area(self) -> Area: ...
    def get(self, code: str) -> Place | None: ...
    def label(self, code: str) -> str: ...
