#!/usr/bin/env python3
"""Writes the many-sphere scenes clrt is measured on (bench/RESULTS.md).

  bench/generate.py field N OUT.json [--ply] [--colors]
      a random field of N spheres (N - 1 in a box, and a ground sphere),
      640x360, shadows, mirrors. --ply writes the N - 1 spheres to
      OUT.ply (binary little-endian, one radius each, colours with
      --colors) and OUT.json names it; otherwise every sphere is listed
      in the JSON, as the Embree peer reads it.
  bench/generate.py helix TURNS OUT.ply
      a double helix of "atoms" with base pairs between its strands, as
      an ascii PLY with a radius and a uchar colour per vertex (the
      example scenes/ply/helix.json renders; TURNS 6 made it).
  bench/generate.py flake LEVEL OUT.json
      Haines' sphereflake (the SPD "balls" scene): a sphere with nine
      children a third its size, recursively; level 4 has 7,381 spheres,
      and a ground sphere makes 7,382. 800x600.

The scenes are deterministic: the same arguments give the same bytes.
"""
import json
import math
import random
import struct
import sys


def field_spheres(count, rng):
    for _ in range(count):
        yield ([rng.uniform(-40, 40), rng.uniform(0.3, 12), rng.uniform(-70, -5)], rng.uniform(0.15, 0.6),
               rng.choice(["matte", "shiny", "mirror"]), [rng.random(), rng.random(), rng.random()])


def base_scene(width, height, camera):
    return {
        "image": {"width": width, "height": height, "max_depth": 3},
        "camera": camera,
        "background": [0.55, 0.7, 0.9],
        "shadows": True,
        "materials": {
            "ground": {"color": [0.45, 0.45, 0.42], "specular": 0.0},
            "matte": {"color": [0.85, 0.3, 0.25], "specular": 0.1},
            "shiny": {"color": [0.25, 0.45, 0.9], "specular": 0.6, "shininess": 64},
            "mirror": {"color": [0.9, 0.9, 0.9], "reflectivity": 0.7, "specular": 0.8, "shininess": 128},
        },
        "spheres": [{"center": [0, -1000, 0], "radius": 1000, "material": "ground"}],
        "lights": [{"position": [-30, 40, 20], "intensity": 0.7}, {"position": [35, 30, 10], "intensity": 0.5}],
    }


def write_ply(path, spheres, colors):
    header = ["ply", "format binary_little_endian 1.0", f"element vertex {len(spheres)}",
              "property float x", "property float y", "property float z", "property float radius"]
    if colors:
        header += ["property uchar red", "property uchar green", "property uchar blue"]
    header.append("end_header")
    with open(path, "wb") as out:
        out.write(("\n".join(header) + "\n").encode())
        for center, radius, _, color in spheres:
            out.write(struct.pack("<4f", *center, radius))
            if colors:
                out.write(struct.pack("<3B", *(int(c * 255) for c in color)))


def field(count, out, ply, colors):
    rng = random.Random(count)
    camera = {"look_from": [0, 14, 22], "look_at": [0, 2, -35], "vfov": 55}
    scene = base_scene(640, 360, camera)
    spheres = list(field_spheres(count - 1, rng))
    if ply:
        ply_path = out[:-5] + ".ply" if out.endswith(".json") else out + ".ply"
        write_ply(ply_path, spheres, colors)
        scene["spheres"].append({"file": ply_path.rsplit("/", 1)[-1], "material": "shiny"})
    else:
        for center, radius, material, color in spheres:
            entry = {"center": [round(c, 4) for c in center], "radius": round(radius, 4), "material": material}
            if colors:
                entry["color"] = [round(c, 3) for c in color]
            scene["spheres"].append(entry)
    with open(out, "w") as f:
        json.dump(scene, f, separators=(",", ":"))


