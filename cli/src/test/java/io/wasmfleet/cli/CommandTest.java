package io.wasmfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/host's command line without a gateway: parsing, usage errors, help and completion. */
class CommandTest {

  record Run(int code, String out, String err) {}

  private static Run host(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = HostCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** A tree whose action prints what it was given. */
  private static Run echo(String... args) {
    Command root = new Command("t", "A test.")
        .option("--port", "P", "9000", "Port (default: %s).")
        .flag("--json", "JSON.")
        .sub(new Command("show", "Show.").alias("sh").positional("ID", true).positional("ID2", false)
            .required("--module-id", "M", "The module.")
            .flag("-f|--follow", "Follow.")
            .option("--interval", "S", "0.5", "Seconds.")
            .runs(a -> {
              a.out.printf("port=%d json=%s id=%s id2=%s module=%s follow=%s interval=%s%n", a.integer("--port"),
                  a.flag("--json"), a.word(0), a.word(1), a.string("--module-id"), a.flag("--follow"),
                  a.decimal("--interval"));
              return 0;
            }));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = root.execute(args, new PrintWriter(out), new PrintWriter(err), "t 1");
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void optionsDefaultsPositionalsAndGlobalOptionsAnywhere() {
    assertEquals("port=9000 json=false id=a id2=null module=m follow=false interval=0.5\n",
        echo("show", "a", "--module-id", "m").out());
    assertEquals("port=7 json=true id=a id2=b module=m follow=true interval=2.0\n",
        echo("--port=7", "sh", "--module-id", "m", "a", "-f", "b", "--json", "--interval", "2").out());
  }

  @Test
  void usageErrorsNameTheProblemAndExitTwo() {
    Run missing = echo("show", "a");
    assertEquals(2, missing.code());
    assertEquals("t show: missing option --module-id M\nTry 't show --help'.\n", missing.err());
    assertTrue(echo("show", "--module-id", "m").err().startsWith("t show: missing ID\n"));
    assertTrue(echo("show", "a", "--module-id").err().startsWith("t show: option '--module-id' needs a value (M)"));
    assertTrue(echo("show", "a", "--module-id", "m", "--nope").err().startsWith("t show: unknown option '--nope'"));
    assertTrue(echo("show", "a", "b", "c", "--module-id", "m").err().startsWith("t show: unexpected argument 'c'"));
    assertTrue(echo("--port", "x", "show", "a", "--module-id", "m").err()
        .startsWith("t show: option --port takes a whole number, got 'x'"));
    assertTrue(echo("reboot").err().startsWith("t: no command 'reboot'; the commands are show"));
    assertTrue(echo().err().startsWith("t: give a command: show"));
    assertTrue(echo("--json=yes", "show").err().startsWith("t: option '--json' takes no value"));
    Run parallel = host("fleet", "status", "--select", "all", "--parallel", "0");
    assertEquals(2, parallel.code());
    assertTrue(parallel.err().startsWith("host fleet status: option --parallel takes a whole number from 1 to 64, got 0"),
        parallel.err());
    assertTrue(host("campaign", "run", "--select", "all", "--parallel", "300").err()
        .contains("option --parallel takes a whole number from 1 to 256, got 300"));
    assertEquals(2, host("fleet").code());
    assertTrue(host("fleet").err().startsWith("host fleet: give a command: deploy, start, stop, status"));
  }

  @Test
  void helpAndVersion() {
    Run root = host("--help");
    assertEquals(0, root.code());
    for (String command : new String[] {"status", "deploy (load)", "build-and-deploy (build_and_load)", "start", "stop",
        "logs", "boards", "fleet", "campaign", "keys", "generate-completion"}) {
      assertTrue(root.out().contains("\n  " + command + " "), command + " in\n" + root.out());
    }
    assertTrue(root.out().contains("--gw-port P") && root.out().contains("(default: 9000)"), root.out());
    Run compare = host("campaign", "compare", "-h");
    assertTrue(compare.out().startsWith("Usage: host campaign compare [OPTIONS] ID1 [ID2]\n"), compare.out());
    assertTrue(compare.out().contains("Options of host (before or after the command):"), compare.out());
    assertEquals("wasmfleet host 0.1.0\n", host("--version").out());
  }

  @Test
  void theStartUpCacheIsTrainedOnAReadOnlyRequestToTheSameGateway() {
    assertEquals(List.of("--gw-host", "gw1", "--gw-port=9100", "--device", "b1", "status"), List.of(HostCli.trainingLine(
        new String[] {"--gw-host", "gw1", "deploy", "--module-id", "m", "--gw-port=9100", "--json", "--device", "b1",
            "--wasm", "m.wasm"})));
    assertEquals(List.of("--gw-port", "9001", "boards"),
        List.of(HostCli.trainingLine(new String[] {"fleet", "deploy", "--select", "all", "--gw-port", "9001"})));
  }

  /** The generated script, loaded into a real bash, completes commands, options and files. */
  @Test
  void completionWorksInBash() throws Exception {
    Path script = Files.createTempFile("host-completion", ".bash");
    Files.writeString(script, host("generate-completion").out());
    assertEquals("start status stop", complete(script, "host", "st"));
    assertEquals("deploy start status stop", complete(script, "host", "fleet", ""));
    assertEquals("--module-id", complete(script, "host", "--device", "b1", "load", "--mod"));
    assertEquals("--follow", complete(script, "host", "logs", "--fo"));
    String files = complete(script, "host", "deploy", "--wasm", script.getParent() + "/" + script.getFileName()
        .toString().substring(0, 10));
    assertTrue(files.contains(script.toString()), files);
  }

  private static String complete(Path script, String... words) throws Exception {
    String array = String.join(" ", java.util.Arrays.stream(words).map(w -> "'" + w + "'").toList());
    String bash = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
        + "; _host; printf '%s\\n' \"${COMPREPLY[@]}\" | sort | paste -sd ' '";
    Process p = new ProcessBuilder("bash", "-c", bash).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return out;
  }

  @Test
  void keysGenWritesAPairThatSignsAndNeverOverwrites() throws Exception {
    Path dir = Files.createTempDirectory("keys");
    Run gen = host("keys", "gen", "--out", dir.toString(), "--alg", "p256");
    assertEquals(0, gen.code(), gen.err());
    assertTrue(gen.out().contains("module-signing.key") && gen.out().contains("p256"), gen.out());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("module-signing.key"))));
    Path module = Files.createTempFile("m", ".wasm");
    Files.write(module, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    Run sign = host("keys", "sign", "--key", dir.resolve("module-signing.key").toString(), "--wasm", module.toString());
    assertEquals(0, sign.code(), sign.err());
    String hex = sign.out().replaceAll("(?s).*signature=([0-9a-f]+).*", "$1");
    var pub = io.wasmfleet.protocol.load2.ModuleSignature.readPublic(dir.resolve("module-signing.pub"));
    assertTrue(io.wasmfleet.protocol.load2.ModuleSignature.verify(pub,
        io.wasmfleet.protocol.load2.ModuleSignature.sha256(Files.readAllBytes(module)),
        java.util.HexFormat.of().parseHex(hex)), sign.out());
    Run again = host("keys", "gen", "--out", dir.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("exists; a key is never overwritten"), again.err());
    assertTrue(host("keys", "gen", "--out", dir.toString(), "--alg", "rsa").err()
        .contains("signature algorithm 'rsa': ed25519 or p256"));
  }

