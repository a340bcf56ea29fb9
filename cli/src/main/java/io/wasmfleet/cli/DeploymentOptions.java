package io.wasmfleet.cli;

import picocli.CommandLine.Option;

/** What deploy and build-and-deploy share: the module id and how to make room for it. */
final class DeploymentOptions {

  @Option(names = "--module-id", required = true, paramLabel = "M", description = "The module's id on the board.")
  String moduleId;

  @Option(names = "--replace", description = "Replace a running module of the same id (or any, with a victim).")
  boolean replace;

  @Option(names = "--replace-victim", paramLabel = "V|auto",
      description = "The module to unload when both slots are taken; auto picks the least recently used idle one.")
  String victim;

  @Option(names = "--no-rollback", negatable = false,
      description = "If a replace fails after the board dropped the old module, leave the slot empty"
          + " (default: the gateway loads the old module again and says rolled_back).")
  boolean noRollback;

  /** Adds what the options say to a deploy request. */
  com.fasterxml.jackson.databind.node.ObjectNode applyTo(com.fasterxml.jackson.databind.node.ObjectNode r) {
    if (noRollback) {
      r.put("rollback", false);
    }
    return r;
  }
}
