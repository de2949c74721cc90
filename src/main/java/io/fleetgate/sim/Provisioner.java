package io.fleetgate.sim;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Creates fleets, API clients and vehicles through the gateway's own REST API, as an operator would. Idempotent
 * where the API allows: an existing fleet (409) is used as is, an existing unit (409) is counted and kept.
 * Bounded: a fixed number of requests in flight, a timeout per request, a few retries for 429/503.
 */
public final class Provisioner implements AutoCloseable {
  public static final List<String> FLEET_PERMISSIONS = List.of("vehicles", "vehicle-commands", "vehicle-lifecycle",
      "fleetshare", "events");
  private static final int MAX_ATTEMPTS = 5;
  private static final long TOKEN_REFRESH_MS = 10 * 60_000L;

  private final Vertx vertx;
  private final WebClient web;
  private final String apiUrl;

  /** A bearer token and when it was fetched, with the credentials to fetch it again. */
  public static final class Session {
    final String clientId;
    final String clientSecret;
    String token;
    long fetchedAt;

    Session(String clientId, String clientSecret) {
      this.clientId = clientId;
      this.clientSecret = clientSecret;
    }
  }

  /** A failed step: one line naming the request and the gateway's answer. */
  public static final class ProvisioningException extends RuntimeException {
    public ProvisioningException(String message) {
      super(message, null, false, false);
    }
  }

