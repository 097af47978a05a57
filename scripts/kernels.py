#!/usr/bin/env python3
"""Pinned test kernels: fetch them, refresh the pins, make vmlinux.h from one.

kernel-versions.json lists the Debian kernel packages the project is tested
on. Debian's sid and backports suites keep only recent kernels, so a pinned
.deb eventually leaves the archive; `fetch` then updates apt's lists once
(as root) and, if it is still gone, falls back to the newest kernel of the
same suite and series, or of the suite's newest series when that one has
left too (sid keeps one kernel), checks that it still has sched_ext and
warns loudly that the pins are stale. Downloads are cached outside the work
tree ($SCX_JOULE_CACHE, else $XDG_CACHE_HOME/scx_joule, else ~/.cache/scx_joule).

Each pin has a Debian architecture ("arch": amd64 or arm64, amd64 when
absent); `names` lists one architecture's kernels, amd64 unless asked.

  kernels.py fetch [--kernel NAME ...]     print "name vmlinuz release" lines
  kernels.py refresh [--dry-run]           re-pin to the newest of each series
  kernels.py vmlinux-h [--arch A | --kernel NAME] [OUT]
                                           write vmlinux.h from the kernel's BTF
  kernels.py names [--arch amd64|arm64|all] [--newest]  print the pinned kernel names
  kernels.py module --kernel NAME PATH     print the path of one module of the
                                           kernel (PATH under kernel/, e.g.
                                           drivers/cpufreq/cpufreq-dt.ko),
                                           taken from its linux-modules package
"""

import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINS = os.path.join(ROOT, "kernel-versions.json")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
BTF_MAGIC = b"\x9f\xeb\x01\x00"  # magic 0xeb9f (little-endian), version 1, flags 0
# Debian architecture -> the directory under bpf/vmlinux/ (the kernel's ARCH name).
BPF_ARCH = {"amd64": "x86", "arm64": "arm64"}


class KernelError(Exception):
    pass


def log(msg):
    print(f"kernels: {msg}", file=sys.stderr)


def warn_stale(pin, chosen):
    bar = "!" * 72
    log(bar)
    log(f"WARNING: pinned kernel {pin['package']} {pin['version']} is no longer")
    log(f"in the '{pin['suite']}' archive; testing {chosen['package']} {chosen['version']} instead.")
    log("kernel-versions.json is stale. Refresh it with:")
    log("    scripts/kernels.py refresh && git commit kernel-versions.json")
    log(bar)


def cache_dir():
    base = os.environ.get("SCX_JOULE_CACHE")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        base = os.path.join(xdg, "scx_joule")
    path = os.path.join(base, "kernels")
    os.makedirs(path, exist_ok=True)
    return path


def load_pins():
    with open(PINS) as f:
        data = json.load(f)
    for k in data["kernels"]:
        k.setdefault("arch", "amd64")
        if k["arch"] not in BPF_ARCH:
            raise KernelError(f"{PINS}: {k['name']}: unknown arch '{k['arch']}'")
        for field in ("name", "suite", "series", "package", "version", "sha256", "base_sha256"):
            if field not in k:
                raise KernelError(f"{PINS}: kernel entry lacks '{field}': {k}")
    return data


def run(cmd, **kw):
    return subprocess.run(cmd, check=False, capture_output=True, text=True, **kw)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def version_key_cmp(a, b):
    """dpkg's own version ordering, the only one that is right for Debian."""
    if a == b:
        return 0
    lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
    return -1 if lt else 1


def apt_name(package, arch):
    """Arch-qualified, so that apt finds arm64 packages on an amd64 host too."""
    return f"{package}:{arch}"


def archive_versions(package, arch):
    """(version, suite) pairs apt knows for a package, from `apt-cache madison`."""
    out = run(["apt-cache", "madison", apt_name(package, arch)]).stdout
    pairs = []
    for line in out.splitlines():
        cols = [c.strip() for c in line.split("|")]
        if len(cols) >= 3:
            suite = cols[2].split()[1].split("/")[0]
            pairs.append((cols[1], suite))
    return pairs


