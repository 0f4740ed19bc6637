package io.tokengateway.support;

import static io.tokengateway.support.Await.await;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Redis cluster-mode tests run against (127.0.0.1:6379, as on CI, or a {@link RedisTopology} a test
 * class started), with a key prefix of its own per test so tests never see each other's keys. Tests call {@link #assumeRunning()} first: when no Redis
 * answers, they are reported as skipped with the reason, never passed.
 */
public final class RedisSupport {

  public static final String HOST = "127.0.0.1";
  public static final int PORT = 6379;

  public final String prefix = "tg-test-" + UUID.randomUUID() + ":";
  private final RedisTopology topology;
  private final Redis client;

  public RedisSupport(Vertx vertx) {
    this(vertx, RedisTopology.STANDALONE);
  }

  /** A test's view of {@code topology}: its client is of the gateway's type (commands routed as the gateway's). */
  public RedisSupport(Vertx vertx, RedisTopology topology) {
    this.topology = topology;
    this.client = Redis.createClient(vertx, topology.clientOptions());
  }

  /**
   * Settings for a gateway in cluster mode on this Redis under this test's prefix, with a command timeout that
   * a loaded test machine meets; {@code extra} adds or replaces.
   */
  public Map<String, Object> settings(Map<String, ?> extra) {
    Map<String, Object> s = new java.util.HashMap<>(topology.settings());
    s.put("redis.keyPrefix", prefix);
    s.put("redis.timeoutMs", 500);
    s.put("cluster.expectedReplicas", 1); // required in cluster mode; a test about the fallback share sets its own
    s.putAll(extra);
    return s;
  }

  public static String url(int port) {
    return "redis://" + HOST + ":" + port + "/0";
  }

  /** Skips the calling test, saying why, unless Redis answers PING on 127.0.0.1:6379. */
  public static void assumeRunning() {
    Assumptions.assumeTrue(pings(), "no Redis answers on " + HOST + ":" + PORT
        + ": cluster mode tests skipped (start one with: redis-server --daemonize yes --port 6379)");
  }

  private static boolean pings() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, PORT), 500);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends and waits (test thread only). */
  public Response send(Request request) {
    return await(sendAsync(request));
  }

  public io.vertx.core.Future<Response> sendAsync(Request request) {
    return client.send(request);
  }

  /** Every key under this test's prefix with a printable form of its value (strings and hashes). */
  public Map<String, String> contents() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : keys()) {
      String type = send(Request.cmd(Command.TYPE).arg(key)).toString();
      Response value = switch (type) {
        case "string" -> send(Request.cmd(Command.GET).arg(key));
        case "hash" -> send(Request.cmd(Command.HGETALL).arg(key));
        default -> null;
      };
      out.put(key, value == null ? "<" + type + ">" : value.toString());
    }
    return out;
  }

  /** Every key under this test's prefix, on every node that holds keys (each master of a cluster). */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int port : topology.keyPorts()) {
      keys.addAll(keys(port));
    }
    return keys;
  }

  /** The keys under this test's prefix on the node on {@code port}. */
  public List<String> keys(int port) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      List<?> page = (List<?>) Resp.call(port, topology.password(), "SCAN", cursor, "MATCH", prefix + "*", "COUNT", 1000);
      cursor = String.valueOf(page.get(0));
      ((List<?>) page.get(1)).forEach(k -> keys.add(String.valueOf(k)));
    } while (!"0".equals(cursor));
    return keys;
  }

  /** How many connections to the node on {@code port} are subscribed to this test's invalidation channel. */
  public int subscribers(int port) {
    List<?> numsub = (List<?>) Resp.call(port, topology.password(), "PUBSUB", "NUMSUB", prefix + "invalidate");
    return ((Long) numsub.get(1)).intValue();
  }

  /** Deletes this test's keys and closes the client. */
  public void close() {
    List<String> keys = keys();
    if (!keys.isEmpty()) {
      Request del = Request.cmd(Command.DEL);
      keys.forEach(del::arg);
      send(del);
    }
    await(client.close());
  }
}
