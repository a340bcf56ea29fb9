package io.wasmfleet.cli;

/** What deploy and build-and-deploy share: the module id and how to make room for it. */
final class DeploymentOptions {

  final String moduleId;
  final boolean replace;
  final String victim;
  final boolean noRollback;

  DeploymentOptions(Args a) {
    moduleId = a.string("--module-id");
    replace = a.flag("--replace");
    victim = a.string("--replace-victim");
    noRollback = a.flag("--no-rollback");
  }

  /** Adds the options to {@code c}. */
  static Command addTo(Command c) {
    return c.required("--module-id", "M", "The module's id on the board.")
        .flag("--replace", "Replace a running module of the same id (or any, with a victim).")
        .option("--replace-victim", "V|auto",
            "The module to unload when both slots are taken; auto picks the least recently used idle one.")
        .flag("--no-rollback", "If a replace fails after the board dropped the old module, leave the slot empty"
            + " (default: the gateway loads the old module again and says rolled_back).");
  }

  /** Adds what the options say to a deploy request. */
  com.fasterxml.jackson.databind.node.ObjectNode applyTo(com.fasterxml.jackson.databind.node.ObjectNode r) {
    if (noRollback) {
      r.put("rollback", false);
    }
    return r;
  }
}