def base_package(binary_package):
    """The linux-base package of a kernel carries its config (we check sched_ext)."""
    return binary_package.replace("linux-binary-", "linux-base-", 1)


def series_key(series):
    return tuple(int(x) for x in series.split("."))


def newest_of(pin, series):
    """
    The newest linux-binary package of the pin's suite, of series (a regexp),
    no older than the pin's series.
    """
    pattern = re.compile(r"^linux-binary-(%s)\.\d+\+deb\d+-%s$" % (series, re.escape(pin["arch"])))
    # name -> its series; each name costs an apt-cache call: the older series are left out first
    names = {}
    for name in run(["apt-cache", "pkgnames", "linux-binary-"]).stdout.split():
        m = pattern.match(name)
        if m and series_key(m.group(1)) >= series_key(pin["series"]):
            names[name] = m.group(1)
    best = None
    for name, name_series in names.items():
        for version, suite in archive_versions(name, pin["arch"]):
            if suite != pin["suite"]:
                continue
            if best is None or version_key_cmp(version, best[1]) > 0:
                best = (name, version, name_series)
    if best is None:
        return None
    return dict(pin, package=best[0], version=best[1], series=best[2],
                sha256=archive_sha256(best[0], best[1], pin["arch"]),
                base_sha256=archive_sha256(base_package(best[0]), best[1], pin["arch"]))


def newest_in_series(pin):
    """The newest linux-binary package of the pin's suite and series."""
    new = newest_of(pin, re.escape(pin["series"]))
    if new is None:
        raise KernelError(
            f"no {pin['series']} kernel in '{pin['suite']}' (did scripts/setup-deps.sh "
            "run, and has the series left the suite? then edit kernel-versions.json)")
    return new


def newest_in_suite(pin):
    """
    The newest kernel of the pin's suite, of any series newer than the pin's:
    sid keeps one kernel, so its series leaves when the next one comes. Its
    sched_ext is checked when it is unpacked.
    """
    new = newest_of(pin, r"\d+\.\d+")
    if new is None:
        raise KernelError(
            f"no {pin['series']} kernel or newer in '{pin['suite']}' (did "
            "scripts/setup-deps.sh run? else edit kernel-versions.json)")
    return new


def refresh_lists():
    """apt-get update once (as root): lists older than the pins know no such .deb."""
    if getattr(refresh_lists, "done", False) or os.geteuid() != 0:
        return False
    refresh_lists.done = True
    log("the pinned kernel is not in apt's lists: apt-get update")
    return run(["apt-get", "update", "-qq"]).returncode == 0


def archive_sha256(package, version, arch):
    out = run(["apt-cache", "show", f"{apt_name(package, arch)}={version}"]).stdout
    m = re.search(r"^SHA256: (\w+)", out, re.M)
    if not m:
        raise KernelError(f"apt knows no SHA256 for {package}={version}")
    return m.group(1)


def download(package, version, arch, dest):
    """Download the kernel's binary and base .debs; (None, why) if apt can't."""
    os.chmod(dest, 0o777)  # apt drops privileges to _apt while downloading
    debs = []
    for name in (package, base_package(package)):
        res = run(["apt-get", "download", "-q", f"{apt_name(name, arch)}={version}"], cwd=dest)
        found = glob.glob(os.path.join(dest, f"{name}_*.deb"))
        if res.returncode != 0 or not found:
            return None, res.stderr.strip().splitlines()[-1:] or ["apt-get download failed"]
        debs.append(found[0])
    return debs, None


def has_sched_ext(config_path):
    with open(config_path) as f:
        return "CONFIG_SCHED_CLASS_EXT=y\n" in f.read()


