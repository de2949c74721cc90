package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps {@code openapi.yaml} true: it is a valid OpenAPI 3.1 document, and its operations are exactly the
 * routes the gateway mounts (method and path template), with the problem responses every route can give.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiContractTest {
  private static final Pattern ROUTER_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");

  /**
   * vertx-openapi's contract model (made for its router builder) accepts only a few media types; the
   * description uses the contract's own (problem JSON, merge patch, form, YAML, HTML, Prometheus text). For
   * building the model only, those keys are renamed to accepted stand-ins; validity is checked on the
   * untouched document against the OpenAPI 3.1 meta-schema first.
   */
  private static final Map<String, String> MODEL_MEDIA_TYPES = Map.of(
      "application/problem+json", "application/vnd.fleetgate.problem+json",
      "application/merge-patch+json", "application/vnd.fleetgate.merge-patch+json",
      "application/x-www-form-urlencoded", "multipart/form-data",
      "application/yaml", "text/plain",
      "text/html", "text/plain",
      "text/plain; version=0.0.4", "text/plain",
      "text/event-stream", "text/plain",
      "application/openmetrics-text; version=1.0.0", "application/octet-stream");

  static TestGateway gw;
  /** Parsing and validating the description is CPU work on an event loop: done on a Vert.x of its own, so the gateway's blocked-thread watch stays meaningful. */
  static Vertx tool;
  static JsonObject document;
  static OpenAPIContract contract;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.start();
    tool = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(60).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream(OpsRoutes.OPENAPI_RESOURCE)) {
      assertNotNull(in, OpsRoutes.OPENAPI_RESOURCE + " on the class path");
      Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      document = new JsonObject(yaml);
    }
    contract = OpenAPIContract.from(tool, renameMediaTypes(document.copy())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      gw.close();
    } finally {
      tool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void isAValidOpenApi31Document() throws Exception {
    assertEquals(OpenAPIVersion.V3_1, OpenAPIVersion.fromContract(document));
    OutputUnit result = OpenAPIVersion.V3_1.getRepository(tool, "app://")
        .compose(repository -> OpenAPIVersion.V3_1.validateContract(tool, repository, document))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(result.getValid(), () -> "not a valid OpenAPI 3.1 document: " + result.toJson().encodePrettily());
    assertEquals(OpenAPIVersion.V3_1, contract.getVersion());
    assertNotNull(contract.securityScheme("bearerAuth"));
    assertNotNull(contract.securityScheme("clientBasic"));
  }

  @Test
  void theServedDescriptionIsTheTestedOne() throws Exception {
    String served = gw.http.get("/openapi.yaml").send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).bodyAsString();
    Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(served);
    assertEquals(document, new JsonObject(yaml));
  }

  private static JsonObject renameMediaTypes(JsonObject node) {
    for (String key : new ArrayList<>(node.fieldNames())) {
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        renameMediaTypes(child);
        if (key.equals("content")) {
          for (String type : new ArrayList<>(child.fieldNames())) {
            String standIn = MODEL_MEDIA_TYPES.get(type);
            if (standIn != null) {
              child.put(standIn, child.remove(type));
            }
          }
        }
      } else if (value instanceof io.vertx.core.json.JsonArray array) {
        array.forEach(item -> {
          if (item instanceof JsonObject o) {
            renameMediaTypes(o);
          }
        });
      }
    }
    return node;
  }

  @Test
  void documentedOperationsAreExactlyTheMountedRoutes() {
    Set<String> documented = contract.operations().stream()
        .map(op -> op.getHttpMethod().name() + " " + op.getOpenAPIPath())
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> mounted = mountedRoutes();

    Set<String> undocumented = new TreeSet<>(mounted);
    undocumented.removeAll(documented);
    Set<String> notMounted = new TreeSet<>(documented);
    notMounted.removeAll(mounted);

    assertTrue(undocumented.isEmpty(), "mounted but not in openapi.yaml: " + undocumented);
    assertTrue(notMounted.isEmpty(), "in openapi.yaml but not mounted: " + notMounted);
    assertTrue(mounted.containsAll(List.of("GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi.yaml", "GET /docs")));
  }

  @Test
  void everyOperationDocumentsTheProblemsItCanAnswer() {
    List<String> missing = new ArrayList<>();
    for (Operation op : contract.operations()) {
      String name = op.getHttpMethod().name() + " " + op.getOpenAPIPath();
      JsonObject model = op.getOpenAPIModel();
      boolean ops = op.getTags().contains("operations");
      boolean bearer = !model.containsKey("security");
      boolean hasBody = model.containsKey("requestBody");
      boolean hasPathId = op.getOpenAPIPath().contains("{");
      boolean hasQuery = op.getParameters().stream().anyMatch(p -> p.getIn().name().equals("QUERY"));
      List<Integer> expected = new ArrayList<>();
      if (!ops) {
        expected.add(500);
      }
      if (bearer) {
        expected.addAll(List.of(401, 403, 429, 503));
      }
      if (hasBody) {
        expected.addAll(List.of(400, 413, 415));
      }
      if (hasQuery && !ops) {
        expected.add(400);
      }
      if (hasPathId && bearer) {
        expected.add(404);
      }
      for (int status : expected) {
        if (op.getResponse(status) == null) {
          missing.add(name + " " + status);
        }
      }
      if (op.getResponse(429) != null) {
        JsonObject headers = op.getResponse(429).getOpenAPIModel().getJsonObject("headers", new JsonObject());
        for (String h : List.of("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "Retry-After")) {
          if (!headers.containsKey(h)) {
            missing.add(name + " 429 header " + h);
          }
        }
      }
      for (int status = 400; status < 600; status++) {
        if (op.getResponse(status) != null && !ops) {
          JsonObject content = op.getResponse(status).getOpenAPIModel().getJsonObject("content", new JsonObject());
          if (!content.containsKey(MODEL_MEDIA_TYPES.get("application/problem+json"))) {
            missing.add(name + " " + status + " as application/problem+json");
          }
        }
      }
    }
    assertEquals(List.of(), missing, "problem responses missing from openapi.yaml");
  }

  /** {@code "GET /vehicles/{id}"} for every route of every group; middleware and undocumented routes left out. */
  private static Set<String> mountedRoutes() {
    Router router = Router.router(gw.vertx);
    ApiSupport support = new ApiSupport(gw.gateway.tokens, gw.gateway.directory);
    gw.gateway.routeGroups().forEach(g -> g.mount(router, support));
    Set<String> out = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getMetadata(DocsRoutes.UNDOCUMENTED) != null) {
        continue;
      }
      if (route.isRegexPath() && route.getPath() == null) {
        fail("a regex route cannot be compared with openapi.yaml; use a path template or mark it "
            + DocsRoutes.UNDOCUMENTED + ": " + route);
      }
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue; // middleware (e.g. an authentication handler for a prefix): answers nothing by itself
      }
      Matcher m = ROUTER_PARAM.matcher(route.getPath());
      String template = m.replaceAll("{$1}");
      route.methods().forEach(method -> out.add(method.name() + " " + template));
    }
    return out;
  }
}
