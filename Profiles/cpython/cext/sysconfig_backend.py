"""A minimal PEP 517 build backend for temper_cext.c: compiles and links with the building
interpreter's sysconfig (CC, CFLAGS, CCSHARED, LDSHARED, EXT_SUFFIX, include path), as
setuptools does, so a sysconfig that names missing paths or carries build-only flags fails
here. Builds in a temporary directory: the source tree stays untouched."""
import base64
import hashlib
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

NAME, VERSION = "temper_cext", "1.0"
HERE = os.path.dirname(os.path.abspath(__file__))


def get_requires_for_build_wheel(config_settings=None):
    return []


def _compile(build):
    var = lambda name: sysconfig.get_config_var(name) or ""
    include = sysconfig.get_path("include")
    obj = os.path.join(build, NAME + ".o")
    lib = os.path.join(build, NAME + var("EXT_SUFFIX"))
    compile_cmd = shlex.split(var("CC")) + shlex.split(var("CFLAGS")) + shlex.split(var("CCSHARED")) + [
        "-I" + include, "-c", os.path.join(HERE, NAME + ".c"), "-o", obj]
    link_cmd = shlex.split(var("LDSHARED")) + [obj, "-o", lib]
    for cmd in (compile_cmd, link_cmd):
        print(" ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    return lib


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    tag = sys.implementation.cache_tag.replace("-", "")  # cpython-313 -> cpython313
    abi = "cp" + tag[len("cpython"):]
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    wheel_name = f"{NAME}-{VERSION}-{abi}-{abi}-{platform}.whl"
    dist_info = f"{NAME}-{VERSION}.dist-info"
    with tempfile.TemporaryDirectory() as build:
        lib = _compile(build)
        files = {
            os.path.basename(lib): open(lib, "rb").read(),
            f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: temper-cext\nVersion: {VERSION}\n".encode(),
            f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: sysconfig_backend\nRoot-Is-Purelib: false\nTag: {abi}-{abi}-{platform}\n".encode(),
        }
        record = [_record_line(n, d) for n, d in files.items()] + [f"{dist_info}/RECORD,,"]
        files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
        with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w") as wheel:
            for name, data in files.items():
                wheel.writestr(name, data)
    return wheel_name
