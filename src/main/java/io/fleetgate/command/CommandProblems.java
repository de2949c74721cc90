package io.fleetgate.command;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;


/** The problems of the command contract, in one place. */
final class CommandProblems {
  private CommandProblems() {}

  static ProblemException notSupported(String name) {
    return Problems.of(409, "vehicle/command-not-supported", "Command not supported",
        "the vehicle's capabilities do not include " + name);
  }

  static ProblemException offline(String detail) {
    return Problems.of(503, "telematics-unit/offline", "Telematics unit offline", detail);
  }

  static ProblemException timeout(Command c) {
    return Problems.of(504, "telematics-unit/timeout", "Telematics unit timeout",
        "the unit did not answer command " + c.id() + " in time; a later result is still recorded (GET the command)");
  }

  static ProblemException unitError(Command c) {
    return Problems.of(500, "telematics-unit/error", "Telematics unit error",
        "the unit answered " + c.status() + (c.detail() != null ? ": " + c.detail() : ""));
  }

  static ProblemException queueFull(int limit) {
    return Problems.conflict("the vehicle already has " + limit + " queued commands; wait for them or cancel one");
  }

  static ProblemException notQueued(Command c) {
    return Problems.conflict("the command is " + c.status() + "; only a QUEUED command can be canceled");
  }
}
