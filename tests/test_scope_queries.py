"""A town official's queries never return another town's rows; district/city roll-ups add up.

Runs on the two-town demo (36,000 households) on both backends.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gisplanner.access.roles import bind_user
from gisplanner.access.scope import ScopeError, UserScope, bound_users, rollup
from gisplanner.store.area_tree import AreaTree
from gisplanner.store.model import Area, Target


def _towns(store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(Area.id).where(Area.level == "town").order_by(Area.code)))


def _villages_of(store, town: int) -> set[int]:
    with store.session() as s:
        return set(s.scalars(select(Area.id).where(Area.parent_id == town, Area.level == "village")))


def test_the_demo_has_two_towns(backend_city_store):
    towns = _towns(backend_city_store)
    assert len(towns) == 2
    a, b = (_villages_of(backend_city_store, t) for t in towns)
    assert a and b and not a & b


def test_town_user_sees_only_their_town(backend_city_store):
    store = backend_city_store
    town_a, town_b = _towns(store)
    villages_a, villages_b = _villages_of(store, town_a), _villages_of(store, town_b)
    scope = UserScope.for_area(store, town_a, user="xueyan_official")
    assert scope.village_ids == villages_a

    frame = store.targets_frame(scope=scope)
    assert len(frame) > 10_000
    assert set(frame["area_id"]) <= villages_a
    with store.session() as s:
        in_a = s.scalar(
            select(Target.id).where(Target.area_id.in_(villages_a)).order_by(Target.id.desc()).limit(1)
        )
        total_a = len(s.scalars(select(Target.id).where(Target.area_id.in_(villages_a))).all())
    assert len(frame) == total_a and in_a in set(frame["id"])
    # latest outcomes and open problems are counted for this town's targets only
    assert frame["last_outcome"].notna().any() and frame["open_problems"].sum() > 0

    # asking explicitly for the other town's villages gives nothing
    assert store.targets_frame(area_ids=sorted(villages_b), scope=scope).empty
    # areas: the town and its villages, nothing of the other town or above
    areas = store.areas_gdf(scope=scope)
    assert set(areas["id"]) == villages_a | {town_a}
    # the scope condition works in any query
    with store.session() as s:
        ids_b = s.scalars(select(Target.id).where(scope.where(), Target.area_id.in_(villages_b))).all()
    assert ids_b == []


def test_town_user_cannot_drill_into_another_town(backend_city_store):
    store = backend_city_store
    town_a, town_b = _towns(store)
    scope = UserScope.for_area(store, town_a)
    village_b = min(_villages_of(store, town_b))
    with pytest.raises(ScopeError, match="不在您的管辖范围"):
        scope.drill_down(store, village_b)
    narrow = scope.drill_down(store, min(_villages_of(store, town_a)))
    assert narrow.level == "village" and len(narrow.village_ids) == 1


def test_district_rollup_adds_up_and_drills_down(backend_city_store):
    store = backend_city_store
    idx = AreaTree.load(store, whole=True)
    city = int(idx.frame.index[idx.frame["level"] == "city"][0])
    city_scope = UserScope.for_area(store, city, user="city_office")
    by_district = rollup(store, city_scope)
    assert set(by_district["level"]) == {"district"}
    with store.session() as s:
        total = len(s.scalars(select(Target.id)).all())
    assert by_district["targets"].sum() == total
    assert (by_district["visited"] <= by_district["targets"]).all()
    assert (by_district["met"] <= by_district["visited"]).all()

    district = int(by_district["area_id"].iloc[0])
    towns = rollup(store, city_scope.drill_down(store, district))
    assert set(towns["level"]) == {"town"} and len(towns) == 2
    assert towns["targets"].sum() == by_district.loc[by_district["area_id"] == district, "targets"].sum()

    # a town's own figures equal its row in the district roll-up
    town = int(towns["area_id"].iloc[1])
    per_village = rollup(store, UserScope.for_area(store, town), round_id=None)
    assert set(per_village["level"]) == {"village"}
    row = towns[towns["area_id"] == town].iloc[0]
    for col in ("targets", "households", "visited", "met", "open_problems"):
        assert per_village[col].sum() == row[col], col
    # the town's roll-up agrees with its own target frame
    frame = store.targets_frame(scope=UserScope.for_area(store, town))
    assert per_village["targets"].sum() == len(frame)
    assert per_village["visited"].sum() == frame["last_visit"].notna().sum()
    assert per_village["open_problems"].sum() == frame["open_problems"].sum()


def test_children_of_a_district_are_its_towns(backend_city_store):
    store = backend_city_store
    with store.session() as s:
        district = s.scalar(select(Area.id).where(Area.level == "district"))
    kids = UserScope.for_area(store, district).children(store)
    assert [k.level for k in kids] == ["town", "town"]
    assert not kids[0].village_ids & kids[1].village_ids


def test_users_are_bound_to_areas_in_the_database(two_towns):
    store, ids = two_towns
    bind_user(store, "xueyan", ids["A"])
    bind_user(store, "wujin", ids["district"])
    assert bound_users(store) == {"xueyan": ids["A"], "wujin": ids["district"]}
    scope = UserScope.for_user(store, "xueyan")
    assert scope.village_ids == {ids["A1"], ids["A2"]} and scope.user == "xueyan"
    assert set(store.targets_frame(scope=scope)["id"]) == set(ids["targets_A"])
    bind_user(store, "xueyan", ids["B"])  # re-binding replaces the old area
    assert set(store.targets_frame(scope=UserScope.for_user(store, "xueyan"))["id"]) == set(ids["targets_B"])
    with pytest.raises(ScopeError, match="尚未绑定"):
        UserScope.for_user(store, "nobody")
    with pytest.raises(ScopeError, match="找不到"):
        bind_user(store, "ghost", 999_999)