def unpack(debs, entry_dir):
    tmp = os.path.join(entry_dir, "x")
    for deb in debs:
        if run(["dpkg-deb", "-x", deb, tmp]).returncode != 0:
            raise KernelError(f"cannot unpack {deb}")
    deb = os.path.basename(debs[0])
    vmlinuz = glob.glob(os.path.join(tmp, "usr/lib/modules/*/vmlinuz"))
    if not vmlinuz:
        raise KernelError(f"{deb} holds no usr/lib/modules/*/vmlinuz")
    moddir = os.path.dirname(vmlinuz[0])
    release = os.path.basename(moddir)
    config = os.path.join(moddir, "config")
    if not os.path.exists(config) or not has_sched_ext(config):
        raise KernelError(f"{deb}: kernel {release} lacks CONFIG_SCHED_CLASS_EXT=y")
    shutil.move(vmlinuz[0], os.path.join(entry_dir, "vmlinuz"))
    shutil.move(config, os.path.join(entry_dir, "config"))
    # written whole, then renamed: cached_entry reads it without the lock
    with open(os.path.join(entry_dir, "release.tmp"), "w") as f:
        f.write(release + "\n")
    os.replace(os.path.join(entry_dir, "release.tmp"), os.path.join(entry_dir, "release"))
    shutil.rmtree(tmp)


def cached_entry(k):
    entry = os.path.join(cache_dir(), f"{k['package']}_{k['version']}")
    if os.path.exists(os.path.join(entry, "release")):
        return entry
    return None


def host_knows_arch(arch):
    """apt lists a foreign architecture's packages only once dpkg has it."""
    native = run(["dpkg", "--print-architecture"]).stdout.strip()
    foreign = run(["dpkg", "--print-foreign-architectures"]).stdout.split()
    return arch == native or arch in foreign


