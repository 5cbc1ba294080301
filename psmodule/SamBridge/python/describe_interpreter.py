"""Run by Get-SamPythonInfo in the interpreter the in-process engine would load (this file on its
stdin, once per PowerShell process): prints one JSON line of the facts the engine needs.

The shared library is looked for under the names and folders CPython's build records (Debian:
LIBDIR/INSTSONAME, as libpython3.11.so itself comes only with python3-dev; Windows: pythonXY.dll
beside the base interpreter; macOS: the framework's Python or LIBDIR/LDLIBRARY). "host" is the
version of the core's in-process entry (bridge.rpc.IN_PROCESS_ENTRY), None without one.
"""
import importlib.util, json, os, site, sys, sysconfig

def library():
    var = sysconfig.get_config_var
    names = [var("INSTSONAME"), var("LDLIBRARY")]
    if os.name == "nt":
        names.insert(0, "python%d%d.dll" % sys.version_info[:2])
    folders = [var("LIBDIR"), os.path.join(sys.base_prefix, "lib"), sys.base_prefix,
               os.path.dirname(getattr(sys, "_base_executable", "") or sys.executable)]
    if var("LIBDIR") and var("MULTIARCH"):
        folders.append(os.path.join(var("LIBDIR"), var("MULTIARCH")))
    if var("PYTHONFRAMEWORKPREFIX"):
        folders.insert(0, var("PYTHONFRAMEWORKPREFIX"))
    for folder in folders:
        for name in names:
            if folder and name and not name.endswith(".a"):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    return path
    return None

def site_dirs():
    found = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        found.append(site.getusersitepackages())
    return [d for d in found if os.path.isdir(d)]

spec = importlib.util.find_spec("bridge")
entry = None
if spec:
    try:  # the core's stable entry for the in-process transport (bridge/rpc/__init__.py)
        import bridge.rpc
        entry = getattr(bridge.rpc, "IN_PROCESS_ENTRY", None)
    except Exception:
        entry = None
net = importlib.util.find_spec("pythonnet")
dll = None
if net and net.submodule_search_locations:
    candidate = os.path.join(list(net.submodule_search_locations)[0], "runtime", "Python.Runtime.dll")
    dll = candidate if os.path.isfile(candidate) else None
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "prefix": sys.prefix,
    "exec_prefix": sys.exec_prefix,
    "base_prefix": sys.base_prefix,
    "path": [p for p in sys.path if p],
    "site_dirs": site_dirs(),
    "library": library(),
    "bridge": bool(spec),
    "host": entry,
    "pythonnet_dll": dll,
}))
