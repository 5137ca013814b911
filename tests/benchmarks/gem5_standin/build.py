"""Build ``pieweb/gem5-standin:test``, a local image that stands in for PIE's gem5 image in tests.

No registry can be reached here, so the image is made with ``docker import`` from a root
filesystem assembled out of the host's own Debian packages:

- a working ``g++`` (the packages of g++/gcc/cpp, libstdc++, libc and binutils, plus every shared
  library their executables load), so the backend really compiles inside the container;
- ``dash`` and ``coreutils`` (``sh``, ``sleep``, ``timeout``, ``cat``...), which the backend uses;
- ``/home/gem5/build/X86/gem5.opt``: ``fake_gem5.c`` compiled statically. It runs the program
  natively and writes a gem5-format stats file whose times are a documented, deterministic
  function of the program's stdin/stdout bytes (see that file);
- ``/home/gem5-skylake-config/gem5-configs/run-se.py``: a placeholder, because gem5.opt is given
  its path (and checks it exists) exactly as with the real image;
- a ``gem5`` user (uid 1000), the image's ``USER``, as in PIE's image.

The image carries a label with a hash of its inputs; ``ensure_image`` rebuilds only when that
hash changes. A build takes about a minute and ~250 MB of disk.

Usage: ``python tests/benchmarks/gem5_standin/build.py [--force] [--tag TAG]``.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IMAGE_TAG = "pieweb/gem5-standin:test"
INPUTS_LABEL = "org.pieweb.gem5-standin.inputs-sha256"
GEM5_BINARY = "/home/gem5/build/X86/gem5.opt"
GEM5_SCRIPT = "/home/gem5-skylake-config/gem5-configs/run-se.py"
GEM5_UID = 1000

# Debian packages whose files make up the image (their shared-library closure is added); the
# versioned GCC packages are added by ``packages()`` for the host's GCC major version.
PACKAGES = (
    "g++", "gcc", "cpp", "libstdc++6", "libgcc-s1",
    "libc6", "libc6-dev", "libc-dev-bin", "linux-libc-dev", "libcrypt1",
    "binutils", "binutils-common", "binutils-x86-64-linux-gnu", "libbinutils",
    "dash", "coreutils",
)
VERSIONED = ("g++-{v}", "gcc-{v}", "cpp-{v}", "gcc-{v}-base", "libstdc++-{v}-dev", "libgcc-{v}-dev")
#: Compiler programs whose owning packages are added too (Ubuntu splits them out per target).
TOOL_PROGRAMS = ("cc1plus", "cc1", "collect2", "lto-wrapper", "as", "ld")
SKIP_PREFIXES = ("/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/share/locale",
                 "/usr/share/lintian", "/usr/share/bug", "/usr/share/gdb")
# usr-merge symlinks (/bin -> usr/bin...), written once by ``write_rootfs``.
TOP_LEVEL_LINKS = ("/bin", "/lib", "/lib64", "/sbin")
RUN_SE_PLACEHOLDER = b"""# pieweb gem5 stand-in: placeholder for darchr/gem5-skylake-config's run-se.py.
# The stand-in gem5.opt only checks that this file exists; it does not execute it.
"""


def _dpkg_files(package: str) -> list[str]:
    """Paths a Debian package installed; an absent package is an error (the image would be broken)."""
    proc = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"package {package!r} is not installed on this host: {proc.stderr.strip()}")
    return [line for line in proc.stdout.splitlines() if line.startswith("/")]


def _installed(package: str) -> bool:
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return proc.returncode == 0 and "install ok installed" in proc.stdout


def _owner(path: str) -> str | None:
    """The Debian package that installed ``path``, if any."""
    proc = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return proc.stdout.split(":", 1)[0].strip() or None


@functools.lru_cache(maxsize=1)
def packages() -> tuple[str, ...]:
    """Packages of the host's g++ toolchain: the fixed list, the versioned GCC packages of the
    installed major version and the owners of the compiler's helper programs."""
    major = subprocess.run(["gcc", "-dumpversion"], capture_output=True, text=True, check=True).stdout.strip()
    chosen = list(PACKAGES)
    chosen += [name.format(v=major.split(".")[0]) for name in VERSIONED]
    for program in TOOL_PROGRAMS:
        found = subprocess.run(["g++", f"-print-prog-name={program}"], capture_output=True, text=True).stdout.strip()
        path = found if found.startswith("/") else shutil.which(found)
        owner = _owner(os.path.realpath(path)) if path else None
        if owner:
            chosen.append(owner)
    return tuple(sorted({name for name in chosen if name in PACKAGES or _installed(name)}))


