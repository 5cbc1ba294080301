"""Run by Start-SamBridgeEngine inside the new engine, before bridge is imported (@INFO@: the
interpreter's facts from describe_interpreter.py, base64 JSON). The interpreter's own site
directories go through site.addsitedir, which runs their .pth files (editable installs add their
import hooks there); then sys.path takes the interpreter's order."""
import base64, json, site, sys
_info = json.loads(base64.b64decode("@INFO@").decode("utf-8"))
_before, _dir = set(sys.path), None
for _dir in _info["site_dirs"]:
    if _dir not in _before:
        site.addsitedir(_dir)
sys.path[:] = list(dict.fromkeys(_info["path"] + sys.path))
sys.executable = _info["executable"]
sys.prefix, sys.exec_prefix = _info["prefix"], _info["exec_prefix"]
del _info, _before, _dir
