package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict checking of an {@code application/x-www-form-urlencoded} body and of the query string: every escape
 * is {@code %} and two hex digits, and every decoded name and value is valid UTF-8. Netty's decoder replaces
 * invalid UTF-8 with U+FFFD, so a client id or secret could otherwise be compared after a silent change.
 * Only checks (the decoded parameters are still read from Vert.x); a failure is a 400 validation problem
 * naming the parameter when its name is readable.
 */
final class FormInput {
  private FormInput() {}

  /**
   * Route handler, before the body handler: a query that is not strictly encoded fails the request with a
   * 400. (Vert.x's body handler decodes the query to merge form attributes and, on a bad escape, throws out
   * of the request's end handler: the request then never got an answer.)
   */
  static void checkQuery(RoutingContext ctx) {
    String query = ctx.request().query();
    try {
      if (query != null) {
        check(query.getBytes(StandardCharsets.ISO_8859_1), "query");
      }
    } catch (ProblemException e) {
      ctx.fail(e);
      return;
    }
    ctx.next();
  }

  /** Checks a form body (the token endpoint's), when the request has one. */
  static void checkBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded") && body != null) {
      check(body.getBytes(), "form body");
    }
  }

  static void check(byte[] form, String where) {
    int start = 0;
    for (int i = 0; i <= form.length; i++) {
      if (i == form.length || form[i] == '&') {
        pair(form, start, i, where);
        start = i + 1;
      }
    }
  }

  private static void pair(byte[] form, int from, int to, String where) {
    int eq = from;
    while (eq < to && form[eq] != '=') {
      eq++;
    }
    String name = decode(form, from, eq, where, null);
    if (eq < to) {
      decode(form, eq + 1, to, where, name);
    }
  }

  /** A name ({@code name} null) or the value of {@code name}, percent- and UTF-8-decoded strictly. */
  private static String decode(byte[] form, int from, int to, String where, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      byte b = form[i];
      if (b == '%') {
        int hi = i + 2 < to ? Character.digit(form[i + 1], 16) : -1;
        int lo = hi >= 0 ? Character.digit(form[i + 2], 16) : -1;
        if (lo < 0) {
          throw invalid(where, name, "an invalid percent-escape (% must be followed by two hex digits)");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(b == '+' ? ' ' : b);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw invalid(where, name, "bytes that are not valid UTF-8");
    }
  }

  private static ProblemException invalid(String where, String name, String what) {
    return name == null
        ? Problems.validation("", "a parameter name in the " + where + " has " + what)
        : Problems.validation("/" + name.replace("~", "~0").replace("/", "~1"), "the " + where + " value has " + what);
  }
}
