"""Planning the visits: the plan's input, capacity, planning routes (routing does the solving) with the reasons a target was left out, and undo snapshots of the replacing actions."""
