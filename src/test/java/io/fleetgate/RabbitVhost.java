package io.fleetgate;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A virtual host of the local RabbitMQ of its own for one test class (created with {@code rabbitmqctl}, deleted
 * on close), so that concurrent runs never see each other's exchanges and queues.
 */
public final class RabbitVhost implements AutoCloseable {
  public final String name;
  public final String url;
  private Connection connection;

  private RabbitVhost(String name) throws Exception {
    this.name = name;
    this.url = "amqp://guest:guest@127.0.0.1:5672/" + name;
    this.connection = open();
  }

  private Connection open() throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(url);
    f.setAutomaticRecoveryEnabled(false);
    return f.newConnection("fleetgate-test");
  }

  public static RabbitVhost create() {
    String name = "fleetgate-test-" + UUID.randomUUID().toString().substring(0, 8);
    ctl("add_vhost", name);
    ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
    try {
      return new RabbitVhost(name);
    } catch (Exception e) {
      ctl("delete_vhost", name);
      throw new IllegalStateException("cannot connect to RabbitMQ vhost " + name, e);
    }
  }

  /** Runs {@code rabbitmqctl} with these arguments and returns its output; fails the test on a non-zero exit. */
  public static String ctl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("rabbitmqctl", "-q"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("rabbitmqctl not runnable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One message as a test consumer sees it. */
  public record Message(String routingKey, com.rabbitmq.client.AMQP.BasicProperties props, JsonObject envelope) {
    public JsonObject data() {
      return envelope.getJsonObject("data");
    }

    public String messageId() {
      return props.getMessageId();
    }
  }

  /** Takes every message waiting in a queue now (acknowledged). */
  public List<Message> drain(String queue) {
    List<Message> out = new ArrayList<>();
    try (Channel ch = channel()) {
      GetResponse r;
      while ((r = ch.basicGet(queue, true)) != null) {
        out.add(new Message(r.getEnvelope().getRoutingKey(), r.getProps(), new JsonObject(new String(r.getBody(), StandardCharsets.UTF_8))));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read queue " + queue, e);
    }
    return out;
  }

  /** Whether a queue exists (passive declare). */
  public boolean queueExists(String queue) {
    try (Channel ch = channel()) {
      ch.queueDeclarePassive(queue);
      return true;
    } catch (java.io.IOException e) {
      return false;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A channel of the test's connection, opened again if the broker was restarted meanwhile. */
  public synchronized Channel channel() throws java.io.IOException {
    if (!connection.isOpen()) {
      try {
        connection = open();
      } catch (java.io.IOException e) {
        throw e;
      } catch (Exception e) {
        throw new java.io.IOException(e);
      }
    }
    return connection.createChannel();
  }

  @Override
  public synchronized void close() {
    try {
      connection.abort(1_000);
    } finally {
      ctl("delete_vhost", name);
    }
  }
}
