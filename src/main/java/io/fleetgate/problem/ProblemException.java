package io.fleetgate.problem;

import io.vertx.core.json.JsonArray;
import java.util.Map;

/**
 * A failure with an HTTP status and a contract problem type. Thrown or failed anywhere behind the API and
 * rendered as problem JSON in one place (the REST surface's {@code api.FailureHandler}); it lives below both
 * surfaces so that domain packages need not import either. No stack trace: it is expected flow.
 *
 * @param type the part after {@code /problems/}, e.g. {@code resource-not-found}
 * @param errors validation errors ({pointer, detail}) or null
 * @param headers extra response headers (Retry-After, WWW-Authenticate…) or empty
 */
public final class ProblemException extends RuntimeException {
  public final int status;
  public final String type;
  public final String title;
  public final JsonArray errors;
  public final Map<String, String> headers;

  public ProblemException(int status, String type, String title, String detail, JsonArray errors, Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = errors;
    this.headers = headers;
  }

  public String detail() {
    return getMessage();
  }
}