  public Provisioner(Vertx vertx, String apiUrl) {
    this.vertx = vertx;
    this.apiUrl = apiUrl;
    this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setIdleTimeout(30)
        .setUserAgent("fleetgate-simulator"));
  }

  /** {@code POST /auth/oauth/token} with HTTP Basic; the session keeps the token fresh. */
  public Future<Session> login(String clientId, String clientSecret) {
    Session s = new Session(clientId, clientSecret);
    return refresh(s).map(v -> s);
  }

  private Future<Void> refresh(Session s) {
    return send("POST /auth/oauth/token", () -> web.postAbs(apiUrl + "/auth/oauth/token")
            .basicAuthentication(s.clientId, s.clientSecret).timeout(20_000),
        r -> r.sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")))
        .map(resp -> {
          expect(resp, "POST /auth/oauth/token", 200);
          String token = resp.bodyAsJsonObject().getString("access_token");
          if (token == null) {
            throw new ProvisioningException("POST /auth/oauth/token: no access_token in the answer");
          }
          s.token = token;
          s.fetchedAt = System.currentTimeMillis();
          return null;
        });
  }

  /** {@code POST /fleets}; an existing fleet (409) is fine. */
  public Future<Void> ensureFleet(Session admin, String fleetId, String name) {
    JsonObject body = new JsonObject().put("fleet_id", fleetId).put("name", name);
    return postJson(admin, "/fleets", body).map(resp -> {
      if (resp.statusCode() != 409) {
        expect(resp, "POST /fleets", 201);
      }
      return null;
    });
  }

  /** {@code POST /partnerships} as the administrator (already partners is fine). */
  public Future<Void> ensurePartnership(Session admin, String fleetA, String fleetB) {
    JsonObject body = new JsonObject().put("fleet_ids", new JsonArray().add(fleetA).add(fleetB));
    return postJson(admin, "/partnerships", body).map(resp -> {
      if (resp.statusCode() != 409) {
        expect(resp, "POST /partnerships", 201);
      }
      return null;
    });
  }

  /** {@code POST /vehicles/{id}/sharing}: shares one of the session's vehicles with a partner fleet, open-ended. */
  public Future<Void> share(Session owner, String vehicleId, String partnerFleetId) {
    return postJson(owner, "/vehicles/" + vehicleId + "/sharing", new JsonObject().put("fleet_id", partnerFleetId))
        .map(resp -> {
          expect(resp, "POST /vehicles/" + vehicleId + "/sharing", 200);
          return null;
        });
  }

  /** {@code POST /event-consumers}: a RabbitMQ consumer of the session's fleet; returns its queues, topic → queue. */
  public Future<java.util.Map<String, String>> createEventConsumer(Session fleet, String name, List<String> topics) {
    JsonObject body = new JsonObject().put("name", name).put("topics", new JsonArray(new ArrayList<>(topics)));
    return postJson(fleet, "/event-consumers", body).map(resp -> {
      expect(resp, "POST /event-consumers", 201);
      java.util.Map<String, String> queues = new java.util.LinkedHashMap<>();
      resp.bodyAsJsonObject().getJsonArray("queues").forEach(o -> queues.put(((JsonObject) o).getString("topic"),
          ((JsonObject) o).getString("queue")));
      return queues;
    });
  }

  /** {@code POST /fleets/{id}/api-clients} with every fleet permission. */
  public Future<Credentials.ApiClient> createApiClient(Session admin, String fleetId, String fleetName, String name) {
    JsonObject body = new JsonObject().put("name", name).put("permissions", new JsonArray(new ArrayList<>(FLEET_PERMISSIONS)));
    String path = "/fleets/" + fleetId + "/api-clients";
    return postJson(admin, path, body).map(resp -> {
      expect(resp, "POST " + path, 201);
      JsonObject c = resp.bodyAsJsonObject();
      return new Credentials.ApiClient(fleetId, fleetName, c.getString("client_id"), c.getString("client_secret"),
          FLEET_PERMISSIONS);
    });
  }

  /**
   * {@code POST /vehicles} for each body, {@code parallel} at a time. The unit id is {@code telematics_unit.id};
   * a 409 (unit already attached) keeps the unit with a null vehicle id.
   */
  public Future<List<Credentials.Unit>> createVehicles(Session fleet, String fleetId, List<JsonObject> bodies, int parallel,
      Runnable progress) {
    Credentials.Unit[] out = new Credentials.Unit[bodies.size()];
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(parallel, bodies.size()); i++) {
      Promise<Void> lane = Promise.promise();
      lanes.add(lane.future());
      nextVehicle(fleet, fleetId, bodies, out, next, progress, lane);
    }
    return Future.all(lanes).map(v -> List.of(out));
  }

  /** One lane: the next unclaimed body, then the one after (each from the previous answer's callback). */
  private void nextVehicle(Session fleet, String fleetId, List<JsonObject> bodies, Credentials.Unit[] out,
      AtomicInteger next, Runnable progress, Promise<Void> lane) {
    int i = next.getAndIncrement();
    if (i >= bodies.size()) {
      lane.tryComplete();
      return;
    }
    JsonObject body = bodies.get(i);
    JsonObject unit = body.getJsonObject("telematics_unit");
    postJson(fleet, "/vehicles", body)
        .map(resp -> {
          String vehicleId = null;
          if (resp.statusCode() != 409) {
            expect(resp, "POST /vehicles (unit " + unit.getString("id") + ")", 201);
            vehicleId = resp.bodyAsJsonObject().getString("id");
          }
          out[i] = new Credentials.Unit(unit.getString("id"), unit.getString("password"), vehicleId, fleetId);
          progress.run();
          return (Void) null;
        })
        .onSuccess(v -> nextVehicle(fleet, fleetId, bodies, out, next, progress, lane))
        .onFailure(lane::tryFail);
  }

  private Future<HttpResponse<Buffer>> postJson(Session s, String path, JsonObject body) {
    Future<Void> fresh = System.currentTimeMillis() - s.fetchedAt > TOKEN_REFRESH_MS ? refresh(s) : Future.succeededFuture();
    return fresh.compose(v -> send("POST " + path,
            () -> web.postAbs(apiUrl + path).bearerTokenAuthentication(s.token).timeout(30_000),
            r -> r.sendJsonObject(body)))
        .compose(resp -> resp.statusCode() == 401 && System.currentTimeMillis() - s.fetchedAt > 1_000
            ? refresh(s).compose(v -> send("POST " + path,
                () -> web.postAbs(apiUrl + path).bearerTokenAuthentication(s.token).timeout(30_000),
                r -> r.sendJsonObject(body)))
            : Future.succeededFuture(resp));
  }

  /** Sends, retrying 429 and 503 after their Retry-After (at most {@value #MAX_ATTEMPTS} attempts). */
  private Future<HttpResponse<Buffer>> send(String what, java.util.function.Supplier<HttpRequest<Buffer>> request,
      Function<HttpRequest<Buffer>, Future<HttpResponse<Buffer>>> sender) {
    return attempt(what, request, sender, 1);
  }

  private Future<HttpResponse<Buffer>> attempt(String what, java.util.function.Supplier<HttpRequest<Buffer>> request,
      Function<HttpRequest<Buffer>, Future<HttpResponse<Buffer>>> sender, int n) {
    return sender.apply(request.get())
        .recover(e -> Future.failedFuture(new ProvisioningException(what + ": " + SimulatedUnit.describe(e)
            + " (is the gateway's REST API at " + apiUrl + "?)")))
        .compose(resp -> {
          int status = resp.statusCode();
          if ((status == 429 || status == 503) && n < MAX_ATTEMPTS) {
            long waitMs = retryAfterMs(resp.getHeader("Retry-After"), n);
            Promise<HttpResponse<Buffer>> later = Promise.promise();
            vertx.setTimer(waitMs, t -> attempt(what, request, sender, n + 1).onComplete(later));
            return later.future();
          }
          return Future.succeededFuture(resp);
        });
  }

  private static long retryAfterMs(String header, int attempt) {
    try {
      if (header != null) {
        return Math.min(30_000, Math.max(100, Long.parseLong(header.trim()) * 1000));
      }
    } catch (NumberFormatException ignored) {
      // back off below
    }
    return 250L << attempt;
  }

  private static void expect(HttpResponse<Buffer> resp, String what, int status) {
    if (resp.statusCode() != status) {
      String detail = "";
      try {
        JsonObject problem = resp.bodyAsJsonObject();
        if (problem != null) {
          detail = ": " + problem.getString("type", "") + " " + problem.getString("detail", problem.getString("title", ""));
        }
      } catch (RuntimeException notJson) {
        // no problem body
      }
      throw new ProvisioningException(what + " answered " + resp.statusCode() + detail.stripTrailing());
    }
  }

  /** The {@code POST /vehicles} body of a simulated car: explicit capabilities, master data, the unit's login. */
  public static JsonObject vehicleBody(String unitId, String password, int n) {
    String[][] models = {{"Renault", "Zoe"}, {"Volkswagen", "ID.3"}, {"Fiat", "500e"}, {"Opel", "Corsa-e"}, {"BMW", "i3"}};
    String[] model = models[n % models.length];
    JsonArray state = new JsonArray();
    UnitModel.PROPERTIES.forEach(p -> state.add(p.name()));
    return new JsonObject()
        .put("telematics_unit", new JsonObject().put("id", unitId).put("brand", "fleetgate").put("model", "sim-1")
            .put("manufacturer", "fleetgate simulator").put("type", "RETROFIT").put("password", password))
        .put("capabilities", new JsonObject().put("commands", new JsonArray(new ArrayList<>(UnitModel.COMMANDS)))
            .put("vehicle_state", state))
        .put("master_data", new JsonObject().put("brand", model[0]).put("model", model[1])
            .put("license_plate", String.format("B-FG %d", 1000 + n)).put("fuel_type", "ELECTRIC")
            .put("vehicle_type", "CAR").put("gear_box", "AUTOMATIC"));
  }

  @Override
  public void close() {
    web.close();
  }
}