  @Test
  void keysShowPrintsTheLineOurZephyrAppIsProvisionedWith() throws Exception {
    // the key of firmware/tests/unit/test_verify_psa.c's vector (made with OpenSSL)
    Path pub = Files.createTempFile("p256", ".pub");
    Files.writeString(pub, """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEx7noMkToXVnJWLWgx8SD2LFVMt64
        ltUs0MkbrWv8z1zq1QAn1KmPPDGPRcVVIXawjjwaNgdreAvBa5ycjkIcKg==
        -----END PUBLIC KEY-----
        """);
    Run show = host("keys", "show", "--pub", pub.toString());
    assertEquals(0, show.code(), show.err());
    assertEquals("key 65f87487, p256\n"
        + "CONFIG_AGENT_SIGNING_KEY=\"04c7b9e83244e85d59c958b5a0c7c483d8b15532deb896d52cd0c91bad6bfccf5c"
        + "ead50027d4a98f3c318f45c5552176b08e3c1a36076b780bc16b9c9c8e421c2a\"\n", show.out());
    Path dir = Files.createTempDirectory("keys");
    assertEquals(0, host("keys", "gen", "--out", dir.toString()).code());
    Run ed = host("keys", "show", "--pub", dir.resolve("module-signing.pub").toString());
    assertTrue(ed.out().contains("ed25519") && ed.out().contains("P-256 signatures only"), ed.out());
  }
}
