"""Shared by the `make bench-eval` scripts: whole-process wall time and peak memory of a command
under `/usr/bin/time -v`, the best of several runs, the size labels of the data folders, and
the machine description every JSON line carries (the CPU model, detect-eval's version line)."""
import re
import subprocess


def timed(command):
    """(wall seconds, peak RSS in MB, stdout) of one run; raises RuntimeError when it fails."""
    proc = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return seconds, rss_kb / 1024.0, proc.stdout


def best_of(command, repeat):
    """Fastest of `repeat` runs (the machine is shared; the minimum is the least disturbed)."""
    runs = [timed(command) for _ in range(max(1, repeat))]
    return min(runs, key=lambda run: run[0])


def interleaved(commands, repeat):
    """{name: fastest wall seconds} of `repeat` rounds, each running every command once in turn, so
    that a slow spell of the shared machine falls on all of them alike."""
    best = {}
    for _ in range(max(1, repeat)):
        for name, command in commands.items():
            seconds = timed(command)[0]
            best[name] = min(seconds, best.get(name, seconds))
    return best


def label(images):
    return f"{images // 1000}k" if images % 1000 == 0 else str(images)


def machine(detect_eval):
    """{"cpu": lscpu's model name and core count, "detect_eval": the first line of --version}."""
    cpu = "unknown"
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    cores = re.search(r"^CPU\(s\):\s*(\d+)$", lscpu, re.M)
    if model:
        cpu = model.group(1).strip() + (f", {cores.group(1)} cores" if cores else "")
    version = subprocess.run([detect_eval, "--version"], capture_output=True, text=True).stdout.splitlines()
    return {"cpu": cpu, "detect_eval": version[0] if version else "unknown"}
