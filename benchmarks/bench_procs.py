"""What the benchmark scripts that start this project's JVMs share: the launchers' classpaths,
starting a program and reading its output up to its "ready" line, percentiles, the machine."""
import json, os, platform, random, socket, subprocess, time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def classpath(module):
    """The runtime classpath bin/ launchers use (builds the Java modules when needed)."""
    return subprocess.run(["bash", "-c", f"source '{ROOT}/bin/lib.sh'; classpath_of {module}"],
                          check=True, capture_output=True, text=True).stdout.strip()


def gateway_java():
    """`java` and the JVM options bin/gateway and bin/fleet give a gateway node (bin/lib.sh)."""
    opts = subprocess.run(["bash", "-c", f"source '{ROOT}/bin/lib.sh'; gateway_java_opts"],
                          check=True, capture_output=True, text=True).stdout.split()
    return ["java"] + opts


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
    """'N cores, CPU model; JDK (a gateway node's JVM options); date' for a results file."""
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    jdk = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    opts = " ".join(gateway_java()[1:])
    return f"{os.cpu_count()} cores, {cpu}; {jdk}{' (gateways: ' + opts + ')' if opts else ''}; {time.strftime('%Y-%m-%d')}"


def wasm_module(size, seed):
    """A valid wasm module of exactly `size` bytes: a custom section of random bytes (the worst
    bytes hold few zeros, so v2's COBS adds a little; runtimes skip custom sections)."""
    header = b"\0asm\1\0\0\0"
    name = b"\x05bench"
    rng = random.Random(seed)

    def leb(n):
        out = b""
        while True:
            b = n & 0x7F
            n >>= 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out
    # content length c, section = 0x00 + leb(len(name)+c) + name + c bytes; solve for c
    for c in range(size, 0, -1):
        total = len(header) + 1 + len(leb(len(name) + c)) + len(name) + c
        if total == size:
            return header + b"\0" + leb(len(name) + c) + name + bytes(rng.getrandbits(8) for _ in range(c))
    raise ValueError(size)


def host_load(api, device, blob, module_id):
    """One v1 host API load (replace=true) over its own socket, as host.py sends it; the answer."""
    request = {"cmd": "load", "device": device, "module_id": module_id, "blob_size": len(blob),
               "blob_crc32": "%08x" % (zlib.crc32(blob) & 0xFFFFFFFF), "replace": True}
    with socket.create_connection(("127.0.0.1", api)) as s:
        s.sendall((json.dumps(request) + "\n").encode() + blob)
        return json.loads(s.makefile().readline())
