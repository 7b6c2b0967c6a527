"""`scope` command: bind users, list them, roll-ups per user, row-level security switches."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from gisplanner import cli
from gisplanner.store import pg


def _url(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_bind_list_and_rollup_for_a_user(two_towns, capsys):
    store, ids = two_towns
    db = _url(store)
    assert cli.run(["scope", "bind", "xueyan", "--area", "320412101000", "--db", db]) == 0
    assert "雪堰镇" in capsys.readouterr().out
    assert cli.run(["scope", "list", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"user": "xueyan", "area_id": ids["A"], "code": "320412101000", "area": "镇/街道「雪堰镇」"}
    ]
    assert cli.run(["scope", "rollup", "--user", "xueyan", "--json", "--db", db]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scope"] == "镇/街道「雪堰镇」"
    assert {r["name"] for r in out["rows"]} == {"潘家村", "城湾村"}  # town B's village is not there
    assert sum(r["targets"] for r in out["rows"]) == len(ids["targets_A"])
    assert sum(r["open_problems"] for r in out["rows"]) == 1

    assert cli.run(["scope", "rollup", "--db", db]) == 0  # the whole city, by district
    assert "武进区" in capsys.readouterr().out


def test_unknown_area_and_user_are_named(two_towns, capsys):
    store, _ids = two_towns
    db = _url(store)
    assert cli.run(["scope", "bind", "x", "--area", "999999999999", "--db", db]) == 2
    assert "999999999999" in capsys.readouterr().err
    assert cli.run(["scope", "rollup", "--user", "nobody", "--db", db]) == 2
    assert "尚未绑定" in capsys.readouterr().err


def test_rls_commands(two_towns, backend, capsys):
    store, ids = two_towns
    db = _url(store)
    if backend == "sqlite":
        assert cli.run(["scope", "rls", "enable", "--db", db]) == 2
        assert "PostgreSQL" in capsys.readouterr().err
        return
    role = f"gp_cli_{uuid.uuid4().hex[:8]}"  # roles are server-wide: unique per run
    try:
        assert cli.run(["scope", "rls", "grant", role, "--area", "320412102000", "--create", "--db", db]) == 0
        assert cli.run(["scope", "rls", "enable", "--db", db]) == 0
        assert pg.row_level_security_enabled(store.engine)
        with store.engine.begin() as conn:
            conn.execute(text(f"GRANT {role} TO CURRENT_USER"))
        with store.engine.connect() as conn:
            conn.execute(text(f"SET ROLE {role}"))
            assert sorted(conn.scalars(text("SELECT id FROM target")).all()) == sorted(ids["targets_B"])
            conn.rollback()
        assert cli.run(["scope", "rls", "disable", "--db", db]) == 0
        assert not pg.row_level_security_enabled(store.engine)
    finally:
        with store.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_bad_role_name_is_refused(two_towns, capsys):
    store, _ids = two_towns
    assert (
        cli.run(["scope", "rls", "grant", "Robert'); DROP", "--area", "320412102000", "--db", _url(store)])
        == 2
    )
    assert "角色名" in capsys.readouterr().err