def _package_versions() -> str:
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Package}=${Version}\n", *packages()],
                          capture_output=True, text=True, check=False)
    return proc.stdout


def inputs_sha256() -> str:
    """Hash of everything the image is made of: this script, the fake gem5 and package versions."""
    digest = hashlib.sha256()
    for name in ("build.py", "fake_gem5.c"):
        digest.update((HERE / name).read_bytes())
    digest.update(_package_versions().encode())
    return digest.hexdigest()


def _canonical(path: str) -> str:
    """The path with its parent directories resolved (``/bin/sh`` -> ``/usr/bin/sh`` on usr-merged hosts)."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def _ldd(path: str) -> list[str]:
    proc = subprocess.run(["ldd", path], capture_output=True, text=True)
    found = []
    for line in proc.stdout.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            found.append(parts[2])
        elif parts and parts[0].startswith("/"):
            found.append(parts[0])
    return found


def collect_host_paths() -> list[str]:
    """Files and symlinks to copy from the host: the packages plus their library closure."""
    pending = [p for pkg in packages() for p in _dpkg_files(pkg)]
    chosen: set[str] = set()
    while pending:
        raw = pending.pop()
        if raw.startswith(SKIP_PREFIXES) or not os.path.lexists(raw):
            continue
        path = _canonical(raw)
        if path in TOP_LEVEL_LINKS or path in chosen or (os.path.isdir(path) and not os.path.islink(path)):
            continue
        chosen.add(path)
        if os.path.islink(path):
            pending.append(os.path.realpath(path))
        elif os.access(path, os.X_OK) and _is_elf(path):
            pending.extend(_ldd(path))
        elif ".so" in os.path.basename(path) and _is_elf(path):
            pending.extend(_ldd(path))
    return sorted(chosen)


def compile_fake_gem5(out_dir: Path) -> Path:
    """Compile the fake gem5.opt statically, so it runs whatever libraries the image has."""
    out = out_dir / "gem5.opt"
    subprocess.run(["gcc", "-O2", "-static", "-Wall", "-Wextra", "-o", str(out), str(HERE / "fake_gem5.c")],
                   check=True)
    return out


def _dir_info(name: str, mode: int = 0o755, uid: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name.lstrip("/"))
    info.type = tarfile.DIRTYPE
    info.mode = mode
    info.uid = info.gid = uid
    return info


def _file_info(name: str, size: int, mode: int = 0o644, uid: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name.lstrip("/"))
    info.size = size
    info.mode = mode
    info.uid = info.gid = uid
    info.mtime = int(time.time())
    return info


def write_rootfs(tar_path: Path, fake_gem5: Path, *, progress: bool = True) -> int:
    """Write the image's root filesystem as a tar file; returns the number of host files copied."""
    host_paths = collect_host_paths()
    generated_dirs = ["/etc", "/tmp", "/home", "/home/gem5", "/home/gem5/build", "/home/gem5/build/X86",
                      "/home/gem5-skylake-config", "/home/gem5-skylake-config/gem5-configs"]
    parents: set[str] = set()
    for path in host_paths:
        parent = os.path.dirname(path)
        while parent not in ("/", ""):
            parents.add(parent)
            parent = os.path.dirname(parent)
    with tarfile.open(tar_path, "w", format=tarfile.GNU_FORMAT) as tar:
        for top in TOP_LEVEL_LINKS:
            if os.path.islink(top):
                link = tarfile.TarInfo(top.lstrip("/"))
                link.type = tarfile.SYMTYPE
                link.linkname = os.readlink(top)
                tar.addfile(link)
        for directory in sorted(parents - set(TOP_LEVEL_LINKS)):
            tar.addfile(_dir_info(directory))
        for directory in generated_dirs:
            mode = 0o1777 if directory == "/tmp" else 0o755
            uid = GEM5_UID if directory.startswith("/home/gem5") and "config" not in directory else 0
            if directory not in parents:
                tar.addfile(_dir_info(directory, mode, uid))
        for count, path in enumerate(host_paths, 1):
            tar.add(path, arcname=path.lstrip("/"), recursive=False)
            if progress and count % 500 == 0:
                print(f"  {count}/{len(host_paths)} host files", file=sys.stderr)
        etc_files = {
            "/etc/passwd": f"root:x:0:0:root:/root:/bin/sh\ngem5:x:{GEM5_UID}:{GEM5_UID}::/home/gem5:/bin/sh\n",
            "/etc/group": f"root:x:0:\ngem5:x:{GEM5_UID}:\n",
        }
        for name, text in etc_files.items():
            data = text.encode()
            tar.addfile(_file_info(name, len(data)), io.BytesIO(data))
        tar.addfile(_file_info(GEM5_SCRIPT, len(RUN_SE_PLACEHOLDER)), io.BytesIO(RUN_SE_PLACEHOLDER))
        with open(fake_gem5, "rb") as handle:
            tar.addfile(_file_info(GEM5_BINARY, fake_gem5.stat().st_size, 0o755), handle)
    return len(host_paths)


