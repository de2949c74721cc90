package io.fleetgate;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every {@code java.util.logging} record of the JVM while open (a handler on the root logger), formatted the
 * way the gateway's console handler writes it, stack trace included: what an operator's log would show.
 */
public final class LogCapture implements AutoCloseable {
  private static final Logger ROOT = Logger.getLogger("");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Formatter formatter = new SimpleFormatter() {
    @Override
    public String format(LogRecord r) {
      // the production format (fleetgate-logging.properties): level, logger, message, stack trace, newline
      String thrown = "";
      if (r.getThrown() != null) {
        java.io.StringWriter w = new java.io.StringWriter();
        r.getThrown().printStackTrace(new java.io.PrintWriter(w));
        thrown = System.lineSeparator() + w;
      }
      return r.getLevel() + " " + r.getLoggerName() + ": " + formatMessage(r) + thrown + System.lineSeparator();
    }
  };
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture() {
    ROOT.addHandler(handler);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  /** The records so far, as the console would print each (one element per record, maybe several lines). */
  public List<String> printed() {
    return records.stream().map(formatter::format).toList();
  }

  /** The printed records that contain {@code text}. */
  public List<String> printedContaining(String text) {
    return printed().stream().filter(p -> p.contains(text)).toList();
  }

  /** The records so far. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Fails unless every record printed as one line (no stack trace, no forged line) without an escape character. */
  public void assertOneLineEach() {
    for (String printed : printed()) {
      String body = printed.stripTrailing();
      org.junit.jupiter.api.Assertions.assertFalse(body.contains("\n") || body.contains("\r"), "a record over several lines: " + printed);
      org.junit.jupiter.api.Assertions.assertFalse(body.contains("\u001b"), "an escape character in the log: " + printed);
    }
  }

  @Override
  public void close() {
    ROOT.removeHandler(handler);
  }
}