def rotate_to(direction, local):
    """`local` given around +z, turned so that +z points along `direction`."""
    w = direction
    helper = [1.0, 0.0, 0.0] if abs(w[0]) < 0.9 else [0.0, 1.0, 0.0]
    u = [helper[1] * w[2] - helper[2] * w[1], helper[2] * w[0] - helper[0] * w[2], helper[0] * w[1] - helper[1] * w[0]]
    n = math.sqrt(sum(c * c for c in u))
    u = [c / n for c in u]
    v = [w[1] * u[2] - w[2] * u[1], w[2] * u[0] - w[0] * u[2], w[0] * u[1] - w[1] * u[0]]
    return [local[0] * u[i] + local[1] * v[i] + local[2] * w[i] for i in range(3)]


# Nine children around +z: six on the equator, three above it.
CHILD_DIRECTIONS = ([[math.cos(a), math.sin(a), 0.0] for a in (k * math.pi / 3 for k in range(6))] +
                    [[math.cos(a) * 0.5773, math.sin(a) * 0.5773, 0.8165] for a in
                     (math.pi / 6 + k * 2 * math.pi / 3 for k in range(3))])


def flake(center, radius, direction, level, out):
    out.append((center, radius))
    if level == 0:
        return
    for local in CHILD_DIRECTIONS:
        d = rotate_to(direction, local)
        child = [center[i] + d[i] * radius * 4.0 / 3.0 for i in range(3)]
        flake(child, radius / 3.0, d, level - 1, out)


def sphereflake(level, out):
    camera = {"look_from": [2.1, 1.7, 1.3], "look_at": [0, 0, 0], "vup": [0, 1, 0], "vfov": 45}
    scene = base_scene(800, 600, camera)
    scene["spheres"][0] = {"center": [0, -1000.5, 0], "radius": 1000, "material": "ground"}
    scene["lights"] = [{"position": [4, 3, 2], "intensity": 0.6}, {"position": [1, -4, 4], "intensity": 0.3},
                       {"position": [-3, 1, 5], "intensity": 0.4}]
    spheres = []
    flake([0, 0, 0], 0.5, [0, 1, 0], level, spheres)
    for center, radius in spheres:
        scene["spheres"].append({"center": [round(c, 6) for c in center], "radius": round(radius, 7),
                                 "material": "mirror"})
    with open(out, "w") as f:
        json.dump(scene, f, separators=(",", ":"))


def helix(turns, out):
    atoms = []
    per_turn, rise, radius = 10, 1.9, 8.0
    for i in range(turns * per_turn):
        y = i * rise
        ends = []
        for strand, phase in ((0, 0.0), (1, 2.4)):
            colour = (235, 125, 45) if strand == 0 else (60, 140, 235)
            for half in (0.0, 0.5):  # the backbone, two atoms a step so that it reads as a strand
                angle = 2 * math.pi * (i + half) / per_turn + phase
                atoms.append((radius * math.cos(angle), y + half * rise, radius * math.sin(angle), 1.1, colour))
            angle = 2 * math.pi * i / per_turn + phase
            ends.append((radius * math.cos(angle), radius * math.sin(angle)))
        (x0, z0), (x1, z1) = ends
        for k in range(1, 6):  # the base pair: five atoms from one strand to the other
            t = k / 6.0
            colour = (205, 55, 70) if (i % 4 < 2) == (k < 3) else (70, 195, 110)
            atoms.append((x0 + (x1 - x0) * t, y, z0 + (z1 - z0) * t, 0.75, colour))
    with open(out, "w") as f:
        f.write("ply\nformat ascii 1.0\ncomment a double helix, from bench/generate.py helix %d\n" % turns)
        f.write("element vertex %d\n" % len(atoms))
        f.write("property float x\nproperty float y\nproperty float z\nproperty float radius\n")
        f.write("property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n")
        for x, y, z, r, (cr, cg, cb) in atoms:
            f.write("%.3f %.3f %.3f %.2f %d %d %d\n" % (x, y, z, r, cr, cg, cb))


def main(argv):
    if len(argv) >= 3 and argv[0] == "field":
        field(int(argv[1]), argv[2], "--ply" in argv, "--colors" in argv)
    elif len(argv) == 3 and argv[0] == "helix":
        helix(int(argv[1]), argv[2])
    elif len(argv) == 3 and argv[0] == "flake":
        sphereflake(int(argv[1]), argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
