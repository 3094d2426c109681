"""A plan as GeoJSON (RFC 7946: longitude first) for the dispatcher's map."""

from typing import Any

from routing.models import RoutePlan
from routing.selectors import route_plan_with_routes


def _point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def plan_geojson(plan: RoutePlan) -> dict[str, Any]:
    """Office, other bases, stops (numbered, with promised window) and route lines."""
    office = plan.office
    features = [_point(office.lon, office.lat, {"kind": "depot", "name": office.name})]
    for route in route_plan_with_routes(plan):
        stops = list(route.stops.all())
        name, lat, lon = route.base()
        if route.base_lat is not None and (lat, lon) != (office.lat, office.lon):
            properties = {"kind": "base", "name": name, "courier_id": route.courier_id}
            features.append(_point(lon, lat, properties))
        line = [[lon, lat]]
        for stop in stops:
            line.append([stop.lon, stop.lat])
            features.append(
                _point(
                    stop.lon,
                    stop.lat,
                    {
                        "kind": "stop",
                        "courier_id": route.courier_id,
                        "sequence": stop.sequence,
                        "eta_start_at": stop.eta_start_at.isoformat(),
                        "eta_end_at": stop.eta_end_at.isoformat(),
                        "deliveries": [item.delivery_id for item in stop.items.all()],
                        "locked": stop.locked,
                    },
                )
            )
        line.append([lon, lat])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "kind": "route",
                    "courier_id": route.courier_id,
                    "courier": str(route.courier),
                    "distance_m": route.distance_m,
                    "duration_s": route.duration_s,
                    "stops": len(stops),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
