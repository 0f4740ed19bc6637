package io.tokengateway.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A scriptable upstream on a random loopback port: records every request it receives and answers with what
 * the test set ({@link #answer}, {@link #hang}, {@link #respond}); by default a 201 with fresh tokens (and a fresh
 * refresh token on the guest and refresh paths). It also misbehaves on demand: {@link #hugeToken} streams an
 * answer of any size, {@link #trickle} one that never ends, and each such answer is recorded as a
 * {@link Streamed} saying how much was written before the gateway cut it.
 */
public final class FakeSignalWire {

  /** One request as the upstream saw it. */
  public record Received(String method, String path, MultiMap headers, Buffer body, long atNanos) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * One streamed answer, as the upstream wrote it.
   *
   * @param written bytes handed to the connection so far (flow-controlled: at most a socket's buffers ahead of
   *     what the gateway read)
   * @param outcome true once the whole answer was written, false once the connection closed before that
   * @param startNanos when the answer began
   * @param endNanos when the outcome was known
   */
  public record Streamed(AtomicLong written, Promise<Boolean> outcome, long startNanos, AtomicLong endNanos) {
    Streamed() {
      this(new AtomicLong(), Promise.promise(), System.nanoTime(), new AtomicLong());
    }

    void end(boolean finished) {
      if (outcome.tryComplete(finished)) {
        endNanos.set(System.nanoTime());
      }
    }

    /** Whether the connection was closed before the answer was whole; waits up to 20 s for either. */
    public boolean cutOff() {
      return !Await.await(outcome.future());
    }

    public long millisToEnd() {
      return (endNanos.get() - startNanos) / 1_000_000;
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Streamed> streamed = new CopyOnWriteArrayList<>();
  private final List<Long> timers = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<HttpServerRequest> hanging = new ConcurrentLinkedQueue<>();
  private volatile Consumer<HttpServerRequest> behaviour = FakeSignalWire::created;
  private HttpServer server;
  private Vertx vertx;
  private int counter;

  public static FakeSignalWire start(Vertx vertx) {
    FakeSignalWire fake = new FakeSignalWire();
    fake.vertx = vertx;
    fake.server = Await.await(vertx.createHttpServer().requestHandler(fake::handle).listen(0, "127.0.0.1"));
    return fake;
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public List<Received> received() {
    return received;
  }

  public int calls() {
    return received.size();
  }

  /** Answer every request with this status, headers and body. */
  public FakeSignalWire answer(int status, Map<String, String> headers, String body) {
    behaviour = req -> {
      headers.forEach(req.response()::putHeader);
      req.response().setStatusCode(status).end(body);
    };
    return this;
  }

  public FakeSignalWire answer(int status, String jsonBody) {
    return answer(status, Map.of("Content-Type", "application/json"), jsonBody);
  }

  /** Answer with 201 and fresh tokens (the default). */
  public FakeSignalWire succeed() {
    behaviour = FakeSignalWire::created;
    return this;
  }

  /** Answer with 201 and fresh tokens after {@code millis}, as a slow SignalWire. */
  public FakeSignalWire delayed(long millis) {
    behaviour = req -> vertx.setTimer(millis, id -> created(req));
    return this;
  }

  /** Never answer; requests wait until {@link #releaseHanging} or the caller gives up. */
  public FakeSignalWire hang() {
    behaviour = hanging::add;
    return this;
  }

  /** Answers every request held by {@link #hang} with a 201. */
  public void releaseHanging() {
    HttpServerRequest req;
    while ((req = hanging.poll()) != null) {
      created(req);
    }
  }

  /** Answer every request with {@code handler}, for answers the other behaviours do not cover. */
  public FakeSignalWire respond(Consumer<HttpServerRequest> handler) {
    behaviour = handler;
    return this;
  }

  /**
   * Answer {@code status} with {@code {"token":"aaa..."}} of {@code totalBytes} in all, written as fast as the
   * gateway reads it; with a {@code Content-Length} when {@code declared}, else chunked.
   */
  public FakeSignalWire hugeToken(int status, long totalBytes, boolean declared) {
    Buffer head = Buffer.buffer("{\"token\":\"");
    Buffer tail = Buffer.buffer("\"}");
    Buffer filler = Buffer.buffer("a".repeat(64 * 1024));
    behaviour = req -> {
      Streamed s = new Streamed();
      streamed.add(s);
      HttpServerResponse res = begin(req, status, s);
      if (declared) {
        res.putHeader("Content-Length", String.valueOf(totalBytes));
      } else {
        res.setChunked(true);
      }
      write(res, s, head);
      pump(res, s, filler, totalBytes - head.length() - tail.length(), tail);
    };
    return this;
  }

  /** Answer 201, chunked, with the start of a token and then one more byte every {@code periodMs}, forever. */
  public FakeSignalWire trickle(long periodMs) {
    behaviour = req -> {
      Streamed s = new Streamed();
      streamed.add(s);
      HttpServerResponse res = begin(req, 201, s).setChunked(true);
      write(res, s, Buffer.buffer("{\"token\":\""));
      long timer = vertx.setPeriodic(periodMs, id -> {
        if (s.outcome().future().isComplete()) {
          vertx.cancelTimer(id);
        } else {
          write(res, s, Buffer.buffer("a"));
        }
      });
      timers.add(timer);
    };
    return this;
  }

  /** The answers written by {@link #hugeToken} and {@link #trickle}, in order. */
  public List<Streamed> streamed() {
    return streamed;
  }

  private static HttpServerResponse begin(HttpServerRequest req, int status, Streamed s) {
    HttpServerResponse res = req.response().setStatusCode(status).putHeader("Content-Type", "application/json");
    res.closeHandler(v -> s.end(false));
    res.exceptionHandler(t -> s.end(false));
    return res;
  }

  private static void write(HttpServerResponse res, Streamed s, Buffer chunk) {
    if (!s.outcome().future().isComplete()) {
      s.written().addAndGet(chunk.length());
      res.write(chunk);
    }
  }

  /** Writes {@code remaining} filler bytes, then {@code tail}, pausing whenever the connection is full. */
  private static void pump(HttpServerResponse res, Streamed s, Buffer filler, long remaining, Buffer tail) {
    long left = remaining;
    while (left > 0 && !res.writeQueueFull()) {
      if (s.outcome().future().isComplete()) {
        return;
      }
      Buffer chunk = left >= filler.length() ? filler : filler.getBuffer(0, (int) left);
      write(res, s, chunk);
      left -= chunk.length();
    }
    if (left > 0) {
      long rest = left;
      res.drainHandler(v -> pump(res, s, filler, rest, tail));
      return;
    }
    if (!s.outcome().future().isComplete()) {
      s.written().addAndGet(tail.length());
      res.end(tail).onComplete(ar -> s.end(ar.succeeded()));
    }
  }

  public int hangingCount() {
    return hanging.size();
  }

  public Future<Void> close() {
    timers.forEach(vertx::cancelTimer);
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      received.add(new Received(req.method().name(), req.path(), MultiMap.caseInsensitiveMultiMap()
          .addAll(req.headers()), body, System.nanoTime()));
      behaviour.accept(req);
    });
  }

  /** A refresh token shaped like SignalWire's (a JWE with {@code alg: dir}: five parts, the second empty). */
  public static String refreshTokenFor(String token) {
    return "eyJhbGciOiJkaXIiLCJ0eXAiOiJSZWZyZXNoIn0..aXZpdml2aXY.refresh-" + token + ".dGFndGFn";
  }

  private static void created(HttpServerRequest req) {
    String token = "tok-" + System.nanoTime();
    JsonObject body = new JsonObject().put("token", token);
    if (req.path().contains("guests") || req.path().contains("refresh")) {
      body.put("refresh_token", refreshTokenFor(token));
    }
    req.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
