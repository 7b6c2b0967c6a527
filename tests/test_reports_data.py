"""The printouts' data (gisplanner.reporting.printouts): plan order, masking, settings, print log — no Qt."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from test_reports_fixture import planned_db, write_plan  # noqa: F401 - planned_db is a fixture

from gisplanner.codes import mask_phone
from gisplanner.reporting.printouts.common import (
    PrintContext,
    ReportError,
    log_print,
)
from gisplanner.reporting.printouts.contact import Contact, ContactError, MissingContactError, set_contact
from gisplanner.reporting.printouts.contact_card import build_contact_cards
from gisplanner.reporting.printouts.problem_forms import build_problem_forms
from gisplanner.reporting.printouts.problem_list import build_problem_lists
from gisplanner.reporting.printouts.route_sheet import build_route_sheets
from gisplanner.reporting.printouts.survey_forms import build_household_forms, build_village_forms
from gisplanner.store.model import CLOSED_STATUSES, Area, PrintLog, Problem, Route, RouteStop, Target, Team


@pytest.fixture
def planned(planned_db):  # noqa: F811 - the imported fixture
    from gisplanner.store.database import Store

    path, plan = planned_db
    store = Store.open(path)
    yield store, plan
    store.close()


def test_route_sheet_stops_follow_the_plan_with_masked_phones(planned):
    store, plan = planned
    sheets = build_route_sheets(store, plan["round"])
    assert len(sheets) == 6
    with store.session() as s:
        for sheet in sheets:
            route = s.get(Route, sheet.route_id)
            assert [st.target.id for st in sheet.stops] == [st.target_id for st in route.stops]
            assert [st.code for st in sheet.stops] == [st.code for st in route.stops]
            for st in sheet.stops:
                raw = s.get(Target, st.target.id).phone
                assert st.target.phone == mask_phone(raw) and "****" in st.target.phone
            # the map frames every stop and the office
            minx, miny, maxx, maxy = sheet.map.bounds
            for st in sheet.stops:
                assert minx < st.x < maxx and miny < st.y < maxy
            assert sheet.map.office is not None and sheet.map.areas
    first = sheets[0]
    assert [m.role for m in first.team.members] == ["组长", "组员"]
    assert all("****" in m.phone for m in first.team.members)
    assert first.team.office_name.endswith(("村委会", "居委会"))
    # one booklet per team, its sessions in time order; the sheet number is the route id
    keys = [(s.team.id, s.session_start) for s in sheets]
    assert keys == sorted(keys)
    assert [s.sheet_no for s in sheets] == [s.route_id for s in sheets]
    assert [s.team_sheet for s in sheets[:2]] == [(1, 2), (2, 2)]


def test_unmasked_print_shows_full_numbers(planned):
    store, plan = planned
    sheet = build_route_sheets(store, plan["round"], PrintContext(unmasked=True))[0]
    with store.session() as s:
        raw = s.get(Target, sheet.stops[0].target.id).phone
    assert sheet.stops[0].target.phone == raw


def test_round_without_routes_is_explained(demo_store):
    with pytest.raises(ReportError, match="还没有路线"):
        build_route_sheets(demo_store, 2)
    with pytest.raises(ReportError, match="组建走访小组"):
        build_contact_cards(demo_store, 2)


def test_contact_cards_carry_the_configured_contact_and_team_phone(demo_store_copy):
    store, plan = demo_store_copy, write_plan(demo_store_copy, teams=3, sessions=2, stops=6)
    # no made-up default: cards are refused until someone sets the contact
    with pytest.raises(MissingContactError, match="settings contact"):
        build_contact_cards(store, plan["round"])
    town = set_contact(
        store, Contact(name="雪堰镇大走访办公室", phone="0519-86541234", url="https://xy.example.cn/zf")
    )
    cards = build_contact_cards(store, plan["round"])
    assert len(cards) == 3 * 2 * 6
    assert {c.contact for c in cards} == {town}
    assert cards[0].phone == "051988001234"  # the team's own phone, in full: it is there to be called
    assert town.qr_text() == "MECARD:N:雪堰镇大走访办公室;TEL:0519-86541234;URL:https\\://xy.example.cn/zf;;"
    # a village's own contact wins for the teams based there
    with store.session() as s:
        team = s.get(Team, s.scalar(select(Route.team_id).where(Route.id == plan["routes"][0])))
        code = s.get(Area, team.office_area_id).code
    village = set_contact(store, Contact(name="雪堰社区居委会", phone="0519-86540001", village_phone="0519 8654 0002",
                                         area_code=code))  # fmt: skip
    by_team = {c.team_name: c.contact for c in build_contact_cards(store, plan["round"])}
    assert by_team[team.name] == village and village.village_phone == "0519 8654 0002"
    assert sorted({c.name for c in by_team.values()}) == ["雪堰社区居委会", "雪堰镇大走访办公室"]
    for bad, field in ((Contact(name="", phone="1"), "--name"), (Contact(name="x", phone="abc"), "--phone"),
                       (Contact(name="x", phone="0519-86541234", url="www.x.cn"), "--url")):  # fmt: skip
        with pytest.raises(ContactError, match=field):
            set_contact(store, bad)


def test_household_and_village_forms_cover_the_plan(planned):
    store, plan = planned
    homes = build_household_forms(store, plan["round"])
    assert len(homes) == 36
    villages = build_village_forms(store, plan["round"])
    assert len(villages) == 3 and sum(v.round_targets for v in villages) == 36
    with store.session() as s:
        area = s.scalar(select(Area).where(Area.name == villages[0].area_name))
        n = s.scalar(select(Target.id).where(Target.area_id == area.id, Target.kind == "household").limit(1))
        count = len(
            s.scalars(select(Target.id).where(Target.area_id == area.id, Target.kind == "household")).all()
        )
    assert n is not None and villages[0].households == count


def test_problem_lists_hold_open_problems_of_the_teams_households(planned):
    store, plan = planned
    lists = build_problem_lists(store, plan["round"])
    assert [pl.team.name for pl in lists] == ["测试第1组", "测试第2组", "测试第3组"]
    with store.session() as s:
        for pl in lists:
            team_targets = s.scalars(
                select(RouteStop.target_id).join(Route).join(Team).where(Team.name == pl.team.name)
            ).all()
            expected = s.scalars(
                select(Problem.id).where(
                    Problem.target_id.in_(team_targets), Problem.status.not_in(CLOSED_STATUSES)
                )
            ).all()
            assert len(pl.rows) == len(expected)
            assert pl.households == 12
            assert all(r.status not in ("已解决", "已解释说明", "纳入集中整治") for r in pl.rows)
    assert sum(len(pl.rows) for pl in lists) > 0  # the demo's first round left open problems


def test_hand_down_and_delegation_forms(demo_store):
    with demo_store.session() as s:
        assign = s.scalar(select(Problem.id).where(Problem.handling == "assign").limit(1))
        delegate = s.scalar(select(Problem.id).where(Problem.handling == "delegate").limit(1))
    forms = build_problem_forms(demo_store, problem_ids=[assign, delegate])
    kinds = {f.kind: f for f in forms}
    assert kinds["assign"].title == "问题交办单" and kinds["assign"].number.startswith("JB-")
    assert kinds["delegate"].title == "委托办理单" and kinds["delegate"].number.startswith("WT-")
    assert all("****" in f.phone for f in forms if f.phone)


def test_print_log_records_who_what_pages(empty_store):
    ctx = PrintContext(user="王干事", unmasked=True)
    log_print(empty_store, ctx, "走访路线单（测试，3 份）", 6)
    with empty_store.session() as s:
        row = s.scalars(select(PrintLog)).one()
        assert (row.user, row.pages, row.unmasked) == ("王干事", 6, True)


def test_route_sheet_maps_name_roads_mark_offices_and_group_buildings(planned):
    from gisplanner.reporting.printouts.route_sheet import group_by_building, unit_floor_key

    store, plan = planned
    sheets = build_route_sheets(store, plan["round"])
    roads = {n for n in store.roads_gdf()["name"] if n}
    for sh in sheets:
        m = sh.map
        # the roads named on the map are the demo's named roads in the frame
        assert {n for n, _k, _l in m.road_names} <= roads and m.road_names
        # the team's own office is the start, once; other offices are landmarks
        offices = [lm for lm in m.landmarks if lm.kind == "office"]
        assert len(offices) == 1 and offices[0].name == sh.team.office_name
        assert (round(offices[0].x), round(offices[0].y)) == (round(m.office[0]), round(m.office[1]))
        # office → every stop → office along the demo's lanes (drawn solid), each leg from one
        # point to the next
        assert len(m.legs) == len(sh.stops) + 1 and m.legs_follow_roads
        pts = [m.office, *[(st.x, st.y) for st in sh.stops], m.office]
        for leg, a, b in zip(m.legs, pts[:-1], pts[1:], strict=True):
            assert np.allclose(leg[0], a, atol=0.5) and np.allclose(leg[-1], b, atol=0.5)
        assert any(len(leg) > 2 for leg in m.legs)  # bends with the road, not a straight line
        assert m.inset is not None and m.inset.rings
    assert unit_floor_key("2单元302室") == (2, 3, 302) and unit_floor_key("5组6号") == (0, 0, 0)
    st = sheets[0].stops
    import dataclasses

    same = [dataclasses.replace(x, target=dataclasses.replace(x.target, building="阳光花园1幢", unit_no=u))
            for x, u in zip(st[:3], ["2单元301室", "1单元502室", "1单元101室"], strict=True)]  # fmt: skip
    groups = group_by_building([*same, st[3]])
    assert [len(g.stops) for g in groups] == [3, 1]
    assert [x.target.unit_no for x in groups[0].stops] == ["1单元101室", "1单元502室", "2单元301室"]
    assert groups[0].seqs == "1–3"
