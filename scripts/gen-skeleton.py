#!/usr/bin/env python3
"""Generate a libbpf skeleton with bpftool, adapted to the libbpf we link.

bpftool >= 7.5 writes skeletons for libbpf >= 1.5: struct_ops maps get a
`map->link` member and the map table uses a 32-byte stride. Older libbpf
(Debian bookworm-backports ships 1.4) has neither, so with --legacy-maps we
drop the link assignments and make the stride match the installed struct.
The loader attaches struct_ops itself, so nothing is lost. meson decides on
--legacy-maps by checking libbpf's header, not by version guessing.

usage: gen-skeleton.py BPFTOOL OBJECT NAME OUTPUT [--legacy-maps]
"""
import re
import subprocess
import sys


def adapt_for_legacy_libbpf(text):
    text, links = re.subn(r"^\s*map->link = &obj->links\.\w+;\n", "", text, flags=re.M)
    text = re.sub(r"s->map_skel_sz = \d+;", "s->map_skel_sz = sizeof(struct bpf_map_skeleton);", text)
    if "map->link" in text:
        raise SystemExit("gen-skeleton: unexpected map->link use left in skeleton")
    return text


def main(argv):
    if len(argv) not in (5, 6) or (len(argv) == 6 and argv[5] != "--legacy-maps"):
        print(__doc__, file=sys.stderr)
        return 2
    bpftool, obj, name, out = argv[1:5]
    res = subprocess.run([bpftool, "gen", "skeleton", obj, "name", name],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        return 1
    text = res.stdout
    if len(argv) == 6:
        text = adapt_for_legacy_libbpf(text)
    with open(out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