def fetch_one(pin):
    entry = cached_entry(pin)
    if entry:
        return pin, entry
    # meson runs VM tests side by side: the first to miss the cache fetches,
    # the others wait for it and then find the entry.
    with open(os.path.join(cache_dir(), ".fetch.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entry = cached_entry(pin)
        if entry:
            return pin, entry
        return fetch_locked(pin)


def fetch_locked(pin):
    if not host_knows_arch(pin["arch"]):
        raise KernelError(
            f"{pin['name']} is an {pin['arch']} kernel and dpkg has no {pin['arch']} "
            f"architecture, so apt cannot see it: run scripts/setup-deps.sh --{pin['arch']}")
    chosen = pin
    with tempfile.TemporaryDirectory(prefix="scx-joule-kernel-") as tmp:
        debs, err = download(pin["package"], pin["version"], pin["arch"], tmp)
        if debs is None and refresh_lists():
            debs, err = download(pin["package"], pin["version"], pin["arch"], tmp)
        if debs is None:
            log(f"{pin['package']}={pin['version']}: {' '.join(err)}")
            try:
                chosen = newest_in_series(pin)
            except KernelError as e:
                log(f"{e}: taking the suite's newest series instead")
                chosen = newest_in_suite(pin)
            warn_stale(pin, chosen)
            entry = cached_entry(chosen)
            if entry:
                return chosen, entry
            debs, err = download(chosen["package"], chosen["version"], chosen["arch"], tmp)
            if debs is None:
                raise KernelError(f"cannot download {chosen['package']}: {' '.join(err)}")
        for deb, key in zip(debs, ("sha256", "base_sha256")):
            digest = sha256_of(deb)
            if digest != chosen[key]:
                raise KernelError(
                    f"{os.path.basename(deb)}: sha256 {digest} does not match the pinned "
                    f"{chosen[key]} ({key} in kernel-versions.json); refusing to use it")
        entry = os.path.join(cache_dir(), f"{chosen['package']}_{chosen['version']}")
        os.makedirs(entry, exist_ok=True)
        unpack(debs, entry)
    return chosen, entry


def selected(data, names):
    if not names:
        return data["kernels"]
    by_name = {k["name"]: k for k in data["kernels"]}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise KernelError(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]


def of_arch(data, arch):
    return [k for k in data["kernels"] if arch == "all" or k["arch"] == arch]


def cmd_fetch(args):
    data = load_pins()
    names = [n for arg in args.kernel for n in arg.split(",") if n]
    for pin in selected(data, names):
        chosen, entry = fetch_one(pin)
        with open(os.path.join(entry, "release")) as f:
            release = f.read().strip()
        print(f"{pin['name']} {os.path.join(entry, 'vmlinuz')} {release}")


def cmd_refresh(args):
    data = load_pins()
    changed = False
    for i, pin in enumerate(data["kernels"]):
        new = newest_in_series(pin)
        if all(new[f] == pin[f] for f in ("package", "version", "sha256", "base_sha256")):
            print(f"{pin['name']}: {pin['package']} {pin['version']} (unchanged)")
            continue
        print(f"{pin['name']}: {pin['package']} {pin['version']} -> "
              f"{new['package']} {new['version']}")
        data["kernels"][i] = new
        changed = True
    if changed and not args.dry_run:
        with open(PINS, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        print(f"wrote {PINS}; regenerate vmlinux.h if the BTF kernel moved:")
        print("    scripts/kernels.py vmlinux-h")


def btf_from_image(blob, out):
    """The raw BTF blob inside an uncompressed kernel Image (arm64's vmlinuz).

    The header is magic, version 1, flags, hdr_len 24, then type_off, type_len,
    str_off, str_len; in vmlinux's .BTF the types start right after the header
    and the strings right after the types. Other bytes can look like a magic,
    so every candidate is checked and the largest consistent blob wins."""
    best = None
    at = blob.find(BTF_MAGIC)
    while at >= 0:
        hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<5I", blob, at + 4)
        size = hdr_len + str_off + str_len
        if (hdr_len == 24 and type_off == 0 and str_off == type_len and str_len > 0
                and at + size <= len(blob) and (best is None or size > best[1])):
            best = (at, size)
        at = blob.find(BTF_MAGIC, at + 1)
    if best is None:
        return False
    with open(out, "wb") as f:
        f.write(blob[best[0]:best[0] + best[1]])
    return True


def vmlinux_from_vmlinuz(vmlinuz, out_elf):
    """A file bpftool reads BTF from: the ELF vmlinux inside a zstd-compressed
    x86 bzImage, or the bare BTF blob of a raw arm64 Image."""
    with open(vmlinuz, "rb") as f:
        blob = f.read()
    if blob[0x38:0x3c] == b"ARM\x64":  # arm64 Image header magic
        if not btf_from_image(blob, out_elf):
            raise KernelError(f"{vmlinuz}: arm64 Image without a .BTF blob")
        return
    start = blob.find(ZSTD_MAGIC)
    if start < 0:
        raise KernelError(f"{vmlinuz}: no zstd-compressed payload found")
    res = subprocess.run(["zstd", "-dcq"], input=blob[start:], capture_output=True)
    # The payload is followed by trailing data zstd complains about; the ELF is whole.
    if not res.stdout.startswith(b"\x7fELF"):
        raise KernelError(f"{vmlinuz}: zstd payload is not an ELF vmlinux")
    with open(out_elf, "wb") as f:
        f.write(res.stdout)


def cmd_vmlinux_h(args):
    data = load_pins()
    # vmlinux_h_from: {arch: kernel name}; a plain string names the amd64 one.
    src = data.get("vmlinux_h_from") or {}
    if isinstance(src, str):
        src = {"amd64": src}
    name = args.kernel or src.get(args.arch) or of_arch(data, args.arch)[0]["name"]
    pin = selected(data, [name])[0]
    chosen, entry = fetch_one(pin)
    out = args.out or os.path.join(ROOT, "bpf", "vmlinux", BPF_ARCH[pin["arch"]], "vmlinux.h")
    bpftool = shutil.which("bpftool") or "/usr/sbin/bpftool"
    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, "vmlinux")
        vmlinux_from_vmlinuz(os.path.join(entry, "vmlinuz"), elf)
        res = subprocess.run([bpftool, "btf", "dump", "file", elf, "format", "c"],
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise KernelError(f"bpftool btf dump failed: {res.stderr.strip()}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(f"/* Generated by scripts/kernels.py vmlinux-h from {chosen['package']} "
                f"{chosen['version']}; do not edit. */\n")
        f.write(res.stdout)
    print(f"wrote {out} from {chosen['package']} {chosen['version']}")


def cmd_module(args):
    """One module from the kernel's linux-modules package, decompressed and
    cached beside the kernel (the package is large; only the module is kept).
    apt checks the download against the archive's signed index."""
    data = load_pins()
    chosen, entry = fetch_one(selected(data, [args.kernel])[0])
    with open(os.path.join(entry, "release")) as f:
        release = f.read().strip()
    out = os.path.join(entry, os.path.basename(args.path))
    if not os.path.exists(out):
        package = apt_name(f"linux-modules-{release}", chosen["arch"])
        with tempfile.TemporaryDirectory(prefix="scx-joule-modules-") as tmp:
            os.chmod(tmp, 0o777)  # apt drops privileges to _apt while downloading
            res = run(["apt-get", "download", "-q", f"{package}={chosen['version']}"], cwd=tmp)
            debs = glob.glob(os.path.join(tmp, "*.deb"))
            if res.returncode != 0 or not debs:
                raise KernelError(f"cannot download {package}={chosen['version']}")
            src = os.path.join("usr/lib/modules", release, "kernel", args.path)
            x = os.path.join(tmp, "x")
            run(["dpkg-deb", "-x", debs[0], x])
            for suffix, cmd in (("", ["cat"]), (".xz", ["xz", "-dc"]), (".zst", ["zstd", "-dcq"])):
                if os.path.exists(os.path.join(x, src + suffix)):
                    # a name of this process's own, renamed whole: two callers
                    # that both miss the module never write the same file
                    part = f"{out}.{os.getpid()}.tmp"
                    with open(part, "wb") as f:
                        subprocess.run(cmd + [os.path.join(x, src + suffix)], stdout=f, check=True)
                    os.replace(part, out)
                    break
            else:
                raise KernelError(f"{package} has no {src}")
    print(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download (or reuse) the pinned kernels")
    f.add_argument("--kernel", action="append", default=[], help="kernel name(s), comma-separated")
    r = sub.add_parser("refresh", help="pin the newest kernel of each suite and series")
    r.add_argument("--dry-run", action="store_true")
    v = sub.add_parser("vmlinux-h", help="generate bpf/vmlinux/ARCH/vmlinux.h")
    v.add_argument("--arch", default="amd64", choices=sorted(BPF_ARCH))
    v.add_argument("--kernel")
    v.add_argument("out", nargs="?")
    n = sub.add_parser("names", help="print the pinned kernel names of one architecture")
    n.add_argument("--arch", default="amd64", choices=sorted(BPF_ARCH) + ["all"])
    n.add_argument("--newest", action="store_true",
                   help="only the one of the newest series (the first of equals)")
    m = sub.add_parser("module", help="one module of a pinned kernel")
    m.add_argument("--kernel", required=True)
    m.add_argument("path")
    args = ap.parse_args()
    try:
        if args.cmd == "fetch":
            cmd_fetch(args)
        elif args.cmd == "refresh":
            cmd_refresh(args)
        elif args.cmd == "vmlinux-h":
            cmd_vmlinux_h(args)
        elif args.cmd == "module":
            cmd_module(args)
        else:
            pins = of_arch(load_pins(), args.arch)
            if args.newest and pins:
                pins = [max(pins, key=lambda k: series_key(k["series"]))]
            print("\n".join(k["name"] for k in pins))
    except KernelError as e:
        log(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
