"""Area edits write only over the versions they started from (issue 20's one save path): a stale
edit or undo is refused with the other official's change, and a rebase writes it over theirs."""

from __future__ import annotations

import pytest
import shapely
from shapely import affinity

from gisplanner.access import concurrency as cc
from gisplanner.geo import area_edit as E
from gisplanner.store.model import Area


def shape(store, aid):
    with store.session() as s:
        a = s.get(Area, aid)
        return shapely.from_wkb(a.boundary), a.version


def test_stale_reshape_is_refused_then_kept_over_theirs(two_towns):
    store, ids = two_towns
    aid = ids["A1"]
    g, v = shape(store, aid)
    theirs = E.plan_reshape(store, aid, affinity.scale(g, 1.2, 1.2))
    mine = E.plan_reshape(store, aid, affinity.scale(g, 0.8, 0.8))  # both from version v
    assert E.apply(store, theirs.after, expected=theirs.versions, frm=theirs.before) == {aid: v + 1}
    expected = dict(mine.versions)
    with pytest.raises(cc.ConflictError) as err:
        E.apply(store, mine.after, expected=expected, frm=mine.before)
    (c,) = err.value.conflicts
    assert (c.table, c.your_version, c.their_version) == ("area", v, v + 1)
    assert set(c.theirs) == {"boundary"} and set(c.mine) == {"boundary"}
    assert shape(store, aid)[0].equals(shapely.from_wkb(theirs.after.areas[aid]["boundary"]))  # not written
    # take theirs: nothing to write; keep mine: written over their version, undo restores theirs
    assert not E.rebase(mine.after, mine.before, dict(expected), c, cc.TAKE_THEIRS)
    assert E.rebase(mine.after, mine.before, expected, c, cc.KEEP_MINE)
    after = E.apply(store, mine.after, expected=expected, frm=mine.before)
    assert after == {aid: v + 2} and shape(store, aid)[0].area < g.area
    E.apply(store, mine.before, expected=after, frm=mine.after)  # undo
    assert shape(store, aid)[0].equals(shapely.from_wkb(theirs.after.areas[aid]["boundary"]))


def test_a_new_area_whose_id_was_taken_meanwhile_is_refused(two_towns):
    store, ids = two_towns
    square = shapely.box(120.04, 31.4, 120.05, 31.41)
    mine = E.plan_add(store, square, level="village", name="新村", parent_id=ids["A"])
    other = E.plan_add(store, square, level="village", name="别人的村", parent_id=ids["A"])
    E.apply(store, other.after, expected=other.versions, frm=other.before)
    with pytest.raises(E.AreaEditError, match="别人的村"):
        E.apply(store, mine.after, expected=mine.versions, frm=mine.before)
    with store.session() as s:
        assert s.get(Area, mine.area_ids[0]).name == "别人的村"
