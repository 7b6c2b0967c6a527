"""Files shipped inside the package (found the same way in a checkout, a wheel and the bundle)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent

# WenQuanYi Micro Hei (Apache-2.0 or GPL-3+ with font exception, see fonts/*.COPYRIGHT.txt):
# printing and the UI never depend on a CJK font that only exists on the build machine.
CJK_FONT = ROOT / "fonts" / "wqy-microhei.ttc"