def _existing_image(client: Any, tag: str) -> Any | None:
    import docker.errors

    try:
        return client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None


def ensure_image(client: Any = None, *, tag: str = IMAGE_TAG, force: bool = False, progress: bool = True) -> str:
    """Build the stand-in image unless an image with the same inputs exists; returns its image id."""
    import docker
    import docker.errors

    client = client or docker.from_env()
    want = inputs_sha256()
    image = _existing_image(client, tag)
    if image is not None and not force and (image.labels or {}).get(INPUTS_LABEL) == want:
        return image.id
    stale = image
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gem5-standin-") as tmp:
        tmp_dir = Path(tmp)
        if progress:
            print(f"building {tag}: compiling the fake gem5.opt", file=sys.stderr)
        fake = compile_fake_gem5(tmp_dir)
        if progress:
            print("  assembling the root filesystem from host packages", file=sys.stderr)
        rootfs = tmp_dir / "rootfs.tar"
        count = write_rootfs(rootfs, fake, progress=progress)
        if progress:
            size_mb = rootfs.stat().st_size / 1e6
            print(f"  {count} host files, {size_mb:.0f} MB; importing into Docker", file=sys.stderr)
        repository, _, version = tag.rpartition(":")
        changes = [
            f"USER {GEM5_UID}:{GEM5_UID}",
            "WORKDIR /home/gem5",
            "ENV PATH=/usr/local/bin:/usr/bin:/bin",
            'CMD ["/bin/sleep", "infinity"]',
            f"LABEL {INPUTS_LABEL}={want}",
            "LABEL org.pieweb.gem5-standin=1",
        ]
        client.api.import_image_from_file(str(rootfs), repository=repository or tag, tag=version or "latest",
                                          changes=changes)
    image = client.images.get(tag)
    if stale is not None and stale.id != image.id:
        # The previous build would stay behind untagged (~250 MB each time the inputs change).
        try:
            client.images.remove(stale.id)
        except docker.errors.APIError:
            pass  # still used by a container; Docker keeps it
    if progress:
        print(f"built {tag} ({image.short_id}) in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return image.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default=IMAGE_TAG, help=f"image tag to build (default {IMAGE_TAG})")
    parser.add_argument("--force", action="store_true", help="rebuild even if an up-to-date image exists")
    args = parser.parse_args(argv)
    image_id = ensure_image(tag=args.tag, force=args.force)
    print(image_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
