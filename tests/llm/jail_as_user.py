"""Run by test_sandbox.py as `nobody` with the system's Python: the launcher, used by an ordinary user.

    python3 -I jail_as_user.py HOME JAIL

HOME is a folder `nobody` owns (the workspace is made in it, a secret file lies beside it); JAIL is the
path of teamtui/runtime/jail.py. Prints the launcher's exit status, then what the confined code saw.
"""

import marshal
import os
import subprocess
import sys

READ, READ_WRITE_FILE = 1 | 4 | 8, 2 | 4
"""Landlock's EXECUTE | READ_FILE | READ_DIR, and WRITE_FILE | READ_FILE (teamtui.runtime.landlock)."""

CODE = """
import json, os, time
out = {}
for label, path in (("shadow", "/etc/shadow"), ("beside the workspace", "../secret.txt")):
    try:
        open(path).read()
        out[label] = "READ"
    except OSError:
        out[label] = "denied"
with open("inside.txt", "w") as fh:
    fh.write("x")
forks = 0
try:
    while forks < 1000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        forks += 1
except OSError:
    pass
out["forks"] = forks
out["uid inside"] = os.getuid()
print(json.dumps(out))
"""


def main() -> None:
    home, jail = sys.argv[1], sys.argv[2]
    ws = os.path.join(home, "ws")
    os.mkdir(ws)
    read = ["/usr/lib", "/lib", "/lib64", os.path.dirname(os.path.realpath(sys.executable))]
    cfg = {"parent": os.getpid(), "argv": [sys.executable, "-I", "-S", "-c", CODE], "cwd": ws, "env": {},
           "rules": [[p, READ] for p in read] + [["/dev/null", READ_WRITE_FILE]], "write": [ws],
           "limits": {"nproc": 16}, "timeout": 30.0, "keep_fds": []}
    proc = subprocess.run([sys.executable, "-I", "-S", jail, marshal.dumps(cfg).hex()], capture_output=True,
                          text=True, check=False)
    print(proc.returncode)
    print(proc.stdout + proc.stderr)


if __name__ == "__main__":
    main()
