package io.fleetgate.api;

import io.fleetgate.events.Flows;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/** The flow id of a request: the client's own {@code X-Flow-ID} when it is a UUID, else a new one. */
public final class FlowIds {
  public static final String HEADER = "X-Flow-ID";
  private static final String KEY = "fleetgate.flowId";
  private static final Pattern UUID_FORM =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private FlowIds() {}

  /** First handler of every request: fixes the flow id and puts it on the response. */
  public static void assign(RoutingContext ctx) {
    String id = of(ctx.request());
    ctx.put(KEY, id);
    Flows.bind(id); // events caused by this request carry its flow id
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** The flow id a request asks for in {@code X-Flow-ID} when that is a UUID, else a new one. */
  static String of(io.vertx.core.http.HttpServerRequest request) {
    String given = request.getHeader(HEADER);
    return given != null && UUID_FORM.matcher(given).matches() ? given.toLowerCase() : Flows.newId();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id != null ? id : "-";
  }
}
