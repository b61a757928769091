#!/usr/bin/python3
"""Writes host/scene/colormap_tables.c: matplotlib's 256-entry tables of the
colour maps clrt builds in, as the installed matplotlib holds them.

Run it with Debian's python3-matplotlib (apt-get install python3-matplotlib)
when a map is added, then clang-format -i the file: clrt does not need
matplotlib to build or run. The
maps' sources and licences are listed in the file it writes."""
import sys

import matplotlib
import numpy as np
from matplotlib import colormaps

# clrt's name, matplotlib's name, where the table comes from.
MAPS = [
    ("viridis", "viridis", "Smith and van der Walt, CC0"),
    ("magma", "magma", "Smith and van der Walt, CC0"),
    ("inferno", "inferno", "Smith and van der Walt, CC0"),
    ("plasma", "plasma", "Smith and van der Walt, CC0"),
    ("cividis", "cividis", "Nunez, Anderton and Renslow 2018, CC0"),
    ("turbo", "turbo", "Mikhailov 2019 (Google), Apache 2.0"),
    ("coolwarm", "coolwarm", "Moreland 2009, as matplotlib samples it"),
    ("greys", "Greys", "ColorBrewer (Brewer), as matplotlib samples it"),
]
ENTRIES = 256


def table(name):
    cmap = colormaps[name]
    assert cmap.N == ENTRIES, name
    return cmap(np.arange(ENTRIES))[:, :3]


def main(out):
    lines = [
        "/* matplotlib's 256-entry tables of the built-in colour maps, sRGB-encoded,",
        " * written by scripts/make-colormaps.py from matplotlib %s: data, not" % matplotlib.__version__,
        " * code; do not edit. Sources: */",
    ]
    lines += ["/*   %s: %s */" % (ours, source) for ours, _, source in MAPS]
    lines += ['#include "colormap_tables.h"', ""]
    for ours, theirs, _ in MAPS:
        lines.append("static const double %s[CLRT_COLORMAP_ENTRIES][3] = {" % ours.upper())
        for r, g, b in table(theirs):
            lines.append("    {%.17g, %.17g, %.17g}," % (r, g, b))
        lines.append("};")
        lines.append("")
    lines.append("const clrt_colormap_table clrt_colormap_tables[] = {")
    for ours, _, _ in MAPS:
        lines.append('    {"%s", %s},' % (ours, ours.upper()))
    lines.append("};")
    lines.append("const size_t clrt_colormap_table_count = sizeof clrt_colormap_tables / sizeof clrt_colormap_tables[0];")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "host/scene/colormap_tables.c")
