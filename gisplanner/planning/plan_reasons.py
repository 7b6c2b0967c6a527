"""Why a target got no stop in a plan (the `reason` of `plan --json`): one per target.

Kept free of heavy imports: the CLI lists them in `plan --help`.
"""

from __future__ import annotations

NO_TEAM = "no_team"  # not assigned to any team of the round
NO_WINDOW = "no_window"  # no window in any session of the round (type/tags vs session times)
NO_TEAM_SESSION = "no_team_session"  # windows only in sessions its team's members cannot all do
TOO_FAR = "too_far"  # its windows cannot be reached from the team's office and back within a session
NO_CAPACITY = "no_capacity"  # every session of its team where it has a window is full

REASONS = {
    NO_TEAM: "没有分到小组",
    NO_WINDOW: "没有合适的时段",
    NO_TEAM_SESSION: "小组成员在其可走访时段都没空",
    TOO_FAR: "离驻地太远，时段内走不到",
    NO_CAPACITY: "小组时段已排满",
}
