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
}
