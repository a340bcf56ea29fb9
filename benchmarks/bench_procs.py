"""What the benchmark scripts that start this project's JVMs share: the launchers' classpaths,
starting a program and reading its output up to its "ready" line, percentiles, the machine."""
import os, platform, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def classpath(module):
    """The runtime classpath bin/ launchers use (builds the Java modules when needed)."""
    return subprocess.run(["bash", "-c", f"source '{ROOT}/bin/lib.sh'; classpath_of {module}"],
                          check=True, capture_output=True, text=True).stdout.strip()


def start(cmd, log):
    """Starts cmd (stderr to log); returns the process and the lines it printed before "ready"."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(log, "w"), text=True)
    lines = []
    for line in p.stdout:
        line = line.rstrip("\n")
        if line == "ready":
            return p, lines
        lines.append(line)
    raise SystemExit(f"{cmd[-1]} exited before it was ready; see {log}")


def write_report(path, lines):
    """Writes a results file (Markdown lines) and prints it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def kill_all(procs):
    for p in procs:
        try:
            p.kill()
        except OSError:
            pass


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def machine():
    """'N cores, CPU model; JDK; date' for a results file."""
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    jdk = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{os.cpu_count()} cores, {cpu}; {jdk}; {time.strftime('%Y-%m-%d')}"
